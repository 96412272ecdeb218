/** Named pipes (fifo(7)), created through libc's mkfifo(3). */
import { constants } from 'node:os';
import { IpcError } from './errors.js';
import { check } from './ffi/call.js';
import * as libc from './ffi/libc.js';

/**
 * Creates a FIFO at `path` with `mode` (default 0o666) minus the process umask, as mkfifo(3) does;
 * coreutils' `mkfifo -m` chmods afterwards to get the exact mode. Throws IpcError with `path`
 * (EEXIST, ENOENT, ENOTDIR, ENAMETOOLONG, EACCES, ...).
 */
export function makeFifo(path: string, mode = 0o666): void {
  // ffi-rs hands strings to C as NUL-terminated: an embedded NUL would create a different file.
  if (path.includes('\0')) {
    throw new IpcError({
      errno: constants.errno.EINVAL,
      syscall: 'mkfifo',
      object: { path },
      message: 'Invalid argument: NUL in path',
    });
  }
  check(libc.mkfifo(path, mode), 'mkfifo', { path });
}
