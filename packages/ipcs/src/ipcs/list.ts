/** The default view (no output option): util-linux's do_msg/do_shm/do_sem default branches. */
import type { MsgQueue, SemSet, ShmSegment } from '@ipcutils/core';
import {
  formatKey,
  formatPerms,
  formatSizeValue,
  header,
  joinLines,
  padLeft,
  padRight,
  type RowContext,
} from './format.js';

// SHM_DEST and SHM_LOCKED are defined in kernel headers, but only inside #ifdef __KERNEL__.
const SHM_DEST = 0o1000;
const SHM_LOCKED = 0o2000;

export function formatMsgList(queues: readonly MsgQueue[], context: RowContext): string {
  const human = context.unit === 'human';
  const lines = [
    '------ Message Queues --------',
    header(
      [10, 'key'],
      [10, 'msqid'],
      [10, 'owner'],
      [10, 'perms'],
      [12, human ? 'size' : 'used-bytes'],
      [12, 'messages'],
    ),
  ];
  for (const queue of queues) {
    // Human sizes are right-aligned in 6 and padded to the byte column's 12.
    const size = human
      ? `${padLeft(formatSizeValue('human', queue.cbytes), 6)}      `
      : padRight(String(queue.cbytes), 12);
    lines.push(
      `${formatKey(queue.key)} ${padRight(String(queue.id), 10)} ${context.owner(queue.uid)} ${padRight(formatPerms(queue.mode), 10)} ${size} ${padRight(String(queue.qnum), 12)}`,
    );
  }
  return joinLines(lines);
}

export function formatShmList(segments: readonly ShmSegment[], context: RowContext): string {
  const human = context.unit === 'human';
  const lines = [
    '------ Shared Memory Segments --------',
    header(
      [10, 'key'],
      [10, 'shmid'],
      [10, 'owner'],
      [10, 'perms'],
      [10, human ? 'size' : 'bytes'],
      [10, 'nattch'],
      [12, 'status'],
    ),
  ];
  for (const segment of segments) {
    const size = human
      ? `${padLeft(formatSizeValue('human', segment.size), 6)}    `
      : padRight(String(segment.size), 10);
    const dest = segment.mode & SHM_DEST ? 'dest  ' : '      ';
    const locked = segment.mode & SHM_LOCKED ? 'locked' : '      ';
    lines.push(
      `${formatKey(segment.key)} ${padRight(String(segment.id), 10)} ${context.owner(segment.uid)} ${padRight(formatPerms(segment.mode), 10)} ${size} ${padRight(String(segment.nattch), 10)} ${dest} ${locked}`,
    );
  }
  return joinLines(lines);
}

export function formatSemList(sets: readonly SemSet[], context: RowContext): string {
  const lines = [
    '------ Semaphore Arrays --------',
    header([10, 'key'], [10, 'semid'], [10, 'owner'], [10, 'perms'], [10, 'nsems']),
  ];
  for (const set of sets) {
    lines.push(
      `${formatKey(set.key)} ${padRight(String(set.id), 10)} ${context.owner(set.uid)} ${padRight(formatPerms(set.mode), 10)} ${padRight(String(set.nsems), 10)}`,
    );
  }
  return joinLines(lines);
}
