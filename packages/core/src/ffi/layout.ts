/**
 * Byte layouts of the kernel structs as glibc declares them on LP64 Linux (x86_64 and aarch64
 * share them: ipc_perm is 48 bytes, times are 64-bit, counters are unsigned long). Measured with
 * offsetof on x86_64; aarch64 uses glibc's generic headers, which place every field at the same
 * offset. musl differs (sem_nsems is an unsigned short) and is not supported.
 */
import type { IpcPerm, MsgQueue, SemSet, ShmSegment } from '../types.js';

export const IPC_PERM = { key: 0, uid: 4, gid: 8, cuid: 12, cgid: 16, mode: 20, size: 48 } as const;
export const SHMID_DS = {
  segsz: 48,
  atime: 56,
  dtime: 64,
  ctime: 72,
  cpid: 80,
  lpid: 84,
  nattch: 88,
  size: 112,
} as const;
export const MSQID_DS = {
  stime: 48,
  rtime: 56,
  ctime: 64,
  cbytes: 72,
  qnum: 80,
  qbytes: 88,
  lspid: 96,
  lrpid: 100,
  size: 120,
} as const;
export const SEMID_DS = { otime: 48, ctime: 64, nsems: 80, size: 104 } as const;
/** struct sembuf: unsigned short sem_num, short sem_op, short sem_flg. */
export const SEMBUF = { num: 0, op: 2, flg: 4, size: 6 } as const;
/** struct mq_attr: four longs (flags, maxmsg, msgsize, curmsgs) and reserved space. */
export const MQ_ATTR = { flags: 0, maxmsg: 8, msgsize: 16, curmsgs: 24, size: 64 } as const;
/** struct timespec: tv_sec, tv_nsec (both 64-bit). */
export const TIMESPEC = { sec: 0, nsec: 8, size: 16 } as const;
/** struct passwd / struct group: the name pointer comes first. */
export const PASSWD_NAME = 0;
/** struct passwd: pw_name and pw_passwd (pointers), then uid_t pw_uid. */
export const PASSWD_UID = 16;
export const GROUP_NAME = 0;
/** struct group: gr_name and gr_passwd (pointers), then gid_t gr_gid. */
export const GROUP_GID = 16;
/** IPC_INFO for shm: struct shminfo, five unsigned longs. */
export const SHMINFO = { shmmax: 0, shmmin: 8, shmmni: 16, shmseg: 24, shmall: 32, size: 72 } as const;
/** SHM_INFO: struct shm_info (int used_ids, then unsigned longs). */
export const SHM_INFO_DS = {
  usedIds: 0,
  shmTot: 8,
  shmRss: 16,
  shmSwp: 24,
  swapAttempts: 32,
  swapSuccesses: 40,
  size: 48,
} as const;
/** struct msginfo: seven ints and an unsigned short. */
export const MSGINFO = {
  msgpool: 0,
  msgmap: 4,
  msgmax: 8,
  msgmnb: 12,
  msgmni: 16,
  msgssz: 20,
  msgtql: 24,
  msgseg: 28,
  size: 32,
} as const;
/** struct seminfo: ten ints. */
export const SEMINFO = {
  semmap: 0,
  semmni: 4,
  semmns: 8,
  semmnu: 12,
  semmsl: 16,
  semopm: 20,
  semume: 24,
  semusz: 28,
  semvmx: 32,
  semaem: 36,
  size: 40,
} as const;

/** Reads a u64 as a number without a BigInt allocation (sizes, counts: below 2^53 in practice). */
function u64(buffer: Buffer, offset: number): number {
  return buffer.readUInt32LE(offset + 4) * 0x1_0000_0000 + buffer.readUInt32LE(offset);
}

/** Reads an i64 as a number (times). */
function i64(buffer: Buffer, offset: number): number {
  return buffer.readInt32LE(offset + 4) * 0x1_0000_0000 + buffer.readUInt32LE(offset);
}

export function decodeIpcPerm(buffer: Buffer, id: number): IpcPerm {
  return {
    key: buffer.readInt32LE(IPC_PERM.key),
    id,
    uid: buffer.readUInt32LE(IPC_PERM.uid),
    gid: buffer.readUInt32LE(IPC_PERM.gid),
    cuid: buffer.readUInt32LE(IPC_PERM.cuid),
    cgid: buffer.readUInt32LE(IPC_PERM.cgid),
    mode: buffer.readUInt32LE(IPC_PERM.mode),
  };
}

