/**
 * Plain records returned by the readers and the stat operations. Every System V record
 * embeds the same permission fields (util-linux `struct ipc_stat`); times are seconds since
 * the epoch with 0 meaning "never", as the kernel reports them.
 */

/** The permission record shared by every System V object (`struct ipc_perm`). */
export interface IpcPerm {
  /** The key as the kernel stores it: a signed 32-bit `key_t`; 0 is IPC_PRIVATE. */
  key: number;
  id: number;
  uid: number;
  gid: number;
  cuid: number;
  cgid: number;
  /** Mode bits; for shared memory the kernel also ORs in SHM_DEST (0o1000) and SHM_LOCKED (0o2000). */
  mode: number;
}

export interface ShmSegment extends IpcPerm {
  size: number;
  cpid: number;
  lpid: number;
  nattch: number;
  atime: number;
  dtime: number;
  ctime: number;
  /** Resident bytes; absent on kernels whose /proc/sysvipc/shm lacks the column. */
  rss?: number;
  /** Swapped bytes; absent on kernels whose /proc/sysvipc/shm lacks the column. */
  swap?: number;
}

/** What lsipc's global view counts of the segments. */
export interface ShmUsage {
  segments: number;
  /** The sum of their sizes. */
  bytes: bigint;
}

export interface MsgQueue extends IpcPerm {
  /** Bytes currently on the queue (`__msg_cbytes`). */
  cbytes: number;
  /** Messages currently on the queue. */
  qnum: number;
  lspid: number;
  lrpid: number;
  stime: number;
  rtime: number;
  ctime: number;
  /** Maximum bytes on the queue; only known from msgctl(IPC_STAT), not from /proc. */
  qbytes?: number;
}

export interface SemSet extends IpcPerm {
  nsems: number;
  otime: number;
  ctime: number;
}

/** One semaphore of a set, as semctl(GETVAL/GETNCNT/GETZCNT/GETPID) reports it. */
export interface SemElement {
  semval: number;
  ncount: number;
  zcount: number;
  pid: number;
}

/** Fields every POSIX object has: they come from stat(2) of its file in /dev/shm or /dev/mqueue. */
export interface PosixObject {
  /** The name as util-linux's lsipc shows it (shm and sem without "/", mqueue with a leading "/"). */
  name: string;
  /** Absolute path of the backing file. */
  path: string;
  uid: number;
  gid: number;
  /** Permission bits (mode & 0o7777). */
  mode: number;
  /** Modification time, seconds since the epoch. */
  mtime: number;
}

export interface PosixShm extends PosixObject {
  size: number;
}

export interface PosixMqueue extends PosixObject {
  /** Bytes on the queue: the QSIZE field of /dev/mqueue/NAME. */
  qsize: number;
  /** Messages on the queue (mq_getattr); undefined when the queue could not be opened. */
  curmsgs?: number;
}

export interface PosixSem extends PosixObject {
  /** Current value (sem_getvalue); undefined when the semaphore could not be opened. */
  value?: number;
}

export interface ShmLimits {
  shmmni: bigint;
  shmmax: bigint;
  /** In pages. */
  shmall: bigint;
  shmmin: bigint;
}

export interface SemLimits {
  semmni: number;
  semmsl: number;
  semmns: number;
  semopm: number;
  semvmx: number;
}

export interface MsgLimits {
  msgmni: number;
  msgmax: bigint;
  msgmnb: bigint;
}

/** /proc/sys/fs/mqueue limits; 0 where the file is unreadable (util-linux does the same). */
export interface PosixMqLimits {
  queuesMax: number;
  msgMax: number;
  msgsizeMax: number;
}
