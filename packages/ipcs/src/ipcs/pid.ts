/** -p: creator and last-operation pids (util-linux do_msg/do_shm, case PID; semaphores print nothing). */
import type { MsgQueue, ShmSegment } from '@ipcutils/core';
import { type CellFormatter, header, joinLines, padLeft, padRight } from './format.js';

export function formatMsgPids(queues: readonly MsgQueue[], context: CellFormatter): string {
  const lines = [
    '------ Message Queues PIDs --------',
    header([10, 'msqid'], [10, 'owner'], [10, 'lspid'], [10, 'lrpid']),
  ];
  for (const queue of queues) {
    // "%-8d %-10.10s  %5d     %5d": narrower than its own header, as util-linux has always printed it.
    lines.push(
      `${padRight(String(queue.id), 8)} ${context.owner(queue.uid)}  ${padLeft(String(queue.lspid), 5)}     ${padLeft(String(queue.lrpid), 5)}`,
    );
  }
  return joinLines(lines);
}

export function formatShmPids(segments: readonly ShmSegment[], context: CellFormatter): string {
  const lines = [
    '------ Shared Memory Creator/Last-op PIDs --------',
    header([10, 'shmid'], [10, 'owner'], [10, 'cpid'], [10, 'lpid']),
  ];
  for (const segment of segments) {
    lines.push(
      `${padRight(String(segment.id), 10)} ${context.owner(segment.uid)} ${padRight(String(segment.cpid), 10)} ${padRight(String(segment.lpid), 10)}`,
    );
  }
  return joinLines(lines);
}

/** util-linux prints neither a title nor rows for `ipcs -s -p`. */
export function formatSemPids(): string {
  return '';
}
