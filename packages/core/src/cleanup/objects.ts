/**
 * Every kind of IPC object as one discriminated union, so selection and removal handle System V
 * and POSIX objects alike: listed from /proc/sysvipc (syscalls where it is missing) and from
 * /dev/shm and /dev/mqueue, and stat'ed again, one object at a time, right before removal.
 */
import { type BigIntStats, readFileSync, statSync } from 'node:fs';
import { constants } from 'node:os';
import { IpcError } from '../errors.js';
import { check } from '../ffi/call.js';
import { IPC_STAT, MSG_STAT_ANY, SEM_STAT_ANY, SHM_STAT_ANY } from '../ffi/constants.js';
import { decodeMsqidDs, decodeSemidDs, decodeShmidDs, MSQID_DS, SEMID_DS, SHMID_DS } from '../ffi/layout.js';
import type { Raw } from '../ffi/libc.js';
import * as libc from '../ffi/libc.js';
import { fsPath } from '../names.js';
import { isMqueueMounted, listPosixMqueues, listPosixSems, listPosixShm } from '../posix/list.js';
import { mqueueIdentity } from '../posix/mqueue.js';
import { listMsgQueues, listSemSets, listShmSegments } from '../sysv/sources.js';
import type { MsgQueue, PosixMqueue, PosixSem, PosixShm, SemSet, ShmSegment } from '../types.js';

export type SysvKind = 'shm' | 'msg' | 'sem';
export type PosixKind = 'pshm' | 'pmsg' | 'psem';
/** The kinds as `ipcrm --all=…` names them. */
export type IpcKind = SysvKind | PosixKind;

/** util-linux's removal order (`ipcrm --all`). */
export const IPC_KINDS: readonly IpcKind[] = ['shm', 'pshm', 'sem', 'psem', 'msg', 'pmsg'];

/** What identifies a POSIX object's file: a name can be unlinked and created again. */
export interface FileIdentity {
  dev: bigint;
  ino: bigint;
  /** Modification time in nanoseconds: the POSIX "change time" the re-check compares. */
  mtimeNs: bigint;
}

/** A POSIX object's file times in seconds: the idle age is measured from the latest of them. */
export interface FileTimes {
  atime: number;
  mtime: number;
  ctime: number;
}

export type IpcObject =
  | { kind: 'shm'; record: ShmSegment }
  | { kind: 'msg'; record: MsgQueue }
  | { kind: 'sem'; record: SemSet }
  | { kind: 'pshm'; record: PosixShm; file: FileIdentity; times: FileTimes }
  | { kind: 'pmsg'; record: PosixMqueue; file: FileIdentity; times: FileTimes }
  | { kind: 'psem'; record: PosixSem; file: FileIdentity; times: FileTimes };

export type SysvObject = Extract<IpcObject, { kind: SysvKind }>;
export type PosixIpcObject = Extract<IpcObject, { kind: PosixKind }>;

export function isSysvObject(object: IpcObject): object is SysvObject {
  return object.kind === 'shm' || object.kind === 'msg' || object.kind === 'sem';
}

/** Why a kind could not be listed; the other kinds are listed anyway. */
export interface ListingProblem {
  kind: IpcKind;
  /** not-mounted: /dev/mqueue is missing or not the mqueue filesystem; cannot-open: the directory is unreadable; unavailable: no System V IPC. */
  problem: 'not-mounted' | 'cannot-open' | 'unavailable';
  error?: unknown;
}

export interface IpcListing {
  objects: IpcObject[];
  problems: ListingProblem[];
}

/** Every object of the given kinds, in IPC_KINDS order (each kind in its listing's order). */
export function listIpcObjects(kinds: ReadonlySet<IpcKind> | readonly IpcKind[]): IpcListing {
  const wanted = new Set(kinds);
  const listing: IpcListing = { objects: [], problems: [] };
  for (const kind of IPC_KINDS) {
    if (wanted.has(kind)) LISTERS[kind](listing);
  }
  return listing;
}

const LISTERS: Record<IpcKind, (listing: IpcListing) => void> = {
  shm: (listing) => listSysv(listing, 'shm', listShmSegments),
  msg: (listing) => listSysv(listing, 'msg', listMsgQueues),
  sem: (listing) => listSysv(listing, 'sem', listSemSets),
  pshm: (listing) => listPosix(listing, 'pshm', () => listPosixShm()),
  psem: (listing) => listPosix(listing, 'psem', () => listPosixSems()),
  pmsg: (listing) => {
    let queues: PosixMqueue[] | undefined;
    try {
      queues = listPosixMqueues();
    } catch (error) {
      listing.problems.push({ kind: 'pmsg', problem: 'cannot-open', error });
      return;
    }
    // A plain directory where the mount should be hides every queue: not "none", not mounted.
    if (queues === undefined || !isMqueueMounted())
      listing.problems.push({ kind: 'pmsg', problem: 'not-mounted' });
    else addPosix(listing, 'pmsg', queues);
  },
};

