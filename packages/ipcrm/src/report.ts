/**
 * What `ipcrm --json` prints: the objects the filters selected and what became of each, as typed
 * data (numbers as numbers, times in ISO 8601 UTC). Built by cleanup.ts, printed by run.ts.
 */
import {
  changeTimeOf,
  creatorOf,
  type HolderAnswer,
  type IpcKind,
  type IpcObject,
  isSysvObject,
  type PidEvidence,
  type SelectedObject,
  sizeOf,
  type UseJudgement,
} from '@ipcutils/core';

export interface ReportedObject {
  type: IpcKind;
  /** System V only. */
  id?: number;
  /** System V only: the key as the unsigned 32-bit number ipcs shows in hex. */
  key?: number;
  /** POSIX only, as lsipc shows it. */
  name?: string;
  owner: number;
  creator: number;
  /** Last change: System V ctime, POSIX mtime. */
  changed: string | null;
  size?: number;
  /** What --orphaned saw: each recorded pid and what became of it. */
  pids?: PidEvidence[];
  /** What --orphaned / --unattached saw for a POSIX object: null when unknown. */
  holders?: { pid: number; command: string }[] | null;
  /** The judgement of its use (--orphaned, --unattached): verdict, reason, evidence. */
  judgement?: UseJudgement;
}

export type SkipReason =
  /** Removed by someone else since the selection. */
  | { reason: 'gone' }
  /** Another object now: other key or change time (System V), other file or mtime (POSIX). */
  | { reason: 'changed'; what: 'key' | 'ctime' | 'file' | 'mtime' }
  /** Still there but no longer passes a filter (e.g. attached meanwhile). */
  | { reason: 'no-longer-matching'; filter: string };

/** An object named on the command line that does not exist: all that is known is its name. */
export type TargetRef = Pick<ReportedObject, 'type' | 'id' | 'key' | 'name'>;

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

export function reportObject(object: IpcObject, evidence?: Omit<SelectedObject, 'object'>): ReportedObject {
  const reported: ReportedObject = isSysvObject(object)
    ? {
        type: object.kind,
        id: object.record.id,
        key: object.record.key >>> 0,
        owner: 0,
        creator: 0,
        changed: null,
      }
    : { type: object.kind, name: object.record.name, owner: 0, creator: 0, changed: null };
  reported.owner = object.record.uid;
  reported.creator = creatorOf(object);
  reported.changed = isoTime(changeTimeOf(object));
  const size = sizeOf(object);
  if (size !== undefined) reported.size = size;
  if (evidence?.pids !== undefined) reported.pids = evidence.pids;
  if (evidence?.holders !== undefined) reported.holders = holdersOf(evidence.holders);
  if (evidence?.judgement !== undefined) reported.judgement = evidence.judgement;
  return reported;
}

function holdersOf(answer: HolderAnswer): { pid: number; command: string }[] | null {
  return answer.complete ? answer.holders.map(({ pid, command }) => ({ pid, command })) : null;
}

function isoTime(seconds: number): string | null {
  return seconds === 0 ? null : new Date(seconds * 1000).toISOString().replace('.000Z', 'Z');
}

/** The report as JSON (two-space indentation, keys in snake_case as lsipc's JSON keys are lower case). */
export function formatReport(report: CleanupReport): string {
  const { dryRun, ...rest } = report;
  return `${JSON.stringify({ dry_run: dryRun, ...rest }, null, 2)}\n`;
}
