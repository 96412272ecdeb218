/** Named pipes (fifo(7)), created through libc's mkfifo(3). */
import { assertCString, check } from './ffi/call.js';
import * as libc from './ffi/libc.js';

/**
 * Creates a FIFO at `path` with `mode` (default 0o666) minus the process umask, as mkfifo(3) does;
 * coreutils' `mkfifo -m` chmods afterwards to get the exact mode. Throws IpcError with `path`
 * (EEXIST, ENOENT, ENOTDIR, ENAMETOOLONG, EACCES, ...).
 */
export function makeFifo(path: string, mode = 0o666): void {
  assertCString(path, 'mkfifo', { path });
  check(libc.mkfifo(path, mode), 'mkfifo', { path });
}