type SysvRecord<K extends SysvKind> = Extract<SysvObject, { kind: K }>['record'];
type PosixRecord<K extends PosixKind> = Extract<PosixIpcObject, { kind: K }>['record'];

function listSysv<K extends SysvKind>(listing: IpcListing, kind: K, read: () => SysvRecord<K>[]): void {
  let records: SysvRecord<K>[];
  try {
    records = read();
  } catch (error) {
    // ENOSYS: a kernel built without System V IPC.
    if (!(error instanceof IpcError)) throw error;
    listing.problems.push({ kind, problem: 'unavailable', error });
    return;
  }
  for (const record of records) listing.objects.push({ kind, record } as IpcObject);
}

function listPosix<K extends PosixKind>(
  listing: IpcListing,
  kind: K,
  read: () => PosixRecord<K>[] | undefined,
): void {
  const records = read();
  if (records === undefined) listing.problems.push({ kind, problem: 'cannot-open' });
  else addPosix(listing, kind, records);
}

function addPosix<K extends PosixKind>(listing: IpcListing, kind: K, records: PosixRecord<K>[]): void {
  for (const record of records) {
    const object = toPosixObject(kind, record);
    if (object !== undefined) listing.objects.push(object);
  }
}

/** The identity and times of a POSIX object's file; undefined when the entry is gone. */
export function statPosixFile(path: string): { file: FileIdentity; times: FileTimes } | undefined {
  const stats = statFile(path);
  return stats && { file: identityOf(stats), times: timesOf(stats) };
}

/** A listed POSIX record with its file's identity; undefined when the file is gone since the listing. */
export function toPosixObject<K extends PosixKind>(
  kind: K,
  record: PosixRecord<K>,
): Extract<PosixIpcObject, { kind: K }> | undefined {
  const stats = statFile(record.path);
  if (stats === undefined) return undefined;
  return { kind, record, file: identityOf(stats), times: timesOf(stats) } as Extract<
    PosixIpcObject,
    { kind: K }
  >;
}

/** The key --key compares; POSIX objects have none. */
export function keyOf(object: IpcObject): number | undefined {
  return isSysvObject(object) ? object.record.key : undefined;
}

/** The last change: System V ctime, POSIX mtime (what the re-check compares and reports show). */
export function changeTimeOf(object: IpcObject): number {
  return isSysvObject(object) ? object.record.ctime : object.record.mtime;
}

/**
 * The last time anything used or changed the object, which --older-than measures idleness from:
 * segments the latest of attach, detach and change (atime, dtime, ctime); semaphore sets of the
 * last semop and change (otime, ctime); queues of the last send, receive and change (stime, rtime,
 * ctime); POSIX shm and semaphores the latest of their file's access, modification and status
 * change times; POSIX queues their modification time (mq_send and mq_receive set it; reading the
 * file, as every listing does for QSIZE, sets its access and change times to now).
 */
export function lastUseOf(object: IpcObject): number {
  switch (object.kind) {
    case 'shm':
      return Math.max(object.record.atime, object.record.dtime, object.record.ctime);
    case 'sem':
      return Math.max(object.record.otime, object.record.ctime);
    case 'msg':
      return Math.max(object.record.stime, object.record.rtime, object.record.ctime);
    case 'pmsg':
      return object.times.mtime;
    default:
      return Math.max(object.times.atime, object.times.mtime, object.times.ctime);
  }
}

/** The size --min-size compares: segment size, bytes queued; semaphores have none. */
export function sizeOf(object: IpcObject): number | undefined {
  switch (object.kind) {
    case 'shm':
    case 'pshm':
      return object.record.size;
    case 'msg':
      return object.record.cbytes;
    case 'pmsg':
      return object.record.qsize;
    case 'sem':
    case 'psem':
      return undefined;
  }
}

/** The creator's uid: System V cuid; a POSIX file records only its owner. */
export function creatorOf(object: IpcObject): number {
  return isSysvObject(object) ? object.record.cuid : object.record.uid;
}

/** "shm 32769", "pshm /dev/shm/name": how messages and reports name an object. */
export function describeObject(object: IpcObject): string {
  return isSysvObject(object) ? `${object.kind} ${object.record.id}` : `${object.kind} ${object.record.name}`;
}

/** What the object looks like now. */
export type ObjectState =
  | { state: 'present'; object: IpcObject }
  | { state: 'gone' }
  /** It could not be stat'ed (EACCES: no read permission and no *_STAT_ANY). */
  | { state: 'unknown'; error: IpcError };

const { EACCES, EIDRM, EINVAL } = constants.errno;

/**
 * The object as the kernel shows it now: System V by IPC_STAT of its id (XXX_STAT_ANY on its index
 * when read permission is missing), POSIX by stat(2) of its path. The caller compares identities.
 */
