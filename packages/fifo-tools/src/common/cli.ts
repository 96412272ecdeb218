/**
 * Command lines of lsfifo and rmfifo, parsed with yargs: --help and --version (util-linux's -h
 * and -V too), unknown options rejected with one line and the try-help line, exit status 1.
 */
import type { Io } from '@ipcutils/cli';
import yargs, { type YargsArguments, type YargsOption } from 'yargs';
import { formatVersion } from './version.js';

export interface CommandLineSpec {
  options: Readonly<Record<string, YargsOption>>;
  help: (program: string) => string;
}

/** The parsed arguments, or the exit status when the tool is already done (help, version, usage error). */
export type CommandLine = { args: YargsArguments; operands: string[] } | { exitCode: number };

/** A bad command line, worded like glibc getopt's messages. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

const BUILTIN_OPTIONS: Readonly<Record<string, YargsOption>> = {
  help: { type: 'boolean', alias: 'h' },
  version: { type: 'boolean', alias: 'V' },
};

export function parseCommandLine(argv: readonly string[], io: Io, spec: CommandLineSpec): CommandLine {
  const program = io.programName;
  let args: YargsArguments;
  try {
    // help(false) and version(false) come first: later they would drop our own --help and --version.
    args = yargs()
      .help(false)
      .version(false)
      .options({ ...spec.options, ...BUILTIN_OPTIONS })
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
        throw new UsageError(describeFailure(message ?? error?.message ?? 'invalid arguments'));
      })
      .parseSync(argv);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    reportUsageError(io, error.message);
    return { exitCode: 1 };
  }
  if (args.help) {
    io.out(spec.help(program));
    return { exitCode: 0 };
  }
  if (args.version) {
    io.out(formatVersion(program));
    return { exitCode: 0 };
  }
  return { args, operands: args._.map(String) };
}

/** `lsfifo: MESSAGE` and the try-help line on stderr. */
export function reportUsageError(io: Io, message: string): void {
  io.err(`${io.programName}: ${message}\nTry '${io.programName} --help' for more information.\n`);
}

/** yargs' English messages in glibc's words. */
function describeFailure(message: string): string {
  const unknown = /^Unknown arguments?: (.*)$/.exec(message);
  if (unknown) {
    const first = unknown[1]!.split(', ')[0]!;
    return `unrecognized option '${first.length === 1 ? '-' : '--'}${first}'`;
  }
  const missing = /^Not enough arguments following: (.*)$/.exec(message);
  if (missing) {
    const name = missing[1]!;
    return `option '${name.length === 1 ? '-' : '--'}${name}' requires an argument`;
  }
  return message;
}
