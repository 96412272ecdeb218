/**
 * Our long options next to a replaced tool's: every abbreviation of the tool's own options must
 * parse as it does with those options alone (getopt's `extension` rule), so that what worked with
 * util-linux still works. Each case is `--PREFIX x`, parsed both ways.
 */
import { getoptUntilError, type LongOption } from '@ipcutils/cli';

export interface AbbreviationCase {
  typed: string;
  /** The parsed keys, or the error message. */
  ours: string;
  reference: string;
}

export function abbreviationCases(
  shortOptions: string,
  longOptions: readonly LongOption[],
): AbbreviationCase[] {
  const reference = longOptions.filter((option) => option.extension !== true);
  const outcome = (argv: string[], table: readonly LongOption[]) => {
    const result = getoptUntilError(argv, { program: 'tool', shortOptions, longOptions: table });
    return result.error?.message ?? result.options.map((option) => `${option.key}=${option.value}`).join(' ');
  };
  return reference.flatMap((option) =>
    Array.from({ length: option.name.length }, (_, n) => {
      const argv = [`--${option.name.slice(0, n + 1)}`, 'x'];
      return { typed: argv[0]!, ours: outcome(argv, longOptions), reference: outcome(argv, reference) };
    }),
  );
}
