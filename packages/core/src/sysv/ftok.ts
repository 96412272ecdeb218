/** ftok(3): the System V key glibc derives from a file's inode and device and a project id. */
import { statSync } from 'node:fs';
import * as args from '../ffi/arguments.js';
import { assertCString, errorFrom } from '../ffi/call.js';
import * as libc from '../ffi/libc.js';

/**
 * The key for `path` and the low 8 bits of `projectId`, as a signed 32-bit key_t (the form
 * IpcPerm.key uses): (projectId & 0xff) << 24 | (st_dev & 0xff) << 16 | (st_ino & 0xffff).
 * Throws IpcError with `path` when the file cannot be stat'ed (ENOENT, EACCES, ENOTDIR), or
 * EINVAL for a path with an embedded NUL.
 */
export function ftok(path: string, projectId: number): number {
  args.text(path, 'path');
  // An int in C: ffi-rs would wrap 2**32 + 1 to 1 and make NaN 0, another key.
  args.int32(projectId, 'projectId');
  assertCString(path, 'ftok', { path });
  const raw = libc.ftok(path, projectId);
  // -1 is also a real key (project 0xff, device minor 0xff, inode low bits 0xffff), so only a
  // failing stat makes it an error.
  if (raw.value === -1 && !isStatable(path)) throw errorFrom(raw, 'ftok', { path });
  return raw.value;
}

function isStatable(path: string): boolean {
  try {
    statSync(path);
    return true;
  } catch {
    return false;
  }
}
