import type { Io } from '@ipcutils/cli';
import { ParseError, parseDuration } from '@ipcutils/cli';
import { parseCommandLine, reportUsageError } from '../common/cli.js';
import { formatHelp } from './help.js';

export interface RmfifoOptions {
  paths: string[];
  unused: boolean;
  olderThanMs: number | undefined;
  recursive: boolean;
  dryRun: boolean;
  verbose: boolean;
}

/** The typed options, or the exit status when there is nothing more to do. */
export function parseOptions(argv: readonly string[], io: Io): RmfifoOptions | number {
  const line = parseCommandLine(argv, io, {
    options: {
      unused: { type: 'boolean', alias: 'u' },
      'older-than': { type: 'string', requiresArg: true },
      recursive: { type: 'boolean', alias: 'r' },
      'dry-run': { type: 'boolean', alias: 'n' },
      verbose: { type: 'boolean', alias: 'v' },
    },
    help: formatHelp,
  });
  if ('exitCode' in line) return line.exitCode;
  const { args, operands } = line;
  let olderThanMs: number | undefined;
  const olderThan = args['older-than'];
  if (typeof olderThan === 'string') {
    try {
      olderThanMs = parseDuration(olderThan) * 1000;
    } catch (error) {
      if (!(error instanceof ParseError)) throw error;
      reportUsageError(io, `invalid duration: '${olderThan}' (use e.g. 90s, 30m, 12h, 7d)`);
      return 1;
    }
  }
  if (operands.length === 0) {
    reportUsageError(io, 'no path specified');
    return 1;
  }
  return {
    paths: operands,
    unused: args.unused === true,
    olderThanMs,
    recursive: args.recursive === true,
    dryRun: args['dry-run'] === true,
    verbose: args.verbose === true,
  };
}
