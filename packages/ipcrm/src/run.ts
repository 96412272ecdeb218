/**
 * Executes a parsed Command: the actions in command-line order, then `--all`, printing what
 * messages.ts makes of each outcome. A failed removal is counted and the run goes on; only an
 * errno util-linux does not expect ends it (as its err() does). Exit status: 0, or 1 if anything failed.
 */

import { type Result, Transcript } from '@ipcutils/cli';
import { SysvBulkRemover } from '@ipcutils/core';
import { runCleanup } from './cleanup.js';
import type { Action, Category, Command, RemovalTarget, SysvType } from './command.js';
import { formatAnnouncement, formatListingProblem, formatOutcome, isFatal } from './messages.js';
import { type RemoveHooks, removeObject } from './remove.js';
import { type Listing, listRemovable } from './select.js';

/** Where the actions' messages go, in order, for runCommand to return. */
interface Output {
  readonly programName: string;
  readonly transcript: Transcript;
}

/** Whether the run goes on after an action, and whether anything in it failed. */
interface Progress {
  failed: boolean;
  stopped: boolean;
}

/** What the command printed, in order, and its exit status. */
export function runCommand(command: Command, programName: string): Result {
  if (command.cleanup) return runCleanup(command.actions, command.cleanup, programName);
  const io: Output = { programName, transcript: new Transcript() };
  const progress: Progress = { failed: false, stopped: false };
  for (const action of command.actions) {
    runAction(action, io, progress);
    if (progress.stopped) return io.transcript.result(1);
  }
  if (progress.failed) return io.transcript.result(1);
  if (command.legacy) io.transcript.out('resource(s) deleted\n');
  return io.transcript.result(0);
}

function runAction(action: Action, io: Output, progress: Progress): void {
  const hooks: RemoveHooks = action.verbose
    ? { beforeRemove: (target, id) => io.transcript.out(formatAnnouncement(target, id)) }
    : {};
  if (action.kind === 'remove') {
    removeAndReport(action.target, hooks, io, progress);
    return;
  }
  removeAll(action.categories, hooks, io, progress);
}

/**
 * `--all`: lists every category, handing each System V listing to the bulk remover as soon as it
 * is made (SysvBulkRemover: a worker thread starts removing while the next category is listed,
 * when there are thousands), then reports in util-linux's order, category by category: the
 * listing's warning, then each object's announcement (-v) and failure, POSIX objects being removed
 * as they come. A failed bulk removal is repeated with errno for its message.
 */
function removeAll(
  categories: readonly Category[],
  hooks: RemoveHooks,
  io: Output,
  progress: Progress,
): void {
  const listings = new Map<Category, Listing>();
  // POSIX first: listing semaphores calls sem_open, which the remover's worker must not see
  // ffi-rs look up while it runs (SysvBulkRemover).
  for (const category of categories) {
    if (!isSysvCategory(category)) listings.set(category, listRemovable(category));
  }
  const sysvTypes = categories.filter(isSysvCategory);
  const remover = sysvTypes.length > 0 ? new SysvBulkRemover({ types: sysvTypes }) : undefined;
  for (const category of sysvTypes) {
    const listing = listRemovable(category);
    listings.set(category, listing);
    // util-linux exits when the kernel lacks System V IPC: nothing after it is removed.
    if (listing.problem?.kind === 'not-configured') break;
    remover?.add(listing.targets.filter(isBulkTarget));
  }
  const removed = remover?.finish().removed ?? [];
  let next = 0;
  for (const category of categories) {
    const listing = listings.get(category);
    // Not listed: after a category the kernel does not configure.
    if (listing === undefined) return;
    if (listing.problem) {
      io.transcript.err(`${io.programName}: ${formatListingProblem(listing.problem)}\n`);
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
  io.transcript.err(`${io.programName}: ${message}\n`);
  progress.failed = true;
  if (isFatal(outcome)) progress.stopped = true;
}
