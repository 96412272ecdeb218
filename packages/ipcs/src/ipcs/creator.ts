/** -c: creator and owner ids, names unabridged (util-linux ipc_print_perms()). */
import type { IpcPerm } from '@ipcutils/core';
import { type CellFormatter, formatOctalPerms, header, joinLines, padRight } from './format.js';
import type { Resource } from './options.js';

const TITLES: Readonly<Record<Resource, readonly [string, string]>> = {
  msg: ['------ Message Queues Creators/Owners --------', 'msqid'],
  shm: ['------ Shared Memory Segment Creators/Owners --------', 'shmid'],
  sem: ['------ Semaphore Arrays Creators/Owners --------', 'semid'],
};

export function formatCreators(
  resource: Resource,
  objects: readonly IpcPerm[],
  context: CellFormatter,
): string {
  const [title, idTitle] = TITLES[resource];
  const lines = [
    title,
    header([10, idTitle], [10, 'perms'], [10, 'cuid'], [10, 'cgid'], [10, 'uid'], [10, 'gid']),
  ];
  for (const object of objects) {
    lines.push(
      `${padRight(String(object.id), 10)} ${padRight(formatOctalPerms(object.mode), 10)} ${context.user(object.cuid)} ${context.group(object.cgid)} ${context.user(object.uid)} ${context.group(object.gid)}`,
    );
  }
  return joinLines(lines);
}
