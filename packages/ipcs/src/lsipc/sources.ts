/**
 * Everything lsipc reads from the system, behind one interface so the rows can be built from
 * fixtures in tests. The default sources are the core's readers: /proc first, syscalls when
 * /proc/sysvipc is missing, as util-linux does.
 */
import {
  type FileIdentity,
  type FileTimes,
  getMqueueCurmsgs,
  getMsgLimits,
  getPosixSemValue,
  getSemElements,
  getSemLimits,
  getShmLimits,
  getShmUsage,
  groupName,
  type HolderScan,
  isMqueueMounted,
  listMsgQueues,
  listPosixMqueues,
  listPosixSems,
  listPosixShm,
  listSemSets,
  listShmSegments,
  type MsgLimits,
  type MsgQueue,
  msgSummary,
  type PidStates,
  type PosixMqLimits,
  type PosixMqueue,
  type PosixSem,
  type PosixShm,
  ProcActivity,
  type ProcessActivity,
  ProcessTable,
  readCommandLine,
  readPageSize,
  readPosixMqLimits,
  readSemPids,
  readSemWaiters,
  type SemElement,
  type SemLimits,
  type SemSet,
  type SemWaiters,
  type ShmLimits,
  type ShmSegment,
  type ShmUsage,
  scanHolders,
  semSummary,
  statPosixFile,
  userName,
} from '@ipcutils/core';

export interface SemUsage {
  sets: number;
  semaphores: number;
}

/** A POSIX listing that could not be made, and why (util-linux warns and shows nothing). */
export type PosixListing<T> = T[] | { problem: 'cannot-open' | 'not-mounted' };

export interface LsipcSources {
  shmSegments(): ShmSegment[];
  msgQueues(): MsgQueue[];
  semSets(): SemSet[];
  /** How many queues there are: the global view needs no more of them. */
  msgQueueCount(): number;
  /** How many segments there are and their total size. */
  shmUsage(): ShmUsage;
  /** How many sets and semaphores there are, in all. */
  semUsage(): SemUsage;
  /** Each semaphore of a set; throws IpcError when the set is gone. */
  semElements(id: number): SemElement[];
  shmLimits(): ShmLimits;
  msgLimits(): MsgLimits;
  semLimits(): SemLimits;
  posixMqLimits(): PosixMqLimits;
  posixShm(): PosixListing<PosixShm>;
  posixSems(): PosixListing<PosixSem>;
  posixMqueues(): PosixListing<PosixMqueue>;
  /**
   * Whether /dev/mqueue is the mqueue filesystem: a plain directory there lists no queue, which
   * util-linux's listings pass over but a filtered listing (a cleanup's preview) must say.
   */
  mqueueMounted(): boolean;
  userName(uid: number): string | undefined;
  groupName(gid: number): string | undefined;
  /** /proc/PID/cmdline with spaces between the arguments; null when there is none. */
  commandLine(pid: number): string | null;
  pageSize(): number;
  /** Seconds since the epoch, for the short time format's "today". */
  now(): number;
  /** A POSIX object's file identity (stat); undefined when it is gone. */
  /** A POSIX object's file: identity and times (undefined when gone). */
  posixFile(path: string): { file: FileIdentity; times: FileTimes } | undefined;
  /** One pass over /proc for the holders of segments and of these files. */
  scanHolders(request: { sysv: boolean; files: FileIdentity[] }): HolderScan;
  /** What became of recorded pids (a fresh table). */
  processes(): PidStates;
  /** Each semaphore's last pid; undefined when they cannot be read. */
  semPids(set: SemSet): number[] | undefined;
  /** The set's waiters (GETNCNT, GETZCNT); undefined when they cannot be read. */
  semWaiters(set: SemSet): SemWaiters | undefined;
  /** Processes' uids and blocked message calls (a fresh scan). */
  activity(): ProcessActivity;
}

export const systemSources: LsipcSources = {
  shmSegments: listShmSegments,
  msgQueues: listMsgQueues,
  semSets: listSemSets,
  // MSG_INFO and SEM_INFO count what /proc/sysvipc lists, without the kernel printing and us
  // parsing a line per object (ffi-rs loads in less time than a 10,000-line table takes).
  msgQueueCount: () => {
    try {
      return msgSummary().queues;
    } catch {
      return listMsgQueues().length;
    }
  },
  shmUsage: () => getShmUsage(),
  semUsage: () => {
    try {
      const { arrays, semaphores } = semSummary();
      return { sets: arrays, semaphores };
    } catch {
      return semUsageOf(listSemSets());
    }
  },
  semElements: getSemElements,
  shmLimits: getShmLimits,
  msgLimits: getMsgLimits,
  semLimits: getSemLimits,
  posixMqLimits: () => readPosixMqLimits(),
  posixShm: () => listPosixShm() ?? { problem: 'cannot-open' },
  posixSems: () => listPosixSems(undefined, getPosixSemValue) ?? { problem: 'cannot-open' },
  posixMqueues: () => {
    try {
      return listPosixMqueues(undefined, getMqueueCurmsgs) ?? { problem: 'not-mounted' };
    } catch {
      return { problem: 'cannot-open' };
    }
  },
  mqueueMounted: () => isMqueueMounted(),
  userName,
  groupName,
  commandLine: readCommandLine,
  pageSize: readPageSize,
  now: () => Math.floor(Date.now() / 1000),
  posixFile: statPosixFile,
  scanHolders,
  processes: () => new ProcessTable(),
  semPids: readSemPids,
  semWaiters: readSemWaiters,
  activity: () => new ProcActivity(),
};

/** The sets and their semaphores (util-linux before 2.40 multiplied the first set's count). */
export function semUsageOf(sets: readonly SemSet[]): SemUsage {
  return { sets: sets.length, semaphores: sets.reduce((sum, set) => sum + set.nsems, 0) };
}
