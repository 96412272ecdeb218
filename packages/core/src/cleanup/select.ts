/**
 * The cleanup filters lsipc shows with and ipcrm removes with, combined with AND, and the check
 * made again right before an object is removed. The cheap filters (owner, key, name, age, size,
 * exclusions) run first; pids, holders (one /proc scan), semaphore counts (syscalls) and process
 * activity only for what passes them.
 *
 * Every object that passes the cheap filters gets a judgement of its use, with the evidence:
 * orphaned (positive evidence that nothing uses it), in use (evidence that something does),
 * unproven (nothing shows it dead: a set or queue never operated on, or whose owner still runs a
 * process, without --older-than), or undetermined (some evidence could not be read). Only
 * orphaned objects match --orphaned; undetermined ones are returned apart, so a tool can say so.
 * The rule for each kind is in docs/cleanup.md.
 */
import { constants } from 'node:os';
import picomatch from 'picomatch';
import type { IpcError } from '../errors.js';
import { errorFrom } from '../ffi/call.js';
import { GETNCNT, GETPID, GETZCNT } from '../ffi/constants.js';
import * as libc from '../ffi/libc.js';
import type { SemSet } from '../types.js';
import { ProcActivity, type ProcessActivity } from './activity.js';
import { type HolderAnswer, type HolderScan, holdersOf, scanHolders } from './holders.js';
import {
  creatorOf,
  type FileIdentity,
  type IpcObject,
  isSysvObject,
  keyOf,
  lastUseOf,
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
  /** POSIX objects whose name (without the leading "/") matches any of these shell globs; System V objects never match. */
  names?: readonly string[];
  /** Idle at least this many seconds: since the last use or change (lastUseOf). */
  olderThan?: number;
  /** At least this many bytes (segment size; bytes queued). Semaphores have no size and never match. */
  minSize?: bigint;
  /** System V segments with nattch 0; POSIX objects nobody holds. Never semaphore sets or queues. */
  unattached?: boolean;
  orphaned?: boolean;
  /** --orphaned may select a queue that still holds messages (by default they are data, never orphaned). */
  withMessages?: boolean;
  /** Never objects owned by (or, System V, created by) these uids. */
  excludeOwners?: readonly number[];
  /** Never System V objects with these keys. */
  excludeKeys?: readonly number[];
  /** Never POSIX objects whose name (without the leading "/") matches any of these shell globs. */
  excludeNames?: readonly string[];
}

/** The filter names as the options spell them, for "no longer matches --orphaned". */
export type FilterName =
  | 'owner'
  | 'creator'
  | 'key'
  | 'name'
  | 'older-than'
  | 'min-size'
  | 'unattached'
  | 'orphaned'
  | 'exclude-owner'
  | 'exclude-key'
  | 'exclude-name';

/** Whether any filter is set: without one, ipcrm selects nothing (it never means "everything"). */
export function hasFilter(filter: IpcFilter): boolean {
  return (
    filter.owner !== undefined ||
    filter.creator !== undefined ||
    (filter.keys !== undefined && filter.keys.length > 0) ||
    (filter.names !== undefined && filter.names.length > 0) ||
    filter.olderThan !== undefined ||
    filter.minSize !== undefined ||
    filter.unattached === true ||
    filter.orphaned === true
  );
}

/**
 * Whether any exclusion is set. An exclusion selects nothing by itself, but wherever one is given
 * the tools must apply the filters (lsipc lists, ipcrm removes, what they let through): ignoring it
 * would show or remove the very objects it protects.
 */
export function hasExclusion(filter: IpcFilter): boolean {
  return [filter.excludeOwners, filter.excludeKeys, filter.excludeNames].some(
    (list) => list !== undefined && list.length > 0,
  );
}

/** Pid states by pid and recording time; ProcessTable reads them from /proc. */
export interface PidStates {
  pidState(pid: number, recordedAt: number, used?: boolean): PidState;
}

/** Waiters on a semaphore set: the sums of GETNCNT and GETZCNT over its semaphores. */
export interface SemWaiters {
  ncount: number;
  zcount: number;
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
  /** The set's waiters (GETNCNT, GETZCNT); undefined when they cannot be read. Default: semctl. */
  semWaiters?: (set: SemSet) => SemWaiters | undefined;
  /** Processes' uids and blocked message calls. Default: a fresh ProcActivity on /proc. */
  activity?: ProcessActivity;
}

