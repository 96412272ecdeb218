import { GetoptError, getopt, type LongOption, type ParsedOption } from '@ipcutils/core/cli';

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
  const parse = (args: readonly string[]) =>
    getopt(args, {
      program: context.program,
      shortOptions: SHORT_OPTIONS,
      longOptions: LONG_OPTIONS,
      env: context.env,
    });
  try {
    return parse(argv);
  } catch (error) {
    if (!(error instanceof GetoptError)) throw error;
    const failing = findFailingPrefix(argv, parse);
    let options: ParsedOption<Key>[] = [];
    try {
      options = parse(argv.slice(0, failing - 1)).options;
    } catch {
      // Cannot happen: the prefix before the failing element parses as the whole line does.
    }
    return { options, operands: [], error };
  }
}

/** The length of the shortest prefix of argv that fails as the whole of it does (binary search). */
function findFailingPrefix(argv: readonly string[], parse: (args: readonly string[]) => unknown): number {
  const fails = (length: number): boolean => {
    try {
      parse(argv.slice(0, length));
      return false;
    } catch (error) {
      // A prefix ending in "-m" lacks the argument that the next element would give it.
      return !(error instanceof GetoptError && error.kind === 'missing-argument' && length < argv.length);
    }
  };
  let low = 1;
  let high = argv.length;
  while (low < high) {
    const middle = Math.floor((low + high) / 2);
    if (fails(middle)) high = middle;
    else low = middle + 1;
  }
  return low;
}
