/**
 * Works around a Node 20 bug that makes the core fail to load ffi-rs when standard output is a
 * pipe or a socket (`ipcmk -Q | cat`, or any Node parent's spawn). Node's CommonJS resolver
 * realpaths through fs.realpathSync with a cache, and for a cached path component it checks the
 * *shared* stat buffer of the last stat call for FIFO/socket, stopping early; the core's
 * processIo() fstat's fd 1 last, so `ffi-rs/package.json` resolves to its pnpm symlink and the
 * native binding beside the real file is not found. Any stat of a regular path resets that buffer.
 * The proper fix belongs in packages/core/src/ffi/native.ts (realpathSync the resolved path).
 */
import { statSync } from 'node:fs';

export function resetSharedStatBuffer(): void {
  statSync('/');
}