/** One pid an object recorded, and what became of it. */
export interface PidEvidence {
  role: 'creator' | 'last-operation' | 'last-send' | 'last-receive' | 'semaphore';
  pid: number;
  /** For role 'semaphore': its index in the set. */
  semnum?: number;
  state: PidState;
}

/** What the judgement of an object's use rests on: what was looked at, and what it showed. */
export interface UseEvidence {
  /** Seconds since the last use or change (lastUseOf). */
  idleSeconds: number;
  /** System V segments: the kernel's attach count. */
  nattch?: number;
  /** System V: each recorded pid and what became of it. */
  pids?: PidEvidence[];
  /** Segments attached and POSIX objects: who maps or holds it; complete false when some process could not be inspected. */
  holders?: HolderAnswer;
  /** Semaphore sets: processes waiting in semop (GETNCNT + GETZCNT); queues: processes blocked in msgsnd or msgrcv. */
  waiters?: number;
  /** Queues: the pids blocked on it. */
  waiterPids?: number[];
  /** Queues: messages (System V) or bytes (POSIX) still queued. */
  queued?: number;
  /** Sets and queues: live processes running as the owner or creator uid. */
  ownerProcesses?: number[];
}

export type UseVerdict = 'orphaned' | 'in-use' | 'unproven' | 'undetermined';

/** Why the verdict, in one word the tools can print and scripts can match. */
export type UseReason =
  /** orphaned: */
  | 'unused'
  /** in-use: */
  | 'attached'
  | 'held'
  | 'live-pid'
  | 'waiters'
  | 'queued-messages'
  /** unproven: */
  | 'never-used'
  | 'owner-running'
  /** undetermined: */
  | 'processes-uninspectable'
  | 'processes-hidden'
  | 'pid-unknown'
  | 'set-unreadable';

export interface UseJudgement {
  verdict: UseVerdict;
  reason: UseReason;
  evidence: UseEvidence;
}

export interface SelectedObject {
  object: IpcObject;
  /** What the orphan check saw (with --orphaned, System V). */
  pids?: PidEvidence[];
  /** What the holder check saw (POSIX with --orphaned or --unattached). */
  holders?: HolderAnswer;
  /** With --orphaned or --unattached: the judgement and its evidence. */
  judgement?: UseJudgement;
}

export interface JudgedObject {
  object: IpcObject;
  judgement: UseJudgement;
}

export interface Selection {
  selected: SelectedObject[];
  /** Objects that pass every other filter but whose use could not be judged (never selected). */
  undetermined: JudgedObject[];
  /** Every object that passed the cheap filters with the judgement of its use, when one was made. */
  judged: JudgedObject[];
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
  const matcher = new FilterMatcher(filter, now);
  const candidates = objects.filter((object) => matcher.failsCheap(object) === undefined);
  const context = useContext(candidates, filter, options, now);
  const selection: Selection = { selected: [], undetermined: [], judged: [] };
  for (const object of candidates) {
    const verdict = judgeUse(object, filter, context);
    if (verdict.judgement !== undefined) {
      selection.judged.push({ object, judgement: verdict.judgement });
      if (verdict.judgement.verdict === 'undetermined')
        selection.undetermined.push({ object, judgement: verdict.judgement });
    }
    if (verdict.failed === undefined) selection.selected.push(verdict.selected);
  }
  if (context.holderScan !== undefined) selection.holderScan = context.holderScan;
  return selection;
}

/**
 * The orphan judgement of each object with its evidence, whatever the filters: what
 * `--orphaned` would decide and why (lsipc's VERDICT column, --explain).
 */
