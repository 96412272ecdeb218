/** Named pipes (fifo(7)), created through libc's mkfifo(3). */
import * as args from './ffi/arguments.js';
import { assertCString, check } from './ffi/call.js';
import * as libc from './ffi/libc.js';

/**
 * Creates a FIFO at `path` with `mode` (default 0o666) minus the process umask, as mkfifo(3) does;
 * coreutils' `mkfifo -m` chmods afterwards to get the exact mode. Throws IpcError with `path`
 * (EEXIST, ENOENT, ENOTDIR, ENAMETOOLONG, EACCES, ...).
 */
export function makeFifo(path: string, mode = 0o666): void {
  args.text(path, 'path');
  // A mode_t: ffi-rs would make NaN 0 and wrap larger numbers into other bits.
  args.mode(mode, 'mode', 0o7777);
  assertCString(path, 'mkfifo', { path });
  check(libc.mkfifo(path, mode), 'mkfifo', { path });
}
