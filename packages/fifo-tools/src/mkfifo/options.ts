import { type GetoptError, getoptUntilError, type LongOption, type ParsedOption } from '@ipcutils/cli';

const SHORT_OPTIONS = 'm:Z';
type Key = 'm' | 'Z' | 'help' | 'version';

const LONG_OPTIONS: readonly LongOption<Key>[] = [
  { name: 'mode', hasArg: 'required', key: 'm' },
  { name: 'context', hasArg: 'optional', key: 'Z' },
  { name: 'help', hasArg: 'no', key: 'help' },
  { name: 'version', hasArg: 'no', key: 'version' },
];

export interface ParsedArguments {
  /** The options glibc's getopt_long returns before it stops, in command-line order. */
  options: ParsedOption<Key>[];
  operands: string[];
  /** The diagnostic getopt_long prints when it meets a bad option, after returning `options`. */
  error?: GetoptError;
}

/**
 * mkfifo's command line. coreutils acts on each option as getopt_long returns it, so
 * `mkfifo --context=x --help -Q` warns, then prints the help and exits 0 before reaching -Q:
 * on an error this also finds the options that come before the bad one.
 */
export function parseArguments(
  argv: readonly string[],
  context: { program: string; env: Readonly<Record<string, string | undefined>> },
): ParsedArguments {
  const { options, operands, error } = getoptUntilError(argv, {
    program: context.program,
    shortOptions: SHORT_OPTIONS,
    longOptions: LONG_OPTIONS,
    env: context.env,
  });
  return error ? { options, operands: [], error } : { options, operands };
}
