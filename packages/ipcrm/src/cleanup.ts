/**
 * ipcrm with filters, --dry-run or --json: the core selects the objects once (one /proc scan),
 * then each is checked again right before the removal engine removes it (same id, key and change
 * time, still matching), and every step ends up in a CleanupRun (--json prints it as a CleanupReport). A failed removal is counted
 * and the run goes on; an object that changed since the selection is skipped, not a failure.
 */

import {
  describeDoubt,
  describeEvidence,
  describeVerdict,
  posixName,
  type Result,
  Transcript,
} from '@ipcutils/cli';
import {
  type ListingProblem as CoreListingProblem,
  type HolderScan,
  IPC_KINDS,
  type IpcFilter,
  type IpcKind,
  type IpcObject,
  isSysvObject,
  listIpcObjects,
  PATH_DEV_MQUEUE,
  PATH_DEV_SHM,
  recheckObject,
  type SelectedObject,
  scanHolders,
  selectObjects,
} from '@ipcutils/core';
import type { Action, CleanupSettings, RemovalTarget } from './command.js';
import {
  formatAnnouncement,
  formatCleanupOutcome,
  formatListingProblem,
  formatOutcome,
  formatPlanned,
  formatSkipped,
} from './messages.js';
import { type Outcome, removeObject } from './remove.js';
import { type CleanupRun, formatReport, type SkipReason, type TargetRef } from './report.js';
import type { ListingProblem } from './select.js';

export interface CleanupHooks {
  /** Runs between the selection and the removals (tests replace an object there). */
  afterSelection?(selected: readonly SelectedObject[]): void;
}

/**
 * What was printed, in order; status 1 when a removal failed (or a named object does not exist);
 * else 2 when some object could not be judged (so it was kept); else 0.
 */
export function runCleanup(
  actions: readonly Action[],
  settings: CleanupSettings,
  program: string,
  hooks: CleanupHooks = {},
): Result {
  const output = new Transcript();
  const report: CleanupRun = {
    dryRun: settings.dryRun,
    selected: [],
    removed: [],
    skipped: [],
    failed: [],
    undetermined: [],
  };
  const say = settings.json ? () => {} : (text: string) => output.out(text);
  const warn = settings.json ? () => {} : (text: string) => output.err(`${program}: ${text}\n`);
  const { verbose } = settings;

  const { kinds, targets } = candidatesOf(actions);
  const listing = listIpcObjects(new Set([...kinds, ...targets.map((target) => target.type)]));
  for (const problem of listing.problems)
    output.err(`${program}: ${formatListingProblem(toIpcrmProblem(problem))}\n`);
  const candidates = listing.objects.filter(
    (object) => kinds.has(object.kind) || targets.some((target) => isTarget(object, target)),
  );
  for (const target of targets) {
    if (candidates.some((object) => isTarget(object, target))) continue;
    const outcome: Outcome = { target, status: 'not-found' };
    warn(formatOutcome(outcome) ?? '');
    report.failed.push({
      target: targetRef(target),
      error: { code: 'ENOENT', message: 'No such file or directory' },
    });
  }

  const selection = selectObjects(candidates, settings.filter);
  for (const { object, ...evidence } of selection.selected) report.selected.push({ object, seen: evidence });
  for (const { object, judgement } of selection.undetermined) {
    report.undetermined.push({ object, seen: { judgement } });
    warn(
      `not removing ${describeObject(object)}: cannot tell whether it is in use: ${describeDoubt(judgement)}`,
    );
  }
  if (settings.explain) {
    report.judged = selection.judged.map(({ object, judgement }) => ({ object, seen: { judgement } }));
    for (const { object, judgement } of selection.judged)
      say(
        `${describeObject(object)}: ${describeVerdict(judgement)} (${describeEvidence(judgement.evidence)})\n`,
      );
  }
  hooks.afterSelection?.(selection.selected);

  if (settings.dryRun) {
    for (const { object } of selection.selected) say(formatPlanned(targetOf(object), idOf(object)));
  } else {
    const holders = freshHolderScan(selection.selected, settings.filter);
    for (const { object } of selection.selected) {
      removeChecked(object, { settings, holders, report, say, warn, verbose });
    }
  }
  if (settings.json) output.out(formatReport(report));
  if (report.failed.length > 0) return output.result(1);
  return output.result(report.undetermined.length > 0 ? 2 : 0);
}

interface RemovalContext {
  settings: CleanupSettings;
  holders: HolderScan | undefined;
  report: CleanupRun;
  say(text: string): void;
  warn(text: string): void;
  verbose: boolean;
}

