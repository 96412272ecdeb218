/**
 * What `ipcrm --json` prints: the objects the filters selected and what became of each, as typed
 * data (numbers as numbers, times in ISO 8601 UTC). Built by cleanup.ts, printed by run.ts.
 */
import type { JsonIpcObject, JsonObjectRef } from '@ipcutils/cli';

/** One object in the report, in the suite's JSON vocabulary (packages/cli/src/vocabulary.ts). */
export type ReportedObject = JsonIpcObject;

export type SkipReason =
  /** Removed by someone else since the selection. */
  | { reason: 'gone' }
  /** Another object now: other key or change time (System V), other file or mtime (POSIX). */
  | { reason: 'changed'; what: 'key' | 'ctime' | 'file' | 'mtime' }
  /** Still there but no longer passes a filter (e.g. attached meanwhile). */
  | { reason: 'no-longer-matching'; filter: string };

/** An object named on the command line that does not exist: all that is known is its name. */
export type TargetRef = JsonObjectRef;

export interface CleanupReport {
  dryRun: boolean;
  /** What the filters chose, before anything was removed. */
  selected: ReportedObject[];
  removed: ReportedObject[];
  /** Changed or gone between the selection and the removal: left alone. */
  skipped: (ReportedObject & SkipReason)[];
  /** The removal failed (or the named object does not exist); errno name and glibc's text. */
  failed: ((ReportedObject | TargetRef) & { error: { code: string; message: string } })[];
  /** Passed every other filter, but whether it is in use could not be told: kept. */
  undetermined: ReportedObject[];
  /** --explain: every candidate with its verdict. */
  judged?: ReportedObject[];
}

/** The report as JSON (two-space indentation, keys in snake_case as lsipc's JSON keys are lower case). */
export function formatReport(report: CleanupReport): string {
  const { dryRun, ...rest } = report;
  return `${JSON.stringify({ dry_run: dryRun, ...rest }, null, 2)}\n`;
}
