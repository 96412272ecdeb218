/**
 * A glibc `getopt_long()` for the tools: same accepted syntax, same permutation, same error texts
 * (glibc 2.36, C locale), and the options returned in command-line order (ipcrm acts in that order).
 */

/** How an option takes its argument: glibc's `no_argument`, `required_argument`, `optional_argument`. */
export type ArgumentMode = 'no' | 'required' | 'optional';

/** One entry of the long-option table (glibc `struct option`). */
export interface LongOption<K extends string = string> {
  name: string;
  hasArg: ArgumentMode;
  /** The short letter this option stands for, or an identifier for a long-only option. */
  key: K;
  /**
   * Ours, not the replaced tool's: it never takes an abbreviation from one of the tool's own
   * options (`lsipc --h` stays `--help` although `--holders` also starts so), which keeps every
   * abbreviation that worked with util-linux working the same way.
   */
  extension?: boolean;
}

export interface GetoptOptions<S extends string = string, L extends string = string> {
  /** Prefix of the error messages: util-linux passes argv[0] exactly as typed. */
  program: string;
  /** getopt syntax: `x` flag, `x:` required argument, `x::` optional attached argument; leading `+` stops at the first operand. */
  shortOptions: S;
  longOptions?: readonly LongOption<L>[];
  /** Only POSIXLY_CORRECT is read: set (even empty), it stops option parsing at the first operand. */
  env?: Readonly<Record<string, string | undefined>>;
}

export interface ParsedOption<K extends string = string> {
  key: K;
  /** As typed, without any `=value`: `-m`, `--shmem-id`, or an abbreviation such as `--shm`. */
  name: string;
  /** Absent when the option has no argument, or an optional one was not attached. */
  value?: string;
}

export interface GetoptResult<K extends string = string> {
  options: ParsedOption<K>[];
  operands: string[];
}

export type GetoptErrorKind =
  | 'invalid-option'
  | 'missing-argument'
  | 'unrecognized-option'
  | 'ambiguous-option'
  | 'unexpected-argument';

/** glibc's diagnostic for the first bad option; `message` is its text without the newline. */
export class GetoptError extends Error {
  override readonly name = 'GetoptError';
  readonly kind: GetoptErrorKind;
  /**
   * What was parsed before the bad option. glibc hands options over one at a time, so a tool
   * acts on those first (util-linux prints the help for `ipcs -h -x`, and in a bundle like `-vhx`
   * the letters before the bad one count).
   */
  parsed: GetoptResult = { options: [], operands: [] };

  constructor(kind: GetoptErrorKind, message: string) {
    super(message);
    this.kind = kind;
  }
}

/** The option letters of a getopt spec string, so callers can switch exhaustively on `key`. */
export type ShortOptionKeys<S extends string> = string extends S
  ? string
  : S extends `+${infer Rest}`
    ? SpecLetters<Rest>
    : SpecLetters<S>;

type SpecLetters<S extends string, Found extends string = never> = S extends `${infer C}${infer Rest}`
  ? SpecLetters<Rest, C extends ':' ? Found : Found | C>
  : Found;

interface ShortSpec {
  letters: Map<string, ArgumentMode>;
  stopAtOperand: boolean;
}

/** Parses argv (without node and script) the way glibc getopt_long does in GNU mode; throws GetoptError. */
export function getopt<S extends string, L extends string = never>(
  argv: readonly string[],
  options: GetoptOptions<S, L>,
): GetoptResult<ShortOptionKeys<S> | L> {
  type K = ShortOptionKeys<S> | L;
  const spec = compileShortOptions(options.shortOptions);
  const stopAtOperand = spec.stopAtOperand || options.env?.POSIXLY_CORRECT !== undefined;
  const longOptions = options.longOptions ?? [];
  const parsed: ParsedOption<string>[] = [];
  const operands: string[] = [];

  let i = 0;
  while (i < argv.length) {
    const arg = argv[i]!;
    if (arg === '--') {
      operands.push(...argv.slice(i + 1));
      break;
    }
    // glibc's NONOPTION_P: "-" alone and anything not starting with "-" are operands.
    if (arg.length < 2 || arg[0] !== '-') {
      if (stopAtOperand) {
        operands.push(...argv.slice(i));
        break;
      }
      operands.push(arg);
      i++;
      continue;
    }
    const context = { argv, index: i, program: options.program, parsed };
    try {
      i = arg[1] === '-' ? parseLong(context, longOptions) : parseShortBundle(context, spec.letters);
    } catch (error) {
      if (error instanceof GetoptError) error.parsed = { options: parsed, operands };
      throw error;
    }
  }
  return { options: parsed as ParsedOption<K>[], operands };
}