export function restatObject(object: IpcObject): ObjectState {
  switch (object.kind) {
    case 'shm':
      return restatSysv(object.kind, object.record.id, SYSV_STAT.shm);
    case 'msg':
      return restatSysv(object.kind, object.record.id, SYSV_STAT.msg);
    case 'sem':
      return restatSysv(object.kind, object.record.id, SYSV_STAT.sem);
    default:
      return restatPosix(object);
  }
}

interface SysvStat<T> {
  syscall: string;
  size: number;
  call(idOrIndex: number, cmd: number, buffer: Buffer): Raw;
  statAny: number;
  decode(buffer: Buffer, id: number): T;
}

const SYSV_STAT = {
  shm: {
    syscall: 'shmctl',
    size: SHMID_DS.size,
    call: (id, cmd, buffer) => libc.shmctl(id, cmd, buffer),
    statAny: SHM_STAT_ANY,
    decode: decodeShmidDs,
  } satisfies SysvStat<ShmSegment>,
  msg: {
    syscall: 'msgctl',
    size: MSQID_DS.size,
    call: (id, cmd, buffer) => libc.msgctl(id, cmd, buffer),
    statAny: MSG_STAT_ANY,
    decode: decodeMsqidDs,
  } satisfies SysvStat<MsgQueue>,
  sem: {
    syscall: 'semctl',
    size: SEMID_DS.size,
    call: (id, cmd, buffer) => libc.semctl(id, 0, cmd, buffer),
    statAny: SEM_STAT_ANY,
    decode: decodeSemidDs,
  } satisfies SysvStat<SemSet>,
};

// ipc_buildid(): id = seq << IPCMNI_SHIFT | index, the shift 15, or 24 with the ipcmni_extend boot option.
const INDEX_SHIFTS = [15, 24];

function restatSysv<T>(kind: SysvKind, id: number, stat: SysvStat<T>): ObjectState {
  const buffer = Buffer.alloc(stat.size);
  const raw = stat.call(id, IPC_STAT, buffer);
  if (raw.value !== -1)
    return { state: 'present', object: { kind, record: stat.decode(buffer, id) } as IpcObject };
  if (raw.errnoCode === EINVAL || raw.errnoCode === EIDRM) return { state: 'gone' };
  if (raw.errnoCode !== EACCES) {
    check(raw, stat.syscall, { id });
  }
  // IPC_STAT wants read permission; XXX_STAT_ANY (Linux 4.17) takes the index and returns the id there.
  for (const shift of INDEX_SHIFTS) {
    const found = stat.call(id & ((1 << shift) - 1), stat.statAny, buffer);
    if (found.value === id)
      return { state: 'present', object: { kind, record: stat.decode(buffer, id) } as IpcObject };
  }
  const error = new IpcError({ errno: raw.errnoCode, syscall: stat.syscall, object: { id } });
  return { state: 'unknown', error };
}

function restatPosix(object: PosixIpcObject): ObjectState {
  const stats = statFile(object.record.path);
  if (stats === undefined) return { state: 'gone' };
  const common = {
    ...object.record,
    uid: Number(stats.uid),
    gid: Number(stats.gid),
    mode: Number(stats.mode & 0o7777n),
    mtime: Number(stats.mtimeNs / 1_000_000_000n),
  };
  const file = identityOf(stats);
  const times = timesOf(stats);
  switch (object.kind) {
    case 'pshm':
      return {
        state: 'present',
        object: { kind: 'pshm', record: { ...common, size: Number(stats.size) }, file, times },
      };
    case 'psem':
      return { state: 'present', object: { kind: 'psem', record: common, file, times } };
    case 'pmsg': {
      const qsize = readQsize(object.record.path);
      if (qsize === undefined) return { state: 'gone' };
      // mq_unlink removes the queue of our IPC namespace by that name: the one to compare.
      const reached = mqueueIdentity(object.record.name);
      if (reached === 'absent') return { state: 'gone' };
      if (reached instanceof IpcError) return { state: 'unknown', error: reached };
      return {
        state: 'present',
        object: {
          kind: 'pmsg',
          record: { ...object.record, ...common, qsize },
          file: { ...file, ...reached },
          times,
        },
      };
    }
  }
}

/** stat(2) following symlinks, as the listing does; undefined when the entry is gone. */
function statFile(path: string): BigIntStats | undefined {
  return statSync(fsPath(path), { bigint: true, throwIfNoEntry: false });
}

function identityOf(stats: BigIntStats): FileIdentity {
  return { dev: stats.dev, ino: stats.ino, mtimeNs: stats.mtimeNs };
}

function timesOf(stats: BigIntStats): FileTimes {
  const seconds = (ns: bigint) => Number(ns / 1_000_000_000n);
  return { atime: seconds(stats.atimeNs), mtime: seconds(stats.mtimeNs), ctime: seconds(stats.ctimeNs) };
}

function readQsize(path: string): number | undefined {
  try {
    const match = /^QSIZE:\s*(\d+)/.exec(readFileSync(fsPath(path), 'latin1'));
    return match ? Number(match[1]) : undefined;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}
