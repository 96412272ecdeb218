/**
 * The option words of a command line parsed with yargs (ipcctl, lsfifo, rmfifo), checked against
 * the declared options and rewritten as `--name=value` before yargs parses them. yargs' strict
 * mode lets through the keys it keeps for itself (`-_`, `--_`: its operand array; `--operands`:
 * ipcctl's positional), takes `--json=foo` as a boolean's value, and takes a `true` or `false`
 * that follows a boolean as its value (`mq send /q --nowait true` sent standard input instead of
 * "true"; `rmfifo -v true` did not remove ./true); in the rewritten form it meets none of these.
 * The drop-ins parse with getopt (./getopt.ts) instead.
 */
import { UsageError } from './usage.js';

/** What is read of a yargs option declaration. */
export interface DeclaredOption {
  readonly type?: string;
  readonly alias?: string | readonly string[];
}

/** yargs-parser's negative number: an operand (`msg recv ID --type -5`, `sem set ID 0 -1`), not an option. */
const NEGATIVE = /^-([0-9]+(\.[0-9]+)?|\.[0-9]+)$/;

interface Declared {
  /** The option's yargs key. */
  name: string;
  takesValue: boolean;
}

/**
 * `argv` with every option word before `--` as `--name=value` (`--name=true` for a boolean): a
 * UsageError (with the try-help line) names the first option that is not declared, a boolean
 * given a value, or a value missing. Operands, and everything from `--` on, are kept as they
 * are, in their order.
 */
export function normaliseOptions(
  argv: readonly string[],
  options: Readonly<Record<string, DeclaredOption>>,
): string[] {
  const { long, short } = namesOf(options);
  const words: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const word = argv[i]!;
    if (word === '--') {
      words.push(...argv.slice(i));
      break;
    }
    if (!isOptionWord(word)) {
      words.push(word);
      continue;
    }
    for (const { option, shown, attached } of optionsIn(word, long, short)) {
      if (!option.takesValue) {
        if (attached !== undefined) throw usage(`option '${shown}' doesn't allow an argument`);
        words.push(`--${option.name}=true`);
        continue;
      }
      let value = attached;
      if (value === undefined) {
        const next = argv[i + 1];
        // As yargs' requiresArg: a following option word (or `--`) is not taken as the value.
        if (next === undefined || next === '--' || isOptionWord(next)) {
          throw usage(`option '${shown}' requires an argument`);
        }
        value = next;
        i++;
      }
      words.push(`--${option.name}=${value}`);
    }
  }
  return words;
}

/** What yargs-parser reads as an option: a word starting with `-`, but not `-` alone or a negative number. */
function isOptionWord(word: string): boolean {
  return word.startsWith('-') && word !== '-' && !NEGATIVE.test(word);
}

function namesOf(options: Readonly<Record<string, DeclaredOption>>): {
  long: Map<string, Declared>;
  short: Map<string, Declared>;
} {
  const long = new Map<string, Declared>();
  const short = new Map<string, Declared>();
  for (const [name, option] of Object.entries(options)) {
    const declared = { name, takesValue: option.type !== 'boolean' && option.type !== 'count' };
    const aliases = option.alias === undefined ? [] : [option.alias].flat();
    for (const alias of [name, ...aliases]) (alias.length === 1 ? short : long).set(alias, declared);
  }
  return { long, short };
}

interface Use {
  option: Declared;
  /** How a message names it: `--timeout`, `-J`. */
  shown: string;
  /** A value in the same word (`--timeout=2s`, `-J=1`). */
  attached: string | undefined;
}

/** The options an option word gives: one for `--name[=value]`, one or more for a group (`-JJ`). */
function optionsIn(
  word: string,
  long: ReadonlyMap<string, Declared>,
  short: ReadonlyMap<string, Declared>,
): Use[] {
  if (!word.startsWith('--')) return shortOptions(word, short);
  const equals = word.indexOf('=');
  const name = word.slice(2, equals === -1 ? undefined : equals);
  const shown = name === '' ? word : `--${name}`;
  const option = long.get(name);
  if (option === undefined) throw usage(`unrecognized option '${shown}'`);
  return [{ option, shown, attached: equals === -1 ? undefined : word.slice(equals + 1) }];
}

/**
 * `-J`, or a group of short options (`-JJ`): the first that takes a value takes the rest of the
 * word (after an optional `=`) as its value, as getopt does.
 */
function shortOptions(word: string, short: ReadonlyMap<string, Declared>): Use[] {
  const uses: Use[] = [];
  for (let j = 1; j < word.length; j++) {
    // A whole character: a letter outside the BMP is two UTF-16 units (`-😀`), never an option.
    const letter = String.fromCodePoint(word.codePointAt(j)!);
    const shown = `-${letter}`;
    const option = short.get(letter);
    // A `-` or `=` inside a group (`-J-`) is no option of its own: the whole word is named.
    if (option === undefined) {
      throw usage(`unrecognized option '${letter === '-' || letter === '=' ? word : shown}'`);
    }
    const rest = word.slice(j + 1);
    if (option.takesValue && rest !== '')
      return [...uses, { option, shown, attached: rest.replace(/^=/, '') }];
    if (rest.startsWith('=')) return [...uses, { option, shown, attached: rest.slice(1) }];
    uses.push({ option, shown, attached: undefined });
  }
  return uses;
}

function usage(message: string): UsageError {
  return new UsageError(message, { tryHelp: true });
}

/**
 * yargs' English failure messages in glibc getopt's words: the backstop of a `.fail()` handler,
 * for what normaliseOptions() has not already refused.
 */
export function describeYargsFailure(message: string): string {
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
