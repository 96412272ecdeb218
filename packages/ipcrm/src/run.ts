/**
 * Executes a parsed Command: the actions in command-line order, then `--all`, printing what
 * messages.ts makes of each outcome. A failed removal is counted and the run goes on; only an
 * errno util-linux does not expect ends it (as its err() does). Exit status: 0, or 1 if anything failed.
 */
import type { Io } from '@ipcutils/core/cli';
import { runCleanup } from './cleanup.js';
import type { Action, Command, RemovalTarget } from './command.js';
import { formatAnnouncement, formatListingProblem, formatOutcome, isFatal } from './messages.js';
import { type RemoveHooks, removeObject } from './remove.js';
import { listRemovable } from './select.js';

type Output = Pick<Io, 'out' | 'err' | 'programName'>;

/** Whether the run goes on after an action, and whether anything in it failed. */
interface Progress {
  failed: boolean;
  stopped: boolean;
}

export function runCommand(command: Command, io: Output): number {
  if (command.cleanup) return runCleanup(command.actions, command.cleanup, io);
  const progress: Progress = { failed: false, stopped: false };
  for (const action of command.actions) {
    runAction(action, io, progress);
    if (progress.stopped) return 1;
  }
  if (progress.failed) return 1;
  if (command.legacy) io.out('resource(s) deleted\n');
  return 0;
}

function runAction(action: Action, io: Output, progress: Progress): void {
  const hooks: RemoveHooks = action.verbose
    ? { beforeRemove: (target, id) => io.out(formatAnnouncement(target, id)) }
    : {};
  if (action.kind === 'remove') {
    removeAndReport(action.target, hooks, io, progress);
    return;
  }
  for (const category of action.categories) {
    const listing = listRemovable(category);
    if (listing.problem) {
      io.err(`${io.programName}: ${formatListingProblem(listing.problem)}\n`);
      // util-linux exits when the kernel lacks System V IPC; an unlistable directory is only a warning.
      if (listing.problem.kind === 'not-configured') {
        progress.stopped = true;
        return;
      }
    }
    for (const target of listing.targets) {
      removeAndReport(target, hooks, io, progress);
      if (progress.stopped) return;
    }
  }
}

function removeAndReport(target: RemovalTarget, hooks: RemoveHooks, io: Output, progress: Progress): void {
  const outcome = removeObject(target, hooks);
  const message = formatOutcome(outcome);
  if (message === undefined) return;
  io.err(`${io.programName}: ${message}\n`);
  progress.failed = true;
  if (isFatal(outcome)) progress.stopped = true;
}
