/** -l: system-wide limits (util-linux do_msg/do_shm/do_sem, case LIMITS). */
import type { MsgLimits, SemLimits, ShmLimits } from '@ipcutils/core';
import { formatSizeLine, joinLines } from './format.js';
import type { SizeUnit } from './options.js';

const U64_MAX = 0xffff_ffff_ffff_ffffn;

/** `limits` is undefined when neither /proc nor IPC_INFO gave them. */
export function formatMsgLimits(limits: MsgLimits | undefined, unit: SizeUnit): string {
  if (limits === undefined) return 'unable to fetch message limits\n';
  const sizes = unit === 'default' ? 'bytes' : unit;
  return joinLines([
    '------ Messages Limits --------',
    `max queues system wide = ${limits.msgmni}`,
    formatSizeLine(sizes, 'max size of message', limits.msgmax),
    formatSizeLine(sizes, 'default max size of queue', limits.msgmnb),
  ]);
}

export function formatShmLimits(limits: ShmLimits | undefined, unit: SizeUnit, pageSize: number): string {
  if (limits === undefined) return 'unable to fetch shared memory limits\n';
  const page = BigInt(pageSize);
  // shmall counts pages; util-linux prints the product, clamped to the largest multiple that fits.
  const total =
    unit === 'default'
      ? `max total shared memory (kbytes) = ${clampedProduct(limits.shmall, page / 1024n)}`
      : formatSizeLine(unit, 'max total shared memory', clampedProduct(limits.shmall, page));
  return joinLines([
    '------ Shared Memory Limits --------',
    `max number of segments = ${limits.shmmni}`,
    formatSizeLine(unit === 'default' ? 'kbytes' : unit, 'max seg size', limits.shmmax),
    total,
    formatSizeLine(unit === 'default' ? 'bytes' : unit, 'min seg size', limits.shmmin),
  ]);
}

export function formatSemLimits(limits: SemLimits | undefined): string {
  if (limits === undefined) return 'unable to fetch semaphore limits\n';
  return joinLines([
    '------ Semaphore Limits --------',
    `max number of arrays = ${limits.semmni}`,
    `max semaphores per array = ${limits.semmsl}`,
    `max semaphores system wide = ${limits.semmns}`,
    `max ops per semop call = ${limits.semopm}`,
    `semaphore max value = ${limits.semvmx}`,
  ]);
}

/** a × b in 64 bits; on overflow `UINT64_MAX - UINT64_MAX % b` (util-linux issue #51). */
function clampedProduct(a: bigint, b: bigint): bigint {
  const product = a * b;
  return product > U64_MAX ? U64_MAX - (U64_MAX % b) : product;
}
