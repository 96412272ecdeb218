/**
 * The removal engine: removes one object and says how it went, as data. It never prints; the
 * caller turns outcomes into messages (messages.ts) and decides what to do next (run.ts).
 */
import {
  getMsgQueue,
  getSemSet,
  getShm,
  IpcError,
  removeMsgQueue,
  removeSemSet,
  removeShm,
  strerror,
  unlinkMqueue,
  unlinkPosixSem,
  unlinkPosixShm,
} from '@ipcutils/core';
import type { PosixType, RemovalTarget, SysvType } from './command.js';

export type OutcomeStatus =
  | 'removed'
  | 'not-found'
  | 'permission-denied'
  | 'already-removed'
  | 'name-too-long'
  /** An errno util-linux does not expect; it stops there (err()), and so does run.ts. */
  | 'failed';

export interface Outcome {
  target: RemovalTarget;
  status: OutcomeStatus;
  /** The System V id the removal was tried on; for a key, only once the lookup found one. */
  id?: number;
  /** The errno of a failure ('EINVAL'), with glibc's text for it. */
  error?: { code: string; reason: string };
}

export interface RemoveHooks {
  /** Called right before the removing call, with the id a key resolved to (ipcrm -v prints here). */
  beforeRemove?(target: RemovalTarget, id: number | undefined): void;
}

interface SysvOps {
  /** xxxget(key, 0, 0): the id of the object with this key. */
  lookup(key: number): number;
  /** xxxctl(id, IPC_RMID). */
  remove(id: number): void;
}

const SYSV_OPS: Record<SysvType, SysvOps> = {
  shm: { lookup: getShm, remove: removeShm },
  msg: { lookup: getMsgQueue, remove: removeMsgQueue },
  sem: { lookup: getSemSet, remove: removeSemSet },
};

const POSIX_UNLINK: Record<PosixType, (name: string) => void> = {
  pshm: unlinkPosixShm,
  pmsg: unlinkMqueue,
  psem: unlinkPosixSem,
};

// IPC_RMID: EINVAL = no such id, EPERM = neither owner nor creator (util-linux also maps EACCES).
const RMID_STATUS: Record<string, OutcomeStatus> = {
  EACCES: 'permission-denied',
  EPERM: 'permission-denied',
  EINVAL: 'not-found',
  EIDRM: 'already-removed',
};

// xxxget(key, 0): ENOENT = no such key; with flag 0 Linux never checks permissions, but util-linux maps EACCES.
const LOOKUP_STATUS: Record<string, OutcomeStatus> = {
  EACCES: 'permission-denied',
  ENOENT: 'not-found',
  EIDRM: 'already-removed',
};

// shm_unlink and sem_unlink report invalid names as ENOENT (glibc); mq_unlink as EINVAL.
const UNLINK_STATUS: Record<string, OutcomeStatus> = {
  EACCES: 'permission-denied',
  EPERM: 'permission-denied',
  ENOENT: 'not-found',
  ENAMETOOLONG: 'name-too-long',
};

/** Removes one object; every errno becomes an outcome, anything else is thrown. */
export function removeObject(target: RemovalTarget, hooks: RemoveHooks = {}): Outcome {
  switch (target.by) {
    case 'id':
      return removeSysvId(target, target.id, hooks);
    case 'key': {
      let id: number;
      try {
        id = SYSV_OPS[target.type].lookup(target.key);
      } catch (error) {
        return failure(target, error, LOOKUP_STATUS, undefined);
      }
      return removeSysvId(target, id, hooks);
    }
    case 'name':
      hooks.beforeRemove?.(target, undefined);
      try {
        POSIX_UNLINK[target.type](target.name);
      } catch (error) {
        return failure(target, error, UNLINK_STATUS, undefined);
      }
      return { target, status: 'removed' };
  }
}

function removeSysvId(
  target: Extract<RemovalTarget, { type: SysvType }>,
  id: number,
  hooks: RemoveHooks,
): Outcome {
  hooks.beforeRemove?.(target, id);
  // util-linux hands a negative id (-1) to the kernel, which answers EINVAL; the core refuses it
  // before any call, so that answer is given here.
  if (id < 0)
    return { target, status: 'not-found', id, error: { code: 'EINVAL', reason: strerror('EINVAL') } };
  try {
    SYSV_OPS[target.type].remove(id);
  } catch (error) {
    return failure(target, error, RMID_STATUS, id);
  }
  return { target, status: 'removed', id };
}

function failure(
  target: RemovalTarget,
  error: unknown,
  statuses: Record<string, OutcomeStatus>,
  id: number | undefined,
): Outcome {
  if (!(error instanceof IpcError)) throw error;
  const outcome: Outcome = {
    target,
    status: statuses[error.code] ?? 'failed',
    error: { code: error.code, reason: error.reason },
  };
  if (id !== undefined) outcome.id = id;
  return outcome;
}
