import type { FdAccess, Holder } from '@ipcutils/core';
import { escapeControlCharacters } from './escape.js';

const ACCESS_LETTERS: Readonly<Record<FdAccess, string>> = { read: 'r', write: 'w', readwrite: 'rw' };

/** "4242 sleep (r), 4243 cat (w, opening)"; "none" or "unknown" when there is no known holder. */
export function describeHolders(holders: readonly Holder[], complete: boolean): string {
  const known = holders.map(
    (holder) =>
      `${holder.pid} ${holder.command} (${ACCESS_LETTERS[holder.access]}${holder.opening ? ', opening' : ''})`,
  );
  // Processes we may not inspect could hold it too: never claim "none" then.
  if (!complete) known.push('unknown');
  return known.length === 0 ? 'none' : known.join(', ');
}

/**
 * "4242 (sleep), 4243 (cat)" for messages. A command name is whatever the process's owner made it
 * (prctl, the program's file name): its control characters are escaped, never sent to a terminal.
 */
export function listHolderProcesses(holders: readonly Holder[]): string {
  return holders.map((holder) => `${holder.pid} (${escapeControlCharacters(holder.command)})`).join(', ');
}
