/**
 * Command lines of lsfifo and rmfifo, parsed with yargs: --help and --version (util-linux's -h
 * and -V too); an unknown option, a value given to a flag or a value missing is a UsageError (one
 * line and the try-help line, exit status 1), found by normaliseOptions() before yargs reads the
 * words.
 */
import {
  describeYargsFailure,
  normaliseOptions,
  printed,
  type Result,
  UsageError,
  usageFailure,
} from '@ipcutils/cli';
import yargs, { type YargsArguments, type YargsOption } from 'yargs';
import { formatVersion } from './version.js';

export interface CommandLineSpec {
  options: Readonly<Record<string, YargsOption>>;
  help: (program: string) => string;
}

/** The parsed arguments, or the text of --help or --version. */
export type CommandLine =
  | { kind: 'run'; args: YargsArguments; operands: string[] }
  | { kind: 'print'; text: string };

const BUILTIN_OPTIONS: Readonly<Record<string, YargsOption>> = {
  help: { type: 'boolean', alias: 'h' },
  version: { type: 'boolean', alias: 'V' },
};

/** Throws UsageError for a bad command line, worded like glibc getopt's messages. */
export function parseCommandLine(
  argv: readonly string[],
  program: string,
  spec: CommandLineSpec,
): CommandLine {
  const options = { ...spec.options, ...BUILTIN_OPTIONS };
  const words = normaliseOptions(argv, options);
  // help(false) and version(false) come first: later they would drop our own --help and --version.
  const args: YargsArguments = yargs()
    .help(false)
    .version(false)
    .options(options)
    .parserConfiguration({
      'boolean-negation': false,
      'camel-case-expansion': false,
      'dot-notation': false,
      'duplicate-arguments-array': false,
      'parse-numbers': false,
      'parse-positional-numbers': false,
    })
    .strictOptions()
    .exitProcess(false)
    .locale('en')
    .fail((message, error) => {
      throw new UsageError(describeYargsFailure(message ?? error?.message ?? 'invalid arguments'), {
        tryHelp: true,
      });
    })
    .parseSync(words);
  if (args.help) return { kind: 'print', text: spec.help(program) };
  if (args.version) return { kind: 'print', text: formatVersion(program) };
  return { kind: 'run', args, operands: args._.map(String) };
}

/** What a tool's option parser gives: its options, or the text of --help or --version. */
export type Parsed<T> = { kind: 'run'; options: T } | { kind: 'print'; text: string };

/**
 * The options, or the Result main returns at once: --help or --version printed, or a usage error
 * (the parser's UsageError) with its try-help line.
 */
export function settleOptions<T>(
  parse: () => Parsed<T>,
  program: string,
): { kind: 'run'; options: T } | { kind: 'done'; result: Result } {
  try {
    const parsed = parse();
    return parsed.kind === 'print' ? { kind: 'done', result: printed(parsed.text) } : parsed;
  } catch (error) {
    if (error instanceof UsageError) return { kind: 'done', result: usageFailure(error, program) };
    throw error;
  }
}
