/**
 * The cleanup filters lsipc shows with and ipcrm removes with, combined with AND, and the check
 * made again right before an object is removed. The cheap filters (owner, key, age, size) run
 * first; pids, holders (one /proc scan) and semaphore pids (syscalls) only for what passes them.
 *
 * "Orphaned" means no live process uses the object: a System V segment with nattch 0 whose creator
 * and last-operation pids are gone; a semaphore set or queue whose recorded pids (each semaphore's
 * sempid; lspid and lrpid) are gone; a POSIX object nobody maps or has open. The kernel records no
 * creator pid for semaphore sets and queues, so one that no operation ever touched carries no
 * evidence either way: it counts as orphaned only when --older-than is given too.
 */
import { constants } from 'node:os';
import type { IpcError } from '../errors.js';
import { errorFrom } from '../ffi/call.js';
import { GETPID } from '../ffi/constants.js';
import * as libc from '../ffi/libc.js';
import type { SemSet } from '../types.js';
import { type HolderAnswer, type HolderScan, holdersOf, scanHolders } from './holders.js';
import {
  changeTimeOf,
  creatorOf,
  type FileIdentity,
  type IpcObject,
  isSysvObject,
  keyOf,
  restatObject,
  sizeOf,
} from './objects.js';
import { isPidGone, type PidState, ProcessTable } from './processes.js';

export interface IpcFilter {
  /** Owner uid (System V uid; POSIX: the file's owner). */
  owner?: number;
  /** Creator uid (System V cuid; POSIX: the file's owner, the only one recorded). */
  creator?: number;
  /** Any of these keys (key_t as the kernel stores it); POSIX objects have no key and never match. */
  keys?: readonly number[];
  /** At least this many seconds since the last change (System V ctime, POSIX mtime). */
  olderThan?: number;
  /** At least this many bytes (segment size; bytes queued). Semaphores have no size and never match. */
  minSize?: bigint;
  /** System V segments with nattch 0; POSIX objects nobody holds. Never semaphore sets or queues. */
  unattached?: boolean;
  orphaned?: boolean;
}

/** The filter names as the options spell them, for "no longer matches --orphaned". */
export type FilterName = 'owner' | 'creator' | 'key' | 'older-than' | 'min-size' | 'unattached' | 'orphaned';

/** Whether any filter is set: without one, ipcrm selects nothing (it never means "everything"). */
export function hasFilter(filter: IpcFilter): boolean {
  return (
    filter.owner !== undefined ||
    filter.creator !== undefined ||
    (filter.keys !== undefined && filter.keys.length > 0) ||
    filter.olderThan !== undefined ||
    filter.minSize !== undefined ||
    filter.unattached === true ||
    filter.orphaned === true
  );
}

/** Pid states by pid and recording time; ProcessTable reads them from /proc. */
export interface PidStates {
  pidState(pid: number, recordedAt: number, used?: boolean): PidState;
}

export interface SelectionOptions {
  /** Seconds since the epoch (default: now). */
  now?: number;
  /** Default: a fresh ProcessTable on /proc. */
  processes?: PidStates;
  /** A scan that covers the objects, or a scanner given the files to look for (default scanHolders). */
  holders?: HolderScan | ((request: { sysv: boolean; files: FileIdentity[] }) => HolderScan);
  /** Each semaphore's sempid (GETPID); undefined when they cannot be read. Default: semctl. */
  semPids?: (set: SemSet) => number[] | undefined;
}

/** One pid an object recorded, and what became of it. */
export interface PidEvidence {
  role: 'creator' | 'last-operation' | 'last-send' | 'last-receive' | 'semaphore';
  pid: number;
  /** For role 'semaphore': its index in the set. */
  semnum?: number;
  state: PidState;
}

export interface SelectedObject {
  object: IpcObject;
  /** What the orphan check saw (with --orphaned, System V). */
  pids?: PidEvidence[];
  /** What the holder check saw (POSIX with --orphaned or --unattached). */
  holders?: HolderAnswer;
}

export interface Selection {
  selected: SelectedObject[];
  /** The holder scan made along the way, if one was needed. */
  holderScan?: HolderScan;
}

