import { readFileSync } from 'node:fs';
import { PATH_PROC } from '../paths.js';

// util-linux reads at most BUFSIZ bytes and overwrites the last one with the terminating NUL.
const CMDLINE_MAX = 8192;

/**
 * A process's command line as util-linux's lsipc shows it (COMMAND): its arguments joined by
 * blanks, cut at BUFSIZ - 1 bytes; null for a process that is gone or has none (a kernel thread).
 */
export function readCommandLine(pid: number): string | null {
  let data: Buffer;
  try {
    data = readFileSync(`${PATH_PROC}/${pid}/cmdline`);
  } catch {
    return null;
  }
  if (data.length === 0) return null;
  const kept = data.subarray(0, Math.min(data.length, CMDLINE_MAX) - 1);
  return kept.toString('utf8').replaceAll('\0', ' ');
}
