/**
 * Executes a parsed Command: the actions in command-line order, then `--all`, printing what
 * messages.ts makes of each outcome. A failed removal is counted and the run goes on; only an
 * errno util-linux does not expect ends it (as its err() does). Exit status: 0, or 1 if anything failed.
 */
import { SysvBulkRemover } from '@ipcutils/core';
import type { Io } from '@ipcutils/core/cli';
import { runCleanup } from './cleanup.js';
import type { Action, Category, Command, RemovalTarget, SysvType } from './command.js';
import { formatAnnouncement, formatListingProblem, formatOutcome, isFatal } from './messages.js';
import { type RemoveHooks, removeObject } from './remove.js';
import { type Listing, listRemovable } from './select.js';

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
  removeAll(action.categories, hooks, io, progress);
}

/**
 * `--all`: lists every category first, removes the System V objects in one bulk call (with a
 * worker thread when there are thousands: SysvBulkRemover), then reports in util-linux's order,
 * category by category: the listing's warning, then each object's announcement (-v) and failure,
 * POSIX objects being removed as they come. A failed bulk removal is repeated with errno for its message.
 */
function removeAll(
  categories: readonly Category[],
  hooks: RemoveHooks,
  io: Output,
  progress: Progress,
): void {
  const sysvTypes = categories.filter(isSysvCategory);
  const remover = sysvTypes.length > 0 ? new SysvBulkRemover({ types: sysvTypes }) : undefined;
  const listings: Listing[] = [];
  for (const category of categories) {
    const listing = listRemovable(category);
    listings.push(listing);
    // util-linux exits when the kernel lacks System V IPC: nothing after it is listed or removed.
    if (listing.problem?.kind === 'not-configured') break;
  }
  const bulkTargets = listings.flatMap((listing) => listing.targets.filter(isBulkTarget));
  const removed = remover?.remove(bulkTargets).removed ?? [];
  let next = 0;
  for (const listing of listings) {
    if (listing.problem) {
      io.err(`${io.programName}: ${formatListingProblem(listing.problem)}\n`);
      // An unlistable directory is only a warning.
      if (listing.problem.kind === 'not-configured') {
        progress.stopped = true;
        return;
      }
    }
    for (const target of listing.targets) {
      if (isBulkTarget(target) && removed[next++]) {
        hooks.beforeRemove?.(target, target.id);
        continue;
      }
      removeAndReport(target, hooks, io, progress);
      if (progress.stopped) return;
    }
  }
}

function isSysvCategory(category: Category): category is SysvType {
  return category === 'shm' || category === 'msg' || category === 'sem';
}

function isBulkTarget(target: RemovalTarget): target is Extract<RemovalTarget, { by: 'id' }> {
  return target.by === 'id';
}

function removeAndReport(target: RemovalTarget, hooks: RemoveHooks, io: Output, progress: Progress): void {
  const outcome = removeObject(target, hooks);
  const message = formatOutcome(outcome);
  if (message === undefined) return;
  io.err(`${io.programName}: ${message}\n`);
  progress.failed = true;
  if (isFatal(outcome)) progress.stopped = true;
}