/** The objects that pass every filter, in the order given. */
export function selectObjects(
  objects: readonly IpcObject[],
  filter: IpcFilter,
  options: SelectionOptions = {},
): Selection {
  const now = options.now ?? Math.floor(Date.now() / 1000);
  const candidates = objects.filter((object) => failsCheapFilter(object, filter, now) === undefined);
  const needHolders = candidates.filter((object) => needsHolders(object, filter));
  const holderScan = needHolders.length > 0 ? holderScanFor(needHolders, options) : undefined;
  const processes = options.processes ?? new ProcessTable();
  const semPids = options.semPids ?? readSemPids;
  const selected: SelectedObject[] = [];
  for (const object of candidates) {
    const verdict = judgeUse(object, filter, { processes, semPids, holderScan });
    if (verdict.failed === undefined) selected.push(verdict.selected);
  }
  return holderScan === undefined ? { selected } : { selected, holderScan };
}

export type RecheckResult =
  /** The same object, still matching: safe to remove. `object` is its fresh state. */
  | { status: 'unchanged'; object: IpcObject }
  | { status: 'gone' }
  /** Another object now (System V: other key or change time; POSIX: other file or mtime). */
  | { status: 'changed'; what: 'key' | 'ctime' | 'file' | 'mtime' }
  | { status: 'no-longer-matching'; object: IpcObject; filter: FilterName }
  /** It could not be stat'ed again. */
  | { status: 'unknown'; error: IpcError };

/**
 * Checks a selected object again right before its removal: same id, key and change time (POSIX:
 * same file and mtime), and still matching the filter with fresh pids. Pass `holders` a scan made
 * after the selection to reuse it across objects; by default each POSIX object gets its own scan.
 */
export function recheckObject(
  object: IpcObject,
  filter: IpcFilter,
  options: SelectionOptions = {},
): RecheckResult {
  const current = restatObject(object);
  if (current.state === 'gone') return { status: 'gone' };
  if (current.state === 'unknown') return { status: 'unknown', error: current.error };
  const fresh = current.object;
  const changed = changeOf(object, fresh);
  if (changed !== undefined) return { status: 'changed', what: changed };
  const now = options.now ?? Math.floor(Date.now() / 1000);
  const cheap = failsCheapFilter(fresh, filter, now);
  if (cheap !== undefined) return { status: 'no-longer-matching', object: fresh, filter: cheap };
  const holderScan = needsHolders(fresh, filter) ? holderScanFor([fresh], options) : undefined;
  const verdict = judgeUse(fresh, filter, {
    processes: options.processes ?? new ProcessTable(),
    semPids: options.semPids ?? readSemPids,
    holderScan,
  });
  if (verdict.failed !== undefined)
    return { status: 'no-longer-matching', object: fresh, filter: verdict.failed };
  return { status: 'unchanged', object: fresh };
}

function changeOf(before: IpcObject, after: IpcObject): 'key' | 'ctime' | 'file' | 'mtime' | undefined {
  if (isSysvObject(before) && isSysvObject(after)) {
    if (before.record.key !== after.record.key) return 'key';
    if (before.record.ctime !== after.record.ctime) return 'ctime';
    return undefined;
  }
  if (isSysvObject(before) || isSysvObject(after)) return 'file';
  if (before.file.dev !== after.file.dev || before.file.ino !== after.file.ino) return 'file';
  if (before.file.mtimeNs !== after.file.mtimeNs) return 'mtime';
  return undefined;
}

/** The first filter that needs nothing but the record and fails. */
function failsCheapFilter(object: IpcObject, filter: IpcFilter, now: number): FilterName | undefined {
  if (filter.owner !== undefined && object.record.uid !== filter.owner) return 'owner';
  if (filter.creator !== undefined && creatorOf(object) !== filter.creator) return 'creator';
  if (filter.keys !== undefined && filter.keys.length > 0) {
    const key = keyOf(object);
    if (key === undefined || !filter.keys.includes(key)) return 'key';
  }
  if (filter.olderThan !== undefined && now - changeTimeOf(object) < filter.olderThan) return 'older-than';
  if (filter.minSize !== undefined) {
    const size = sizeOf(object);
    if (size === undefined || BigInt(size) < filter.minSize) return 'min-size';
  }
  if (filter.unattached) {
    if (object.kind === 'sem' || object.kind === 'msg') return 'unattached';
    if (object.kind === 'shm' && object.record.nattch !== 0) return 'unattached';
  }
  if (filter.orphaned && object.kind === 'shm' && object.record.nattch !== 0) return 'orphaned';
  return undefined;
}

function needsHolders(object: IpcObject, filter: IpcFilter): boolean {
  return !isSysvObject(object) && (filter.unattached === true || filter.orphaned === true);
}

