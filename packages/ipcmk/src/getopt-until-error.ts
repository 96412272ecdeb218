/**
 * getopt that also says which options came before a bad one. glibc's getopt_long hands options
 * over one at a time, so util-linux acts on `-h` or a bad id typed before an unknown option;
 * the core's getopt throws at the first bad option and returns nothing, so the options before it
 * are recovered by parsing the longest prefix of argv that getopt accepts.
 */
import {
  GetoptError,
  type GetoptOptions,
  type GetoptResult,
  getopt,
  type ShortOptionKeys,
} from '@ipcutils/core/cli';

export interface GetoptUntilErrorResult<K extends string> extends GetoptResult<K> {
  /** The first bad option; `options` and `operands` are those before it. */
  error?: GetoptError;
}

export function getoptUntilError<S extends string, L extends string = never>(
  argv: readonly string[],
  spec: GetoptOptions<S, L>,
): GetoptUntilErrorResult<ShortOptionKeys<S> | L> {
  try {
    return getopt(argv, spec);
  } catch (error) {
    if (!(error instanceof GetoptError)) throw error;
    return { ...parsedBefore(argv, spec), error };
  }
}

function parsedBefore<S extends string, L extends string>(
  argv: readonly string[],
  spec: GetoptOptions<S, L>,
): GetoptResult<ShortOptionKeys<S> | L> {
  for (let end = argv.length - 1; end >= 0; end--) {
    const prefix = tryGetopt(argv.slice(0, end), spec);
    if (prefix === undefined) continue;
    // In a bundle such as "-vhZ", the letters before the bad one were handled first.
    const next = argv[end]!;
    if (next.startsWith('-') && !next.startsWith('--')) {
      for (let length = next.length - 1; length >= 2; length--) {
        const bundle = tryGetopt([...argv.slice(0, end), next.slice(0, length)], spec);
        if (bundle !== undefined) return bundle;
      }
    }
    return prefix;
  }
  return { options: [], operands: [] };
}

function tryGetopt<S extends string, L extends string>(
  argv: readonly string[],
  spec: GetoptOptions<S, L>,
): GetoptResult<ShortOptionKeys<S> | L> | undefined {
  try {
    return getopt(argv, spec);
  } catch (error) {
    if (error instanceof GetoptError) return undefined;
    throw error;
  }
}