/** The re-check, then the removal engine. */
function removeChecked(object: IpcObject, context: RemovalContext): void {
  const { report } = context;
  const check = recheckObject(
    object,
    context.settings.filter,
    context.holders ? { holders: context.holders } : {},
  );
  const reported = { object };
  const target = targetOf(object);
  if (check.status === 'unknown') {
    const outcome: Outcome = {
      target,
      status: 'permission-denied',
      error: { code: check.error.code, reason: check.error.reason },
    };
    if (isSysvObject(object)) outcome.id = object.record.id;
    context.warn(formatCleanupOutcome(outcome) ?? '');
    report.failed.push({ ...reported, error: { code: check.error.code, message: check.error.reason } });
    return;
  }
  if (check.status !== 'unchanged') {
    const skip: SkipReason =
      check.status === 'gone'
        ? { reason: 'gone' }
        : check.status === 'changed'
          ? { reason: 'changed', what: check.what }
          : { reason: 'no-longer-matching', filter: check.filter };
    context.warn(formatSkipped(target, idOf(object), skip));
    report.skipped.push({ ...reported, skip });
    return;
  }
  const outcome = removeObject(
    target,
    context.verbose ? { beforeRemove: (removing, id) => context.say(formatAnnouncement(removing, id)) } : {},
  );
  if (outcome.status === 'removed') {
    report.removed.push(reported);
    return;
  }
  context.warn(formatCleanupOutcome(outcome) ?? '');
  report.failed.push({
    ...reported,
    error: { code: outcome.error?.code ?? outcome.status, message: outcome.error?.reason ?? outcome.status },
  });
}

/** A POSIX object's holders are looked at again once, after the selection, for all the re-checks. */
function freshHolderScan(selected: readonly SelectedObject[], filter: IpcFilter): HolderScan | undefined {
  if (!filter.orphaned && !filter.unattached) return undefined;
  const files = selected.flatMap(({ object }) => ('file' in object ? [object.file] : []));
  return files.length === 0 ? undefined : scanHolders({ sysv: false, files });
}

/** --all categories (every kind without any option) and the objects named on the command line. */
function candidatesOf(actions: readonly Action[]): { kinds: Set<IpcKind>; targets: RemovalTarget[] } {
  const kinds = new Set<IpcKind>();
  const targets: RemovalTarget[] = [];
  for (const action of actions) {
    if (action.kind === 'remove-all') for (const category of action.categories) kinds.add(category);
    else targets.push(action.target);
  }
  if (actions.length === 0) for (const kind of IPC_KINDS) kinds.add(kind);
  return { kinds, targets };
}

function isTarget(object: IpcObject, target: RemovalTarget): boolean {
  if (object.kind !== target.type) return false;
  switch (target.by) {
    case 'id':
      return isSysvObject(object) && object.record.id === target.id;
    case 'key':
      return isSysvObject(object) && object.record.key === target.key;
    case 'name':
      // shm_unlink and sem_unlink take the name with or without its "/"; lsipc lists it without.
      return (
        !isSysvObject(object) &&
        object.record.name === (target.type === 'pmsg' ? target.name : target.name.replace(/^\/+/, ''))
      );
  }
}

/** How the removal engine names an object: System V by id, POSIX by the name lsipc shows. */
function targetOf(object: IpcObject): RemovalTarget {
  return isSysvObject(object)
    ? { type: object.kind, by: 'id', id: object.record.id }
    : { type: object.kind, by: 'name', name: object.record.name };
}

/** "shared memory segment id `1'", "POSIX message queue `/jobs'": as the -v and skip lines name it. */
function describeObject(object: IpcObject): string {
  return formatPlanned(targetOf(object), idOf(object))
    .replace(/^would remove /, '')
    .replace(/\n$/, '');
}

function idOf(object: IpcObject): number | undefined {
  return isSysvObject(object) ? object.record.id : undefined;
}

function targetRef(target: RemovalTarget): TargetRef {
  switch (target.by) {
    case 'id':
      return { type: target.type, id: target.id };
    case 'key':
      return { type: target.type, key: target.key >>> 0 };
    case 'name':
      return { type: target.type, name: posixName(target.name) };
  }
}

function toIpcrmProblem(problem: CoreListingProblem): ListingProblem {
  switch (problem.problem) {
    case 'not-mounted':
      return { kind: 'mqueue-not-mounted', path: PATH_DEV_MQUEUE };
    case 'cannot-open':
      return { kind: 'cannot-open', path: problem.kind === 'pmsg' ? PATH_DEV_MQUEUE : PATH_DEV_SHM };
    case 'unavailable':
      return { kind: 'not-configured', type: problem.kind as 'shm' | 'msg' | 'sem' };
  }
}
