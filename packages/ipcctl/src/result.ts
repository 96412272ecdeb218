/**
 * What a command hands back instead of printing: its output and exit status (see main.ts, which
 * writes them). The exit statuses and the errors that choose them are defined here, once.
 */
import { Failure as SuiteFailure, UsageError as SuiteUsageError } from '@ipcutils/cli';

/** Success. */
export const EXIT_SUCCESS = 0;
/** Usage error, permission, no such object, kernel error. */
export const EXIT_FAILURE = 1;
/** Timed out, would block, or the checked condition does not hold. */
export const EXIT_UNMET = 2;
/** leakcheck: CMD succeeded but left IPC objects behind. */
export const EXIT_LEAKED = 3;

/** Bytes go out as they are; text is written as UTF-8. */
export type Chunk = string | Uint8Array;

export interface Result {
  status: number;
  /** Standard output, in order. */
  out: Chunk[];
  /** Standard error, after `out` (leakcheck's report, beside CMD's own output). */
  err?: Chunk[];
  /** Written after `out` as it arrives, until it ends (mq follow). */
  stream?: AsyncIterable<Chunk>;
}

export function success(...out: Chunk[]): Result {
  return { status: EXIT_SUCCESS, out };
}

/** A bad command line: the suite's one usage error, always with the try-help line; nothing has been touched. */
export class UsageError extends SuiteUsageError {
  constructor(message: string) {
    super(message, { tryHelp: true });
  }
}

/** A failure of an operation on an object, as one line (`msg 7: Permission denied`), with its status. */
export class Failure extends SuiteFailure {
  override readonly name = 'Failure';
  constructor(
    message: string,
    readonly status: number = EXIT_FAILURE,
  ) {
    super(message);
  }
}

/** A wait given up because of a signal: nothing was taken or changed. */
export class Interrupted extends Error {
  override readonly name = 'Interrupted';
  constructor(readonly signal: string) {
    super(`interrupted by ${signal}`);
  }
}