/** What IPC_SET may change in the ipc_perm of any System V object. */
export interface IpcPermChanges {
  uid?: number;
  gid?: number;
  /** Permission bits; only the low nine are written (the kernel keeps its own SHM_* bits). */
  mode?: number;
}

/** Patches an IPC_STAT record's ipc_perm in place, for the IPC_SET that follows. */
export function writeIpcPermChanges(buffer: Buffer, changes: IpcPermChanges): void {
  if (changes.uid !== undefined) buffer.writeUInt32LE(changes.uid, IPC_PERM.uid);
  if (changes.gid !== undefined) buffer.writeUInt32LE(changes.gid, IPC_PERM.gid);
  if (changes.mode !== undefined) buffer.writeUInt32LE(changes.mode & 0o777, IPC_PERM.mode);
}

// The decoders spell out every field in one literal: spreading decodeIpcPerm() into them put
// V8 on a slow path (~10 µs an object), which listings and `ipcrm -a` pay 30,000 times.

export function decodeShmidDs(buffer: Buffer, id: number): ShmSegment {
  return {
    key: buffer.readInt32LE(IPC_PERM.key),
    id,
    uid: buffer.readUInt32LE(IPC_PERM.uid),
    gid: buffer.readUInt32LE(IPC_PERM.gid),
    cuid: buffer.readUInt32LE(IPC_PERM.cuid),
    cgid: buffer.readUInt32LE(IPC_PERM.cgid),
    mode: buffer.readUInt32LE(IPC_PERM.mode),
    size: u64(buffer, SHMID_DS.segsz),
    cpid: buffer.readInt32LE(SHMID_DS.cpid),
    lpid: buffer.readInt32LE(SHMID_DS.lpid),
    nattch: u64(buffer, SHMID_DS.nattch),
    atime: i64(buffer, SHMID_DS.atime),
    dtime: i64(buffer, SHMID_DS.dtime),
    ctime: i64(buffer, SHMID_DS.ctime),
  };
}

export function decodeMsqidDs(buffer: Buffer, id: number): MsgQueue {
  return {
    key: buffer.readInt32LE(IPC_PERM.key),
    id,
    uid: buffer.readUInt32LE(IPC_PERM.uid),
    gid: buffer.readUInt32LE(IPC_PERM.gid),
    cuid: buffer.readUInt32LE(IPC_PERM.cuid),
    cgid: buffer.readUInt32LE(IPC_PERM.cgid),
    mode: buffer.readUInt32LE(IPC_PERM.mode),
    cbytes: u64(buffer, MSQID_DS.cbytes),
    qnum: u64(buffer, MSQID_DS.qnum),
    qbytes: u64(buffer, MSQID_DS.qbytes),
    lspid: buffer.readInt32LE(MSQID_DS.lspid),
    lrpid: buffer.readInt32LE(MSQID_DS.lrpid),
    stime: i64(buffer, MSQID_DS.stime),
    rtime: i64(buffer, MSQID_DS.rtime),
    ctime: i64(buffer, MSQID_DS.ctime),
  };
}

export function decodeSemidDs(buffer: Buffer, id: number): SemSet {
  return {
    key: buffer.readInt32LE(IPC_PERM.key),
    id,
    uid: buffer.readUInt32LE(IPC_PERM.uid),
    gid: buffer.readUInt32LE(IPC_PERM.gid),
    cuid: buffer.readUInt32LE(IPC_PERM.cuid),
    cgid: buffer.readUInt32LE(IPC_PERM.cgid),
    mode: buffer.readUInt32LE(IPC_PERM.mode),
    nsems: u64(buffer, SEMID_DS.nsems),
    otime: i64(buffer, SEMID_DS.otime),
    ctime: i64(buffer, SEMID_DS.ctime),
  };
}

/** A CLOCK_REALTIME absolute deadline `ms` milliseconds from now (mq_timed*, sem_timedwait). */
export function deadlineAfter(ms: number): Buffer {
  const at = Math.ceil(Date.now() + ms);
  return timespec(Math.floor(at / 1000), (at % 1000) * 1_000_000);
}

/** A relative timeout (semtimedop). */
export function timeoutOf(ms: number): Buffer {
  return timespec(Math.floor(ms / 1000), Math.round((ms % 1000) * 1_000_000));
}

function timespec(seconds: number, nanoseconds: number): Buffer {
  const buffer = Buffer.alloc(TIMESPEC.size);
  buffer.writeBigInt64LE(BigInt(seconds), TIMESPEC.sec);
  buffer.writeBigInt64LE(BigInt(nanoseconds), TIMESPEC.nsec);
  return buffer;
}
