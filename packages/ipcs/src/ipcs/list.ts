/**
 * The default view (no output option): util-linux's do_msg/do_shm/do_sem default branches.
 * A namespace can hold tens of thousands of objects, so rows are written field by field into one
 * TextOutput (numbers as digits, no string per cell) rather than formatted into strings and joined.
 */

import { HEX32, STRING, TextOutput } from '@ipcutils/cli/smartcols';
import type { MsgQueue, SemSet, ShmSegment } from '@ipcutils/core';
import {
  type CellFormatter,
  formatOctalPerms,
  formatSizeValue,
  header,
  padLeft,
  padRight,
} from './format.js';

// SHM_DEST and SHM_LOCKED are defined in kernel headers, but only inside #ifdef __KERNEL__.
const SHM_DEST = 0o1000;
const SHM_LOCKED = 0o2000;

/** Enough for a line of any list (cells overflow their columns only for huge numbers). */
const ROW_BYTES = 96;

export function formatMsgList(queues: readonly MsgQueue[], context: CellFormatter): string {
  const human = context.unit === 'human';
  const out = new TextOutput(256 + queues.length * ROW_BYTES);
  out.write('------ Message Queues --------\n');
  out.write(
    header(
      [10, 'key'],
      [10, 'msqid'],
      [10, 'owner'],
      [10, 'perms'],
      [12, human ? 'size' : 'used-bytes'],
      [12, 'messages'],
    ),
  );
  out.write('\n');
  const formats = [HEX32, 10, STRING, STRING, human ? STRING : 12, 12];
  for (const queue of queues) {
    // Human sizes are right-aligned in 6 and padded to the byte column's 12.
    const size = human ? `${padLeft(formatSizeValue('human', queue.cbytes), 6)}      ` : queue.cbytes;
    out.line(formats, [
      queue.key,
      queue.id,
      context.owner(queue.uid),
      permsCell(queue.mode),
      size,
      queue.qnum,
    ]);
  }
  return out.toString();
}

export function formatShmList(segments: readonly ShmSegment[], context: CellFormatter): string {
  const human = context.unit === 'human';
  const out = new TextOutput(256 + segments.length * ROW_BYTES);
  out.write('------ Shared Memory Segments --------\n');
  out.write(
    header(
      [10, 'key'],
      [10, 'shmid'],
      [10, 'owner'],
      [10, 'perms'],
      [10, human ? 'size' : 'bytes'],
      [10, 'nattch'],
      [12, 'status'],
    ),
  );
  out.write('\n');
  const formats = [HEX32, 10, STRING, STRING, human ? STRING : 10, 10, STRING];
  for (const segment of segments) {
    const size = human ? `${padLeft(formatSizeValue('human', segment.size), 6)}    ` : segment.size;
    const status = STATUS[(segment.mode & (SHM_DEST | SHM_LOCKED)) >> 9]!;
    out.line(formats, [
      segment.key,
      segment.id,
      context.owner(segment.uid),
      permsCell(segment.mode),
      size,
      segment.nattch,
      status,
    ]);
  }
  return out.toString();
}

export function formatSemList(sets: readonly SemSet[], context: CellFormatter): string {
  const out = new TextOutput(256 + sets.length * ROW_BYTES);
  out.write('------ Semaphore Arrays --------\n');
  out.write(header([10, 'key'], [10, 'semid'], [10, 'owner'], [10, 'perms'], [10, 'nsems']));
  out.write('\n');
  const formats = [HEX32, 10, STRING, STRING, 10];
  for (const set of sets) {
    out.line(formats, [set.key, set.id, context.owner(set.uid), permsCell(set.mode), set.nsems]);
  }
  return out.toString();
}

/** `%-6s %-6s` of "dest" and "locked", indexed by (mode & (SHM_DEST | SHM_LOCKED)) >> 9. */
const STATUS = [0, 1, 2, 3].map(
  (bits) => `${bits & 1 ? 'dest  ' : '      '} ${bits & 2 ? 'locked' : '      '}`,
);

/** `%-10o` of the permission bits: few modes, so each is made once. */
const PERMS_CELLS: string[] = [];

function permsCell(mode: number): string {
  const bits = mode & 0o777;
  let cell = PERMS_CELLS[bits];
  if (cell === undefined) {
    cell = padRight(formatOctalPerms(bits), 10);
    PERMS_CELLS[bits] = cell;
  }
  return cell;
}
