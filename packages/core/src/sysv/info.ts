/**
 * What the kernel reports through the *ctl info commands: object listings for when
 * /proc/sysvipc is absent (util-linux's fallback), limits (IPC_INFO) and the usage summaries
 * `ipcs -u` prints (SHM_INFO, MSG_INFO, SEM_INFO; always syscalls, never /proc).
 */
import { constants } from 'node:os';
import { check, errorFrom } from '../ffi/call.js';
import {
  IPC_INFO,
  MSG_INFO,
  MSG_STAT,
  MSG_STAT_ANY,
  SEM_INFO,
  SEM_STAT,
  SEM_STAT_ANY,
  SHM_INFO,
  SHM_STAT,
  SHM_STAT_ANY,
} from '../ffi/constants.js';
import {
  decodeMsqidDs,
  decodeSemidDs,
  decodeShmidDs,
  MSGINFO,
  MSQID_DS,
  SEMID_DS,
  SEMINFO,
  SHM_INFO_DS,
  SHMID_DS,
  SHMINFO,
} from '../ffi/layout.js';
import type { Raw } from '../ffi/libc.js';
import * as libc from '../ffi/libc.js';
import type { MsgLimits, MsgQueue, SemLimits, SemSet, ShmLimits, ShmSegment } from '../types.js';

/** shmctl(SHM_INFO): `ipcs -u`'s Shared Memory Status. */
export interface ShmSummary {
  /** Segments in the namespace ("segments allocated"). */
  usedIds: number;
  /** Pages of all segments' sizes ("pages allocated"). */
  totalPages: number;
  /** Resident pages ("pages resident"). */
  rssPages: number;
  /** Swapped pages ("pages swapped"). */
  swapPages: number;
  /** Always 0 since Linux 2.4. */
  swapAttempts: number;
  /** Always 0 since Linux 2.4. */
  swapSuccesses: number;
}

/** msgctl(MSG_INFO): `ipcs -u`'s Messages Status. */
export interface MsgSummary {
  /** Queues in the namespace (msgpool; "allocated queues"). */
  queues: number;
  /** Messages on all queues (msgmap; "used headers"). */
  headers: number;
  /** Bytes of all messages' text (msgtql; "used space"). */
  bytes: number;
}

/** semctl(SEM_INFO): `ipcs -u`'s Semaphore Status. */
export interface SemSummary {
  /** Sets in the namespace (semusz; "used arrays"). */
  arrays: number;
  /** Semaphores in all sets (semaem; "allocated semaphores"). */
  semaphores: number;
}

/** The per-type calls a syscall listing needs. */
interface Lister<T> {
  syscall: string;
  /** XXX_INFO: returns the highest index in use (0 when none). */
  info(): Raw;
  stat(index: number, cmd: number, buffer: Buffer): Raw;
  statAny: number;
  statPlain: number;
  size: number;
  decode(buffer: Buffer, id: number): T;
}

const SHM_LISTER: Lister<ShmSegment> = {
  syscall: 'shmctl',
  info: () => libc.shmctl(0, SHM_INFO, Buffer.alloc(SHM_INFO_DS.size)),
  stat: (index, cmd, buffer) => libc.shmctl(index, cmd, buffer),
  statAny: SHM_STAT_ANY,
  statPlain: SHM_STAT,
  size: SHMID_DS.size,
  decode: decodeShmidDs,
};

const MSG_LISTER: Lister<MsgQueue> = {
  syscall: 'msgctl',
  info: () => libc.msgctl(0, MSG_INFO, Buffer.alloc(MSGINFO.size)),
  stat: (index, cmd, buffer) => libc.msgctl(index, cmd, buffer),
  statAny: MSG_STAT_ANY,
  statPlain: MSG_STAT,
  size: MSQID_DS.size,
  decode: decodeMsqidDs,
};

const SEM_LISTER: Lister<SemSet> = {
  syscall: 'semctl',
  info: () => libc.semctl(0, 0, SEM_INFO, Buffer.alloc(SEMINFO.size)),
  stat: (index, cmd, buffer) => libc.semctl(index, 0, cmd, buffer),
  statAny: SEM_STAT_ANY,
  statPlain: SEM_STAT,
  size: SEMID_DS.size,
  decode: decodeSemidDs,
};

/**
 * Which objects a syscall listing returns: 'any' stats with XXX_STAT_ANY (Linux 4.17+), which
 * ignores read permission as /proc/sysvipc does; 'readable' with the plain XXX_STAT, as
 * util-linux's fallback does, so an unprivileged caller sees only what it may read (root, with
 * CAP_IPC_OWNER, sees everything either way).
 */
export type SyscallListing = 'any' | 'readable';

/** The segments of the IPC namespace by SHM_INFO + SHM_STAT(_ANY) (no rss/swap: only /proc has them). */
export function listShmSegmentsBySyscall(listing: SyscallListing = 'any'): ShmSegment[] {
  return listBySyscall(SHM_LISTER, listing);
}

export function listMsgQueuesBySyscall(listing: SyscallListing = 'any'): MsgQueue[] {
  return listBySyscall(MSG_LISTER, listing);
}

export function listSemSetsBySyscall(listing: SyscallListing = 'any'): SemSet[] {
  return listBySyscall(SEM_LISTER, listing);
}

