/** -u: what is in use now, from SHM_INFO / MSG_INFO / SEM_INFO (util-linux case STATUS). */
import type { MsgSummary, SemSummary, ShmSummary } from '@ipcutils/core';
import { formatSizeLine, formatSizeValue, joinLines } from './format.js';
import type { SizeUnit } from './options.js';

/** `summary` is undefined when the kernel call failed. */
export function formatMsgSummary(summary: MsgSummary | undefined, unit: SizeUnit): string {
  if (summary === undefined) return 'kernel not configured for message queues\n';
  const used =
    unit === 'default'
      ? `used space = ${formatSizeValue('default', summary.bytes)} bytes`
      : formatSizeLine(unit, 'used space', summary.bytes);
  return joinLines([
    '------ Messages Status --------',
    `allocated queues = ${summary.queues}`,
    `used headers = ${summary.headers}`,
    used,
  ]);
}

/** The odd spacing is util-linux's, kept for scripts that parse it (its TRANSLATORS note says so). */
export function formatShmSummary(summary: ShmSummary | undefined): string {
  if (summary === undefined) return 'kernel not configured for shared memory\n';
  return joinLines([
    '------ Shared Memory Status --------',
    `segments allocated ${summary.usedIds}`,
    `pages allocated ${summary.totalPages}`,
    `pages resident  ${summary.rssPages}`,
    `pages swapped   ${summary.swapPages}`,
    `Swap performance: ${summary.swapAttempts} attempts\t ${summary.swapSuccesses} successes`,
  ]);
}

export function formatSemSummary(summary: SemSummary | undefined): string {
  if (summary === undefined) return 'kernel not configured for semaphores\n';
  return joinLines([
    '------ Semaphore Status --------',
    `used arrays = ${summary.arrays}`,
    `allocated semaphores = ${summary.semaphores}`,
  ]);
}
