import { readFileSync } from 'node:fs';
import { PATH_PROC_SELF_STATUS } from '@ipcutils/core';

/**
 * The process umask without changing it: the `Umask:` line of /proc/self/status (Linux 4.7+).
 * process.umask() with no argument is deprecated, and umask(0)-then-restore would race with
 * anything creating files meanwhile.
 */
export function readUmask(statusPath = PATH_PROC_SELF_STATUS): number {
  const status = readFileSync(statusPath, 'latin1');
  const match = /^Umask:\s*([0-7]+)$/m.exec(status);
  if (match === null) throw new Error(`no Umask line in ${statusPath}`);
  return Number.parseInt(match[1]!, 8);
}