export function judgeObjects(
  objects: readonly IpcObject[],
  options: SelectionOptions & { withMessages?: boolean; olderThan?: number } = {},
): JudgedObject[] {
  const filter: IpcFilter = { orphaned: true };
  if (options.withMessages) filter.withMessages = true;
  if (options.olderThan !== undefined) filter.olderThan = options.olderThan;
  const now = options.now ?? Math.floor(Date.now() / 1000);
  const context = useContext(objects, filter, options, now, true);
  return objects.map((object) => ({ object, judgement: judgeOrphan(object, filter, context) }));
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
  const cheap = new FilterMatcher(filter, now).failsCheap(fresh);
  if (cheap !== undefined) return { status: 'no-longer-matching', object: fresh, filter: cheap };
  const verdict = judgeUse(fresh, filter, useContext([fresh], filter, options, now));
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

/** The filters that need nothing but the record, with the globs compiled once. */
class FilterMatcher {
  private readonly names: ((name: string) => boolean) | undefined;
  private readonly excludedNames: ((name: string) => boolean) | undefined;

  constructor(
    private readonly filter: IpcFilter,
    private readonly now: number,
  ) {
    this.names = globMatcher(filter.names);
    this.excludedNames = globMatcher(filter.excludeNames);
  }

  /** The first cheap filter that fails. */
  failsCheap(object: IpcObject): FilterName | undefined {
    const { filter } = this;
    const excluded = this.excludedBy(object);
    if (excluded !== undefined) return excluded;
    if (filter.owner !== undefined && object.record.uid !== filter.owner) return 'owner';
    if (filter.creator !== undefined && creatorOf(object) !== filter.creator) return 'creator';
    if (filter.keys !== undefined && filter.keys.length > 0) {
      const key = keyOf(object);
      if (key === undefined || !filter.keys.includes(key)) return 'key';
    }
    if (this.names !== undefined && (isSysvObject(object) || !this.names(bareName(object.record.name))))
      return 'name';
    if (filter.olderThan !== undefined && this.now - lastUseOf(object) < filter.olderThan)
      return 'older-than';
    if (filter.minSize !== undefined) {
      const size = sizeOf(object);
      if (size === undefined || BigInt(size) < filter.minSize) return 'min-size';
    }
    if (filter.unattached) {
      if (object.kind === 'sem' || object.kind === 'msg') return 'unattached';
      if (object.kind === 'shm' && object.record.nattch !== 0) return 'unattached';
    }
    return undefined;
  }

  private excludedBy(object: IpcObject): FilterName | undefined {
    const { excludeOwners, excludeKeys } = this.filter;
    if (
      excludeOwners !== undefined &&
      (excludeOwners.includes(object.record.uid) || excludeOwners.includes(creatorOf(object)))
    )
      return 'exclude-owner';
    const key = keyOf(object);
    if (excludeKeys !== undefined && key !== undefined && excludeKeys.includes(key)) return 'exclude-key';
    if (
      this.excludedNames !== undefined &&
      !isSysvObject(object) &&
      this.excludedNames(bareName(object.record.name))
    )
      return 'exclude-name';
    return undefined;
  }
}

/** Shell globs (*, ?, [...]) over whole names; a leading "/" in a pattern is the name's own. */
function globMatcher(patterns: readonly string[] | undefined): ((name: string) => boolean) | undefined {
  if (patterns === undefined || patterns.length === 0) return undefined;
  return picomatch(patterns.map(bareName), { dot: true, nobrace: true, noextglob: true, noglobstar: true });
}

/** POSIX queues are listed as "/NAME", shm and semaphores as "NAME": patterns see "NAME" for all. */
function bareName(name: string): string {
  return name.startsWith('/') ? name.slice(1) : name;
}

interface UseContext {
  processes: PidStates;
  semPids: (set: SemSet) => number[] | undefined;
  semWaiters: (set: SemSet) => SemWaiters | undefined;
  activity: ProcessActivity;
  holderScan: HolderScan | undefined;
  now: number;
  /** Gather every piece of evidence (judgeObjects), not only what the selection needs. */
  thorough: boolean;
}

function useContext(
  objects: readonly IpcObject[],
  filter: IpcFilter,
  options: SelectionOptions,
  now: number,
  thorough = false,
): UseContext {
  const wantHolders = objects.filter((object) => !isSysvObject(object));
  const needHolders = (filter.unattached === true || filter.orphaned === true) && wantHolders.length > 0;
  return {
    processes: options.processes ?? new ProcessTable(),
    semPids: options.semPids ?? readSemPids,
    semWaiters: options.semWaiters ?? readSemWaiters,
    activity: options.activity ?? new ProcActivity(),
    holderScan: needHolders ? holderScanFor(wantHolders, options) : undefined,
    now,
    thorough,
  };
}

function holderScanFor(objects: readonly IpcObject[], options: SelectionOptions): HolderScan {
  const files = objects.flatMap((object) => (isSysvObject(object) ? [] : [object.file]));
  const holders = options.holders;
  if (holders === undefined) return scanHolders({ sysv: false, files });
  return typeof holders === 'function' ? holders({ sysv: false, files }) : holders;
}

type Verdict =
  | { failed: FilterName; selected?: undefined; judgement?: UseJudgement }
  | { failed?: undefined; selected: SelectedObject; judgement?: UseJudgement };

/** The filters that look at processes: --unattached and --orphaned. */
function judgeUse(object: IpcObject, filter: IpcFilter, context: UseContext): Verdict {
  const selected: SelectedObject = { object };
  if (!filter.orphaned && !(filter.unattached && !isSysvObject(object))) return { selected };
  const judgement = filter.orphaned ? judgeOrphan(object, filter, context) : judgeUnheld(object, context);
  selected.judgement = judgement;
  if (judgement.evidence.pids !== undefined) selected.pids = judgement.evidence.pids;
  if (judgement.evidence.holders !== undefined) selected.holders = judgement.evidence.holders;
  if (judgement.verdict !== 'orphaned')
    return { failed: filter.orphaned ? 'orphaned' : 'unattached', judgement };
  return { selected, judgement };
}

/** --unattached for a POSIX object: nobody maps it or holds it open. */
function judgeUnheld(object: IpcObject, context: UseContext): UseJudgement {
  const evidence: UseEvidence = { idleSeconds: idleSeconds(object, context) };
  return judgeHolders(object, evidence, context);
}

function judgeHolders(object: IpcObject, evidence: UseEvidence, context: UseContext): UseJudgement {
  const answer = context.holderScan && holdersOf(context.holderScan, object);
  if (answer === undefined) throw new Error('no holder scan for a POSIX object');
  evidence.holders = answer;
  if (answer.holders.length > 0) return { verdict: 'in-use', reason: 'held', evidence };
  if (!answer.complete) return { verdict: 'undetermined', reason: doubtOf(context.holderScan), evidence };
  return { verdict: 'orphaned', reason: 'unused', evidence };
}

function doubtOf(scan: HolderScan | undefined): UseReason {
  return scan?.hidden && scan.uninspectable.length === 0 ? 'processes-hidden' : 'processes-uninspectable';
}

function idleSeconds(object: IpcObject, context: UseContext): number {
  return Math.max(0, context.now - lastUseOf(object));
}

/** Whether `--orphaned` holds, with the evidence: the rule of docs/cleanup.md for each kind. */
function judgeOrphan(object: IpcObject, filter: IpcFilter, context: UseContext): UseJudgement {
  const evidence: UseEvidence = { idleSeconds: idleSeconds(object, context) };
  switch (object.kind) {
    case 'shm': {
      evidence.nattch = object.record.nattch;
      // The kernel's attach count is authoritative: no /proc scan can see more.
      if (object.record.nattch !== 0) return { verdict: 'in-use', reason: 'attached', evidence };
      const pids = pidEvidence(object, context);
      evidence.pids = pids ?? [];
      return judgePids(evidence) ?? { verdict: 'orphaned', reason: 'unused', evidence };
    }
    case 'sem':
    case 'msg':
      return judgeSetOrQueue(object, filter, context, evidence);
    case 'pmsg':
      evidence.queued = object.record.qsize;
      if (object.record.qsize > 0 && !filter.withMessages)
        return { verdict: 'in-use', reason: 'queued-messages', evidence };
      return judgeHolders(object, evidence, context);
    default:
      return judgeHolders(object, evidence, context);
  }
}

/** A live pid is proof of use; an unknown one is a doubt; undefined when every pid is gone. */
function judgePids(evidence: UseEvidence): UseJudgement | undefined {
  const pids = evidence.pids ?? [];
  if (pids.some((entry) => entry.state === 'alive'))
    return { verdict: 'in-use', reason: 'live-pid', evidence };
  if (!pids.every((entry) => isPidGone(entry.state)))
    return { verdict: 'undetermined', reason: 'pid-unknown', evidence };
  return undefined;
}

/**
 * Semaphore sets and queues record no attach count and no creator pid, and dead last-operation
 * pids prove nothing while a parent that keeps the id may still run. Orphaned: no message queued
 * (unless withMessages), no waiter, every recorded pid gone, and either an idle age was given
 * (--older-than) or, with some pid recorded, no live process runs as the owner or creator uid.
 */
function judgeSetOrQueue(
  object: Extract<IpcObject, { kind: 'sem' | 'msg' }>,
  filter: IpcFilter,
  context: UseContext,
  evidence: UseEvidence,
): UseJudgement {
  if (object.kind === 'msg') {
    evidence.queued = object.record.qnum;
    if (object.record.qnum > 0 && !filter.withMessages)
      return { verdict: 'in-use', reason: 'queued-messages', evidence };
  }
  if (!context.thorough && filter.olderThan === undefined) {
    // Selection only: a live process of the owner settles it before 1 semctl per semaphore.
    const owners = ownerProcesses(object, context);
    if (owners.pids.length > 0) {
      evidence.ownerProcesses = owners.pids;
      return { verdict: 'unproven', reason: 'owner-running', evidence };
    }
  }
  const pids = pidEvidence(object, context);
  if (pids === undefined) return { verdict: 'undetermined', reason: 'set-unreadable', evidence };
  evidence.pids = pids;
  const byPids = judgePids(evidence);
  if (byPids?.verdict === 'in-use') return byPids;
  // Never operated on and no idle age: not selected whatever the waiters (which cost 2 semctl per semaphore).
  if (pids.length === 0 && filter.olderThan === undefined && !context.thorough)
    return { verdict: 'unproven', reason: 'never-used', evidence };
  const waiters = waitersOf(object, context, evidence);
  if (waiters === undefined) return { verdict: 'undetermined', reason: 'set-unreadable', evidence };
  if (waiters.count > 0) return { verdict: 'in-use', reason: 'waiters', evidence };
  if (byPids !== undefined) return byPids;
  if (!waiters.complete) return { verdict: 'undetermined', reason: 'processes-uninspectable', evidence };
  if (filter.olderThan !== undefined) return { verdict: 'orphaned', reason: 'unused', evidence };
  if (pids.length === 0) return { verdict: 'unproven', reason: 'never-used', evidence };
  const owners = ownerProcesses(object, context);
  evidence.ownerProcesses = owners.pids;
  if (owners.pids.length > 0) return { verdict: 'unproven', reason: 'owner-running', evidence };
  if (!owners.complete) return { verdict: 'undetermined', reason: 'processes-hidden', evidence };
  return { verdict: 'orphaned', reason: 'unused', evidence };
}

function ownerProcesses(object: Extract<IpcObject, { kind: 'sem' | 'msg' }>, context: UseContext) {
  const { uid, cuid } = object.record;
  return context.activity.processesRunningAs(uid === cuid ? [uid] : [uid, cuid]);
}

/** Semaphore sets: GETNCNT + GETZCNT; queues: processes blocked on it. Undefined when unreadable. */
function waitersOf(
  object: Extract<IpcObject, { kind: 'sem' | 'msg' }>,
  context: UseContext,
  evidence: UseEvidence,
): { count: number; complete: boolean } | undefined {
  if (object.kind === 'sem') {
    const counts = context.semWaiters(object.record);
    if (counts === undefined) return undefined;
    evidence.waiters = counts.ncount + counts.zcount;
    return { count: evidence.waiters, complete: true };
  }
  const found = context.activity.queueWaiters(object.record.id);
  evidence.waiters = found.pids.length;
  evidence.waiterPids = found.pids;
  return { count: found.pids.length, complete: found.complete };
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
  return readSemCounts(set, GETPID);
}

/** The sums of semctl(GETNCNT) and semctl(GETZCNT) over the set: processes blocked in semop on it. */
export function readSemWaiters(set: SemSet): SemWaiters | undefined {
  const ncounts = readSemCounts(set, GETNCNT);
  const zcounts = ncounts && readSemCounts(set, GETZCNT);
  if (ncounts === undefined || zcounts === undefined) return undefined;
  const sum = (values: number[]) => values.reduce((total, value) => total + value, 0);
  return { ncount: sum(ncounts), zcount: sum(zcounts) };
}

function readSemCounts(set: SemSet, command: number): number[] | undefined {
  const values: number[] = [];
  for (let num = 0; num < set.nsems; num++) {
    const raw = libc.semctl(set.id, num, command);
    if (raw.value === -1) {
      if (UNREADABLE.has(raw.errnoCode)) return undefined;
      throw errorFrom(raw, 'semctl', { id: set.id });
    }
    values.push(raw.value);
  }
  return values;
}
