/**
 * Rejections known before any call: values the kernel or glibc is certain to refuse, found up
 * front so that `ipcmk -M 1K -S 0` creates nothing instead of leaving the segment behind. Each
 * gives the errno the real call would have given, so the message is util-linux's.
 */
import { nameToBytes, readSemLimitsFromProc, readShmLimitsFromProc } from '@ipcutils/core';
import type { CreateFailure } from './create.js';
import type { ResourceRequest } from './request.js';

export interface KnownLimits {
  /** shmmax, when /proc says. */
  shmmax?: bigint;
  /** SEMMSL (semaphores per set), when /proc says. */
  semmsl?: number;
}

/** off_t is signed: ftruncate and the kernel's file-size check refuse anything above this. */
const OFF_T_MAX = 0x7fff_ffff_ffff_ffffn;
/** POSIX shm sizes go to ftruncate as JavaScript numbers, exact only up to 2^53 - 1. */
const MAX_EXACT_SIZE = BigInt(Number.MAX_SAFE_INTEGER);

/** The first resource (in creation order) certain to fail, with the failure it would report. */
export function findKnownRejection(
  resources: readonly ResourceRequest[],
  readLimits: () => KnownLimits = readKnownLimits,
): CreateFailure | undefined {
  // Limits only matter to refuse a later request before an earlier one is created: a lone
  // request is checked by the kernel itself, with the same errno (and no /proc reads first).
  let limits: KnownLimits | undefined = resources.length > 1 ? undefined : {};
  const knownLimits = () => {
    limits ??= readLimits();
    return limits;
  };
  for (const resource of resources) {
    const code = rejectionOf(resource, knownLimits);
    if (code !== undefined) return { kind: resource.kind, ...code };
  }
  return undefined;
}

function rejectionOf(
  resource: ResourceRequest,
  limits: () => KnownLimits,
): Pick<CreateFailure, 'code' | 'reason'> | undefined {
  switch (resource.kind) {
    case 'shm': {
      // newseg(): size < SHMMIN (1) or > shmmax is EINVAL; beyond off_t the shmem file is refused too.
      const { shmmax } = limits();
      const tooBig = resource.size > OFF_T_MAX || (shmmax !== undefined && resource.size > shmmax);
      return resource.size === 0n || tooBig ? EINVAL : undefined;
    }
    case 'pshm':
      if (resource.size > OFF_T_MAX) return EINVAL;
      return (
        shmNameRejection(resource.name, SHM_NAME) ?? (resource.size > MAX_EXACT_SIZE ? TOO_BIG : undefined)
      );
    case 'psem':
      return shmNameRejection(resource.name, SEM_NAME);
    case 'pmsg':
      return mqueueNameRejection(resource.name);
    case 'sem': {
      // newary(): 0 semaphores (for a new set), a negative count or more than SEMMSL is EINVAL.
      const { semmsl } = limits();
      const tooMany = semmsl !== undefined && resource.nsems > semmsl;
      return resource.nsems <= 0 || tooMany ? EINVAL : undefined;
    }
    case 'msg':
      return undefined;
  }
}

type Rejection = Pick<CreateFailure, 'code' | 'reason'>;

const EINVAL: Rejection = { code: 'EINVAL', reason: 'Invalid argument' };
const EACCES: Rejection = { code: 'EACCES', reason: 'Permission denied' };
const ENOENT: Rejection = { code: 'ENOENT', reason: 'No such file or directory' };
const ENAMETOOLONG: Rejection = { code: 'ENAMETOOLONG', reason: 'File name too long' };
const TOO_BIG: Rejection = {
  code: 'ETOOBIG',
  reason: `size is larger than ${Number.MAX_SAFE_INTEGER} bytes`,
};

/** The kernel's limit on a file name (one path component), in bytes. */
const NAME_MAX = 255;

/**
 * Name lengths (bytes, leading slashes dropped) at which glibc 2.34+ refuses a name: past its
 * path buffer it is EINVAL before any call; a name that fits the buffer but makes a file name
 * over NAME_MAX ("sem." + name for semaphores) is the kernel's ENAMETOOLONG.
 */
const SHM_NAME = { tooLong: NAME_MAX + 1, invalid: NAME_MAX + 5 };
const SEM_NAME = { tooLong: NAME_MAX - 3, invalid: NAME_MAX + 1 };

/** glibc's shm_open / sem_open: leading slashes are dropped; an empty name or one with "/" is EINVAL. */
function shmNameRejection(name: string, limits: { tooLong: number; invalid: number }): Rejection | undefined {
  const bare = name.replace(/^\/+/, '');
  const length = nameToBytes(bare).length;
  if (bare === '' || bare.includes('/') || length >= limits.invalid) return EINVAL;
  return length >= limits.tooLong ? ENAMETOOLONG : undefined;
}

/** glibc's mq_open needs the leading "/" (EINVAL); the kernel then looks up the rest as one file name. */
function mqueueNameRejection(name: string): Rejection | undefined {
  if (!name.startsWith('/')) return EINVAL;
  const bare = name.slice(1);
  if (nameToBytes(bare).length > NAME_MAX) return ENAMETOOLONG;
  if (bare === '') return ENOENT;
  return bare.includes('/') ? EACCES : undefined;
}

function readKnownLimits(): KnownLimits {
  const limits: KnownLimits = {};
  const shm = readShmLimitsFromProc();
  if (shm) limits.shmmax = shm.shmmax;
  const sem = readSemLimitsFromProc();
  if (sem) limits.semmsl = sem.semmsl;
  return limits;
}
