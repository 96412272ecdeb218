/**
 * The one usage error of every tool: a message (util-linux's or getopt's text) and whether the
 * try-help line follows, as errtryhelp() prints it. Parsers throw it; main turns it into output
 * with `usageFailure`.
 */
import type { GetoptError } from './getopt.js';
import type { Result } from './io.js';

export class UsageError extends Error {
  override readonly name = 'UsageError';

  constructor(
    message: string,
    readonly options: {
      /** Print the try-help line after the message (util-linux's errtryhelp()). Default false (errx()). */
      readonly tryHelp?: boolean;
      /** The message already names the program (getopt's own texts carry argv[0]). */
      readonly prefixed?: boolean;
      /** Exit status; default 1. */
      readonly status?: number;
    } = {},
  ) {
    super(message);
  }

  /** getopt's diagnostic: it names the program as invoked and is followed by the try-help line. */
  static fromGetopt(error: GetoptError): UsageError {
    return new UsageError(error.message, { prefixed: true, tryHelp: true });
  }
}

/** util-linux's errtryhelp() line (coreutils' "Try '…' for more information." is the same text). */
export function tryHelp(program: string): string {
  return `Try '${program} --help' for more information.\n`;
}

/**
 * What a usage error prints and returns: `PROG: MESSAGE`, then the try-help line; an empty message
 * prints nothing (lsipc's silent -o failures).
 */
export function usageFailure(error: UsageError, program: string): Result {
  const status = error.options.status ?? 1;
  if (error.message === '' && !error.options.tryHelp) return { events: [], status };
  const message = error.options.prefixed ? error.message : `${program}: ${error.message}`;
  const help = error.options.tryHelp ? tryHelp(program) : '';
  return { events: [{ fd: 2, text: `${message}\n${help}` }], status };
}

/**
 * util-linux's err()/errx() after the command line was accepted: one line in the tool's voice
 * (`lsipc: semctl(GETVAL) failed: Permission denied`) and exit status 1. Handlers throw it; main
 * returns `failure(error, program)`.
 */
export class Failure extends Error {
  override readonly name: string = 'Failure';
}

export function failure(error: Failure, program: string): Result {
  return { events: [{ fd: 2, text: `${program}: ${error.message}\n` }], status: 1 };
}
