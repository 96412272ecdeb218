/**
 * What `ipcrm --json` prints: the objects the filters selected and what became of each, as typed
 * data (numbers as numbers, times in ISO 8601 UTC). Built by cleanup.ts, printed by run.ts.
 */
import { type JsonIpcObject, type JsonObjectRef, jsonObject } from '@ipcutils/cli';
import type { IpcObject, SelectedObject } from '@ipcutils/core';

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

/** An object as the run met it, with what the selection saw of it. */
export interface RunEntry {
  object: IpcObject;
  seen?: Omit<SelectedObject, 'object'>;
}

/**
 * What a run did, kept as the core's objects: only --json turns them into the vocabulary's JSON
 * (names looked up, times formatted), which at 30,000 objects costs more than the rest of a dry run.
 */
export interface CleanupRun {
  dryRun: boolean;
  selected: RunEntry[];
  removed: RunEntry[];
  skipped: (RunEntry & { skip: SkipReason })[];
  failed: ((RunEntry | { target: TargetRef }) & { error: { code: string; message: string } })[];
  undetermined: RunEntry[];
  judged?: RunEntry[];
}

/** The run as a CleanupReport in JSON (two-space indentation, snake_case keys as docs/json.md says). */
export function formatReport(run: CleanupRun): string {
  const json = ({ object, seen }: RunEntry): ReportedObject => jsonObject(object, seen);
  const report: CleanupReport = {
    dryRun: run.dryRun,
    selected: run.selected.map(json),
    removed: run.removed.map(json),
    skipped: run.skipped.map((entry) => ({ ...json(entry), ...entry.skip })),
    failed: run.failed.map((entry) => ({
      ...('target' in entry ? entry.target : json(entry)),
      error: entry.error,
    })),
    undetermined: run.undetermined.map(json),
  };
  if (run.judged !== undefined) report.judged = run.judged.map(json);
  const { dryRun, ...rest } = report;
  return `${JSON.stringify({ dry_run: dryRun, ...rest }, null, 2)}\n`;
}
