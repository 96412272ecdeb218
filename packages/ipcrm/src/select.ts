/**
 * What `ipcrm --all` removes, category by category, as util-linux enumerates it: System V objects
 * the caller may read (its SHM_STAT / MSG_STAT / SEM_STAT loop skips the others), every
 * /dev/shm entry for POSIX shared memory, the semaphores the caller can sem_open, and the
 * /dev/mqueue files it can read.
 */
import {
  getPosixSemValue,
  IpcError,
  type IpcPerm,
  listMsgQueues,
  listPosixMqueues,
  listPosixSems,
  listPosixShm,
  listSemSets,
  listShmSegments,
  PATH_DEV_MQUEUE,
  PATH_DEV_SHM,
  statMsgQueue,
  statSemSet,
  statShm,
} from '@ipcutils/core';
import type { Category, RemovalTarget, SysvType } from './command.js';

/** Why a category could not be listed: a warning, or (not-configured) the end of the run. */
export type ListingProblem =
  | { kind: 'cannot-open'; path: string }
  | { kind: 'mqueue-not-mounted'; path: string }
  /** XXX_INFO failed: the kernel has no System V IPC of this type. */
  | { kind: 'not-configured'; type: SysvType };

export interface Listing {
  targets: RemovalTarget[];
  problem?: ListingProblem;
}

/** Who is asking: what the kernel's ipcperms() compares the object's owner and groups with. */
export interface Credentials {
  euid: number;
  /** The effective gid and the supplementary groups. */
  groups: ReadonlySet<number>;
}

interface SysvSource {
  /** Every object of the namespace: /proc/sysvipc, else the *_STAT_ANY syscall loop. */
  list(): IpcPerm[];
  /** IPC_STAT needs the same read permission as XXX_STAT; it throws EACCES without it. */
  stat(id: number): unknown;
}

const SYSV_SOURCES: Record<SysvType, SysvSource> = {
  shm: { list: listShmSegments, stat: statShm },
  msg: { list: listMsgQueues, stat: statMsgQueue },
  sem: { list: listSemSets, stat: statSemSet },
};

/** The objects `--all` would remove in one category, in util-linux's order (index, then readdir). */
export function listRemovable(category: Category): Listing {
  switch (category) {
    case 'shm':
    case 'msg':
    case 'sem':
      return listSysv(category);
    case 'pshm': {
      const objects = listPosixShm();
      if (objects === undefined) return { targets: [], problem: { kind: 'cannot-open', path: PATH_DEV_SHM } };
      return { targets: objects.map((object) => ({ type: 'pshm', by: 'name', name: object.name })) };
    }
    case 'psem': {
      // util-linux lists only the semaphores its sem_open (O_RDWR) succeeds on.
      const objects = listPosixSems(PATH_DEV_SHM, getPosixSemValue);
      if (objects === undefined) return { targets: [], problem: { kind: 'cannot-open', path: PATH_DEV_SHM } };
      return { targets: objects.map((object) => ({ type: 'psem', by: 'name', name: object.name })) };
    }
    case 'pmsg': {
      let objects: ReturnType<typeof listPosixMqueues>;
      try {
        objects = listPosixMqueues();
      } catch {
        // The directory exists but cannot be read: util-linux warns "cannot open" and goes on.
        return { targets: [], problem: { kind: 'cannot-open', path: PATH_DEV_MQUEUE } };
      }
      if (objects === undefined) {
        return { targets: [], problem: { kind: 'mqueue-not-mounted', path: PATH_DEV_MQUEUE } };
      }
      return { targets: objects.map((object) => ({ type: 'pmsg', by: 'name', name: object.name })) };
    }
  }
}

function listSysv(type: SysvType): Listing {
  const source = SYSV_SOURCES[type];
  let objects: IpcPerm[];
  try {
    objects = source.list();
  } catch (error) {
    if (error instanceof IpcError) return { targets: [], problem: { kind: 'not-configured', type } };
    throw error;
  }
  const credentials = currentCredentials();
  return {
    targets: objects
      .filter((object) => mayRead(object, credentials) || statSucceeds(source, object.id))
      .map((object) => ({ type, by: 'id', id: object.id })),
  };
}

/**
 * The kernel's ipcperms() for read access by mode bits alone: owner bits when the caller is the
 * owner or creator, group bits for either group, else the other bits. A capability
 * (CAP_IPC_OWNER) can still grant what this denies, so a denial is confirmed with the kernel.
 */
export function mayRead(object: IpcPerm, credentials: Credentials): boolean {
  const { euid, groups } = credentials;
  let bits = object.mode & 0o777;
  if (euid === object.uid || euid === object.cuid) bits >>= 6;
  else if (groups.has(object.gid) || groups.has(object.cgid)) bits >>= 3;
  return (bits & 0o4) !== 0;
}

function statSucceeds(source: SysvSource, id: number): boolean {
  try {
    source.stat(id);
    return true;
  } catch (error) {
    // EACCES: not readable, skipped like util-linux; EINVAL/EIDRM: removed since it was listed.
    if (error instanceof IpcError) return false;
    throw error;
  }
}

function currentCredentials(): Credentials {
  return {
    euid: process.geteuid?.() ?? 0,
    groups: new Set([process.getegid?.() ?? 0, ...(process.getgroups?.() ?? [])]),
  };
}
