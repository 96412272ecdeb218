import { ParseError, parseDuration, UsageError } from '@ipcutils/cli';
import { type Parsed, parseCommandLine } from '../common/cli.js';
import { formatHelp } from './help.js';

export interface RmfifoOptions {
  paths: string[];
  unused: boolean;
  olderThanMs: number | undefined;
  recursive: boolean;
  dryRun: boolean;
  verbose: boolean;
}

/** The typed options, or the text of --help or --version; throws UsageError. */
export function parseOptions(argv: readonly string[], program: string): Parsed<RmfifoOptions> {
  const line = parseCommandLine(argv, program, {
    options: {
      unused: { type: 'boolean', alias: 'u' },
      'older-than': { type: 'string', requiresArg: true },
      recursive: { type: 'boolean', alias: 'r' },
      'dry-run': { type: 'boolean', alias: 'n' },
      verbose: { type: 'boolean', alias: 'v' },
    },
    help: formatHelp,
  });
  if (line.kind === 'print') return line;
  const { args, operands } = line;
  let olderThanMs: number | undefined;
  const olderThan = args['older-than'];
  if (typeof olderThan === 'string') {
    try {
      olderThanMs = parseDuration(olderThan) * 1000;
    } catch (error) {
      if (!(error instanceof ParseError)) throw error;
      throw new UsageError(`invalid duration: '${olderThan}' (use e.g. 90s, 30m, 12h, 7d)`, {
        tryHelp: true,
      });
    }
  }
  if (operands.length === 0) {
    throw new UsageError('no path specified', { tryHelp: true });
  }
  const options: RmfifoOptions = {
    paths: operands,
    unused: args.unused === true,
    olderThanMs,
    recursive: args.recursive === true,
    dryRun: args['dry-run'] === true,
    verbose: args.verbose === true,
  };
  return { kind: 'run', options };
}