function compileShortOptions(shortOptions: string): ShortSpec {
  const letters = new Map<string, ArgumentMode>();
  const stopAtOperand = shortOptions.startsWith('+');
  if (shortOptions.startsWith('-') || shortOptions.startsWith(':')) {
    throw new TypeError(`getopt: unsupported option string '${shortOptions}'`);
  }
  for (let i = stopAtOperand ? 1 : 0; i < shortOptions.length; i++) {
    const c = shortOptions[i]!;
    if (c === ':') continue;
    let mode: ArgumentMode = 'no';
    if (shortOptions[i + 1] === ':') mode = shortOptions[i + 2] === ':' ? 'optional' : 'required';
    // glibc looks letters up with strchr(), so the first occurrence wins.
    if (!letters.has(c)) letters.set(c, mode);
  }
  return { letters, stopAtOperand };
}

interface ParseContext {
  argv: readonly string[];
  /** Index of the element being parsed. */
  index: number;
  program: string;
  parsed: ParsedOption<string>[];
}

/** Parses one `-abc` element; returns the index of the next element to look at. */
function parseShortBundle(context: ParseContext, letters: Map<string, ArgumentMode>): number {
  const { argv, index, program, parsed } = context;
  const arg = argv[index]!;
  for (let j = 1; j < arg.length; j++) {
    const c = arg[j]!;
    const mode = letters.get(c);
    if (mode === undefined) {
      // glibc prints only the first byte of a multibyte character; a JS string cannot hold that byte.
      const char = String.fromCodePoint(arg.codePointAt(j)!);
      throw new GetoptError('invalid-option', `${program}: invalid option -- '${char}'`);
    }
    const name = `-${c}`;
    if (mode === 'no') {
      parsed.push({ key: c, name });
      continue;
    }
    if (j + 1 < arg.length) {
      parsed.push({ key: c, name, value: arg.slice(j + 1) });
    } else if (mode === 'optional') {
      parsed.push({ key: c, name });
    } else if (index + 1 < argv.length) {
      // The next element is the argument whatever it looks like ("-5", "--").
      parsed.push({ key: c, name, value: argv[index + 1]! });
      return index + 2;
    } else {
      throw new GetoptError('missing-argument', `${program}: option requires an argument -- '${c}'`);
    }
    break;
  }
  return index + 1;
}

/** Parses one `--name[=value]` element; returns the index of the next element to look at. */
function parseLong(context: ParseContext, longOptions: readonly LongOption[]): number {
  const { argv, index, program, parsed } = context;
  const body = argv[index]!.slice(2);
  const equals = body.indexOf('=');
  const typed = equals === -1 ? body : body.slice(0, equals);
  const option = matchLongOption(longOptions, typed);
  if (option === undefined) {
    throw new GetoptError('unrecognized-option', `${program}: unrecognized option '--${body}'`);
  }
  if (Array.isArray(option)) {
    const possibilities = option.map((candidate) => ` '--${candidate.name}'`).join('');
    const message = `${program}: option '--${body}' is ambiguous; possibilities:${possibilities}`;
    throw new GetoptError('ambiguous-option', message);
  }
  const name = `--${typed}`;
  if (equals !== -1) {
    if (option.hasArg === 'no') {
      const message = `${program}: option '--${option.name}' doesn't allow an argument`;
      throw new GetoptError('unexpected-argument', message);
    }
    parsed.push({ key: option.key, name, value: body.slice(equals + 1) });
  } else if (option.hasArg === 'required') {
    if (index + 1 >= argv.length) {
      const message = `${program}: option '--${option.name}' requires an argument`;
      throw new GetoptError('missing-argument', message);
    }
    parsed.push({ key: option.key, name, value: argv[index + 1]! });
    return index + 2;
  } else {
    parsed.push({ key: option.key, name });
  }
  return index + 1;
}

/**
 * The exact match, else the only abbreviated one; the candidates when the abbreviation is
 * ambiguous. Extensions are candidates only when no option of the replaced tool matches.
 */
function matchLongOption(
  longOptions: readonly LongOption[],
  typed: string,
): LongOption | LongOption[] | undefined {
  const exact = longOptions.find((option) => option.name === typed);
  if (exact !== undefined) return exact;
  const matching = longOptions.filter((option) => option.name.startsWith(typed));
  const reference = matching.filter((option) => option.extension !== true);
  const candidates = reference.length > 0 ? reference : matching;
  const first = candidates[0];
  if (first === undefined) return undefined;
  // glibc keeps the first candidate plus every later one that differs from it (has_arg or val),
  // so a candidate identical to the first is left out even when the prefix is ambiguous.
  const differing = candidates.filter(
    (option, n) => n === 0 || option.hasArg !== first.hasArg || option.key !== first.key,
  );
  return differing.length > 1 ? differing : first;
}

export interface GetoptUntilErrorResult<K extends string> extends GetoptResult<K> {
  /** The first bad option; `options` and `operands` are those parsed before it. */
  error?: GetoptError;
}

/** getopt that does not throw: what parsed before the first bad option, and that option's error. */
export function getoptUntilError<S extends string, L extends string = never>(
  argv: readonly string[],
  options: GetoptOptions<S, L>,
): GetoptUntilErrorResult<ShortOptionKeys<S> | L> {
  try {
    return getopt(argv, options);
  } catch (error) {
    if (!(error instanceof GetoptError)) throw error;
    return { ...(error.parsed as GetoptResult<ShortOptionKeys<S> | L>), error };
  }
}
