import { Failure } from '@ipcutils/cli';
import {
  getMsgLimits,
  getSemElements,
  getSemLimits,
  getShmLimits,
  groupName,
  IpcError,
  listMsgQueues,
  listSemSets,
  listShmSegments,
  type MsgLimits,
  type MsgQueue,
  type MsgSummary,
  msgSummary,
  readPageSize,
  type SemElement,
  type SemLimits,
  type SemSet,
  type SemSummary,
  type ShmLimits,
  type ShmSegment,
  type ShmSummary,
  semSummary,
  shmSummary,
  statMsgQueue,
  userName,
} from '@ipcutils/core';

/** Everything ipcs reads; main uses systemSources(), tests pass records of their own. */
export interface IpcsSources {
  msgQueues(): readonly MsgQueue[];
  shmSegments(): readonly ShmSegment[];
  semSets(): readonly SemSet[];
  msgLimits(): MsgLimits | undefined;
  shmLimits(): ShmLimits | undefined;
  semLimits(): SemLimits | undefined;
  msgSummary(): MsgSummary | undefined;
  shmSummary(): ShmSummary | undefined;
  semSummary(): SemSummary | undefined;
  /**
   * The listed queue with this id, qbytes included (0 when IPC_STAT is refused); undefined when
   * there is none, or when it was removed after the listing was read.
   */
  msgQueue(id: number): MsgQueue | undefined;
  shmSegment(id: number): ShmSegment | undefined;
  /**
   * The listed set with this id and its semaphores; undefined when there is none or it was removed
   * after the listing was read; throws SemReadError when its values may not be read.
   */
  semSet(id: number): { set: SemSet; elements: SemElement[] } | undefined;
  pageSize(): number;
  userName(uid: number): string | undefined;
  groupName(gid: number): string | undefined;
}

/** util-linux's err(1, "semctl(GETVAL) failed"): the set exists but its values cannot be read. */
export class SemReadError extends Failure {
  override readonly name = 'SemReadError';
  constructor(
    /** The call as util-linux names it, e.g. `semctl(GETVAL)`. */
    readonly call: string,
    /** glibc's strerror text. */
    readonly reason: string,
  ) {
    super(`${call} failed: ${reason}`);
  }
}

/** The running system's IPC namespace. */
export function systemSources(): IpcsSources {
  const listed: { msg?: MsgQueue[]; shm?: ShmSegment[]; sem?: SemSet[] } = {};
  const msgQueues = () => (listed.msg ??= listOrEmpty(listMsgQueues));
  const shmSegments = () => (listed.shm ??= listOrEmpty(listShmSegments));
  const semSets = () => (listed.sem ??= listOrEmpty(listSemSets));
  return {
    msgQueues,
    shmSegments,
    semSets,
    msgLimits: () => orUndefined(getMsgLimits),
    shmLimits: () => orUndefined(getShmLimits),
    semLimits: () => orUndefined(getSemLimits),
    msgSummary: () => orUndefined(msgSummary),
    shmSummary: () => orUndefined(shmSummary),
    semSummary: () => orUndefined(semSummary),
    msgQueue(id) {
      const queue = msgQueues().find((candidate) => candidate.id === id);
      return queue && withQbytes(queue);
    },
    shmSegment: (id) => shmSegments().find((segment) => segment.id === id),
    semSet(id) {
      const set = semSets().find((candidate) => candidate.id === id);
      if (set === undefined) return undefined;
      try {
        return { set, elements: getSemElements(id) };
      } catch (error) {
        if (isGone(error)) return undefined;
        // util-linux's first call is GETVAL, and every one of its four needs the same read permission.
        if (error instanceof IpcError) throw new SemReadError('semctl(GETVAL)', error.reason);
        throw error;
      }
    },
    pageSize: readPageSize,
    userName,
    groupName,
  };
}

/** /proc/sysvipc/msg has no qbytes (MSG_STAT records do): util-linux asks IPC_STAT for it. */
function withQbytes(queue: MsgQueue): MsgQueue | undefined {
  if (queue.qbytes !== undefined) return queue;
  try {
    return { ...queue, qbytes: statMsgQueue(queue.id).qbytes ?? 0 };
  } catch (error) {
    if (isGone(error)) return undefined;
    // No read permission: util-linux leaves qbytes at 0 and prints the rest from /proc.
    if (error instanceof IpcError) return { ...queue, qbytes: 0 };
    throw error;
  }
}

/** An object removed since it was listed: its id no longer resolves (EINVAL) or was just removed (EIDRM). */
function isGone(error: unknown): boolean {
  return error instanceof IpcError && (error.code === 'EINVAL' || error.code === 'EIDRM');
}

/** util-linux's fallback loop runs from 0 to a failed *_INFO's -1, i.e. lists nothing. */
function listOrEmpty<T>(list: () => T[]): T[] {
  try {
    return list();
  } catch (error) {
    if (error instanceof IpcError) return [];
    throw error;
  }
}

/** A kernel call util-linux reports as "unable to fetch …" / "kernel not configured for …". */
function orUndefined<T>(call: () => T): T | undefined {
  try {
    return call();
  } catch (error) {
    if (error instanceof IpcError) return undefined;
    throw error;
  }
}
