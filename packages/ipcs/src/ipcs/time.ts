/** -t: last operation and change times (util-linux do_msg/do_shm/do_sem, case TIME). */
import type { MsgQueue, SemSet, ShmSegment } from '@ipcutils/core';
import { type CellFormatter, header, joinLines, padRight } from './format.js';

export function formatMsgTimes(queues: readonly MsgQueue[], context: CellFormatter): string {
  const lines = [
    '------ Message Queues Send/Recv/Change Times --------',
    header([8, 'msqid'], [10, 'owner'], [20, 'send'], [20, 'recv'], [20, 'change']),
  ];
  for (const queue of queues) {
    lines.push(
      `${padRight(String(queue.id), 8)} ${context.owner(queue.uid)} ${context.shortTime(queue.stime)} ${context.shortTime(queue.rtime)} ${context.shortTime(queue.ctime)}`,
    );
  }
  return joinLines(lines);
}

export function formatShmTimes(segments: readonly ShmSegment[], context: CellFormatter): string {
  const lines = [
    '------ Shared Memory Attach/Detach/Change Times --------',
    header([10, 'shmid'], [10, 'owner'], [20, 'attached'], [20, 'detached'], [20, 'changed']),
  ];
  for (const segment of segments) {
    lines.push(
      `${padRight(String(segment.id), 10)} ${context.owner(segment.uid)} ${context.shortTime(segment.atime)} ${context.shortTime(segment.dtime)} ${context.shortTime(segment.ctime)}`,
    );
  }
  return joinLines(lines);
}

export function formatSemTimes(sets: readonly SemSet[], context: CellFormatter): string {
  const lines = [
    '------ Semaphore Operation/Change Times --------',
    // The header's "%-26.24s" cuts nothing: both titles are shorter than 24.
    header([8, 'semid'], [10, 'owner'], [26, 'last-op'], [26, 'last-changed']),
  ];
  for (const set of sets) {
    // Two spaces before last-op: util-linux's "  %-26.24s".
    lines.push(
      `${padRight(String(set.id), 8)} ${context.owner(set.uid)}  ${context.longTime(set.otime)} ${context.longTime(set.ctime)}`,
    );
  }
  return joinLines(lines);
}