function holderScanFor(objects: readonly IpcObject[], options: SelectionOptions): HolderScan {
  const files = objects.flatMap((object) => (isSysvObject(object) ? [] : [object.file]));
  const holders = options.holders;
  if (holders === undefined) return scanHolders({ sysv: false, files });
  return typeof holders === 'function' ? holders({ sysv: false, files }) : holders;
}

interface UseContext {
  processes: PidStates;
  semPids: (set: SemSet) => number[] | undefined;
  holderScan: HolderScan | undefined;
}

type Verdict =
  | { failed: FilterName; selected?: undefined }
  | { failed?: undefined; selected: SelectedObject };

/** The filters that look at processes: --unattached and --orphaned beyond nattch. */
function judgeUse(object: IpcObject, filter: IpcFilter, context: UseContext): Verdict {
  const selected: SelectedObject = { object };
  if (!isSysvObject(object)) {
    if (!filter.unattached && !filter.orphaned) return { selected };
    const answer = context.holderScan && holdersOf(context.holderScan, object);
    if (answer === undefined) throw new Error('no holder scan for a POSIX object');
    selected.holders = answer;
    const unused = answer.complete && answer.holders.length === 0;
    if (!unused) return { failed: filter.orphaned ? 'orphaned' : 'unattached' };
    return { selected };
  }
  if (!filter.orphaned) return { selected };
  const evidence = pidEvidence(object, context);
  if (evidence === undefined) return { failed: 'orphaned' };
  selected.pids = evidence;
  if (!evidence.every((entry) => isPidGone(entry.state))) return { failed: 'orphaned' };
  // No pid recorded at all: nothing says it was ever used, so only its age can condemn it.
  if (evidence.length === 0 && filter.olderThan === undefined) return { failed: 'orphaned' };
  return { selected };
}

/**
 * Each recorded pid against the time that recorded it: cpid vs ctime; lpid vs the later of atime
 * and dtime; lspid vs stime; lrpid vs rtime; sempid vs the later of otime and ctime (SETVAL and
 * SETALL record the pid and change ctime, not otime). Slots with no pid recorded are left out, so
 * an empty list means no evidence. Undefined when the semaphores' pids cannot be read.
 */
function pidEvidence(object: IpcObject, context: UseContext): PidEvidence[] | undefined {
  const { processes } = context;
  const recorded = (entries: PidEvidence[]) => entries.filter((entry) => entry.state !== 'none');
  switch (object.kind) {
    case 'shm': {
      const { cpid, lpid, ctime, atime, dtime } = object.record;
      return recorded([
        // Creation always records the creator: pid 0 is a process outside our pid namespace.
        { role: 'creator', pid: cpid, state: processes.pidState(cpid, ctime, true) },
        { role: 'last-operation', pid: lpid, state: processes.pidState(lpid, Math.max(atime, dtime)) },
      ]);
    }
    case 'msg': {
      const { lspid, lrpid, stime, rtime } = object.record;
      return recorded([
        { role: 'last-send', pid: lspid, state: processes.pidState(lspid, stime) },
        { role: 'last-receive', pid: lrpid, state: processes.pidState(lrpid, rtime) },
      ]);
    }
    case 'sem': {
      const pids = context.semPids(object.record);
      if (pids === undefined) return undefined;
      const { otime, ctime } = object.record;
      // Operated on (otime set) yet no pid visible: the processes live outside our pid namespace.
      if (otime !== 0 && pids.every((pid) => pid === 0)) {
        return [{ role: 'semaphore', pid: 0, semnum: 0, state: 'unknown' }];
      }
      const recordedAt = Math.max(otime, ctime);
      return pids.flatMap((pid, semnum) =>
        pid === 0
          ? []
          : [{ role: 'semaphore', pid, semnum, state: processes.pidState(pid, recordedAt, true) }],
      );
    }
    default:
      return [];
  }
}

const { EACCES, EIDRM, EINVAL, EPERM } = constants.errno;
const UNREADABLE = new Set([EACCES, EIDRM, EINVAL, EPERM]);

/** semctl(GETPID) for each semaphore of the set: needs read permission, like ipcs -s -i. */
export function readSemPids(set: SemSet): number[] | undefined {
  const pids: number[] = [];
  for (let num = 0; num < set.nsems; num++) {
    const raw = libc.semctl(set.id, num, GETPID);
    if (raw.value === -1) {
      if (UNREADABLE.has(raw.errnoCode)) return undefined;
      throw errorFrom(raw, 'semctl', { id: set.id });
    }
    pids.push(raw.value);
  }
  return pids;
}