// An index with no object (EINVAL), one the caller may not read (EACCES, plain STAT only) and
// one removed during the scan (EIDRM) are skipped, as util-linux does.
const { EACCES, EIDRM, EINVAL } = constants.errno;
const SKIPPED = new Set([EINVAL, EACCES, EIDRM]);

/**
 * Stats every index from 0 to the highest in use; a successful STAT returns the object's id.
 * XXX_STAT_ANY (Linux 4.17) ignores read permission like /proc/sysvipc; older kernels reject
 * the command with EINVAL, which an empty index also gives, so until STAT_ANY has worked once an
 * EINVAL is retried with the plain XXX_STAT: if that finds an object, STAT_ANY is unsupported
 * and the scan goes on with XXX_STAT, listing only what the caller may read.
 */
function listBySyscall<T>(lister: Lister<T>, listing: SyscallListing): T[] {
  const maxIndex = check(lister.info(), lister.syscall);
  const buffer = Buffer.alloc(lister.size);
  const found: T[] = [];
  let cmd = listing === 'any' ? lister.statAny : lister.statPlain;
  let probing = listing === 'any';
  for (let index = 0; index <= maxIndex; index++) {
    let raw = lister.stat(index, cmd, buffer);
    if (probing && raw.value === -1 && raw.errnoCode === EINVAL) {
      raw = lister.stat(index, lister.statPlain, buffer);
      if (raw.value !== -1 || raw.errnoCode !== EINVAL) {
        cmd = lister.statPlain;
        probing = false;
      }
    } else if (raw.value !== -1) {
      probing = false;
    }
    if (raw.value !== -1) found.push(lister.decode(buffer, raw.value));
    else if (!SKIPPED.has(raw.errnoCode)) throw errorFrom(raw, lister.syscall, { id: index });
  }
  return found;
}

/** shmctl(IPC_INFO): shmmax and shmmin in bytes, shmall in pages. */
export function shmLimitsFromKernel(): ShmLimits {
  const info = Buffer.alloc(SHMINFO.size);
  check(libc.shmctl(0, IPC_INFO, info), 'shmctl');
  return {
    shmmni: info.readBigUInt64LE(SHMINFO.shmmni),
    shmmax: info.readBigUInt64LE(SHMINFO.shmmax),
    shmall: info.readBigUInt64LE(SHMINFO.shmall),
    shmmin: info.readBigUInt64LE(SHMINFO.shmmin),
  };
}

/** semctl(IPC_INFO); semvmx is the kernel's SEMVMX (32767), the constant util-linux prints. */
export function semLimitsFromKernel(): SemLimits {
  const info = Buffer.alloc(SEMINFO.size);
  check(libc.semctl(0, 0, IPC_INFO, info), 'semctl');
  return {
    semmni: info.readInt32LE(SEMINFO.semmni),
    semmsl: info.readInt32LE(SEMINFO.semmsl),
    semmns: info.readInt32LE(SEMINFO.semmns),
    semopm: info.readInt32LE(SEMINFO.semopm),
    semvmx: info.readInt32LE(SEMINFO.semvmx),
  };
}

/** msgctl(IPC_INFO); msgmax and msgmnb are ints in struct msginfo, widened to match MsgLimits. */
export function msgLimitsFromKernel(): MsgLimits {
  const info = Buffer.alloc(MSGINFO.size);
  check(libc.msgctl(0, IPC_INFO, info), 'msgctl');
  return {
    msgmni: info.readInt32LE(MSGINFO.msgmni),
    msgmax: BigInt(info.readInt32LE(MSGINFO.msgmax)),
    msgmnb: BigInt(info.readInt32LE(MSGINFO.msgmnb)),
  };
}

export function shmSummary(): ShmSummary {
  const info = Buffer.alloc(SHM_INFO_DS.size);
  check(libc.shmctl(0, SHM_INFO, info), 'shmctl');
  const u64 = (offset: number) => Number(info.readBigUInt64LE(offset));
  return {
    usedIds: info.readInt32LE(SHM_INFO_DS.usedIds),
    totalPages: u64(SHM_INFO_DS.shmTot),
    rssPages: u64(SHM_INFO_DS.shmRss),
    swapPages: u64(SHM_INFO_DS.shmSwp),
    swapAttempts: u64(SHM_INFO_DS.swapAttempts),
    swapSuccesses: u64(SHM_INFO_DS.swapSuccesses),
  };
}

// MSG_INFO reuses struct msginfo: msgpool = queues, msgmap = messages, msgtql = bytes (ipc/msg.c).
export function msgSummary(): MsgSummary {
  const info = Buffer.alloc(MSGINFO.size);
  check(libc.msgctl(0, MSG_INFO, info), 'msgctl');
  return {
    queues: info.readInt32LE(MSGINFO.msgpool),
    headers: info.readInt32LE(MSGINFO.msgmap),
    bytes: info.readInt32LE(MSGINFO.msgtql),
  };
}

// SEM_INFO reuses struct seminfo: semusz = sets in use, semaem = semaphores in use (ipc/sem.c).
export function semSummary(): SemSummary {
  const info = Buffer.alloc(SEMINFO.size);
  check(libc.semctl(0, 0, SEM_INFO, info), 'semctl');
  return {
    arrays: info.readInt32LE(SEMINFO.semusz),
    semaphores: info.readInt32LE(SEMINFO.semaem),
  };
}
