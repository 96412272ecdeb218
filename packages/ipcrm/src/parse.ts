/**
 * argv → Command, with every argument checked before anything is removed (our deliberate fix 1:
 * util-linux acts on each option as it parses it, so `ipcrm -m 1 -m abc` removed segment 1 and
 * `ipcrm -a shm` removed everything before failing). Diagnostics keep util-linux's order and text.
 */

import {
  addFilterOption,
  FILTER_OPTIONS,
  type FilterOption,
  getoptUntilError,
  type LongOption,
  type ParsedOption,
  ParseError,
  type ParseFailure,
  parseS32,
  parseUlongKey,
  type ShortOptionKeys,
  UsageError,
} from '@ipcutils/cli';
import { hasExclusion, hasFilter, type IpcFilter } from '@ipcutils/core';
import {
  type Action,
  ALL_CATEGORIES,
  type Category,
  type Command,
  type PosixType,
  type RemovalTarget,
  type SysvType,
} from './command.js';

/** A usage or argument problem, in the order util-linux would have reported it. */
export type Diagnostic =
  /** getopt's own message (it carries argv[0]). */
  | { kind: 'getopt'; message: string }
  /** An id or key that does not parse: util-linux exits there. */
  | { kind: 'parse-failed'; text: string; reason: ParseFailure }
  /** Key 0 is IPC_PRIVATE, which names no object: util-linux warns and goes on. */
  | { kind: 'illegal-key'; text: string }
  /** `--all=foo` / `-afoo`. */
  | { kind: 'unknown-category'; text: string }
  /** A leftover operand, e.g. the "shm" of `ipcrm -a shm`. */
  | { kind: 'unknown-argument'; text: string }
  | { kind: 'bad-usage' }
  | { kind: 'not-enough-arguments' }
  /** `ipcrm shm abc`: util-linux warns and goes on with the other ids. */
  | { kind: 'invalid-legacy-id'; text: string }
  /**
   * `--posix-mqueue` without the leading "/": mq_unlink would fail with EINVAL, util-linux exits;
   * with -v it has announced the removal on stdout first.
   */
  | { kind: 'invalid-mqueue-name'; name: string; verbose: boolean }
  /** A cleanup filter's argument that does not parse (`--older-than 7`); the message says why. */
  | { kind: 'filter-argument'; message: string };

export type ParseResult =
  | { kind: 'run'; command: Command }
  /** Help or version; the diagnostics are warnings util-linux printed before reaching -h/-V. */
  | { kind: 'help' | 'version'; diagnostics: Diagnostic[] }
  /** Nothing is removed; the diagnostics are printed in order and ipcrm exits 1. */
  | { kind: 'invalid'; diagnostics: Diagnostic[] };

export interface ParseContext {
  /** getopt's message prefix: argv[0] as typed. */
  argv0: string;
  env: Readonly<Record<string, string | undefined>>;
}

export const SHORT_OPTIONS = 'q:m:s:Q:M:S:a::vhV';

export const LONG_OPTIONS = [
  { name: 'shmem-id', hasArg: 'required', key: 'm' },
  { name: 'shmem-key', hasArg: 'required', key: 'M' },
  { name: 'posix-shmem', hasArg: 'required', key: 'posix-shmem' },
  { name: 'queue-id', hasArg: 'required', key: 'q' },
  { name: 'queue-key', hasArg: 'required', key: 'Q' },
  { name: 'posix-mqueue', hasArg: 'required', key: 'posix-mqueue' },
  { name: 'semaphore-id', hasArg: 'required', key: 's' },
  { name: 'semaphore-key', hasArg: 'required', key: 'S' },
  { name: 'posix-semaphore', hasArg: 'required', key: 'posix-semaphore' },
  { name: 'all', hasArg: 'optional', key: 'a' },
  { name: 'verbose', hasArg: 'no', key: 'v' },
  { name: 'version', hasArg: 'no', key: 'V' },
  { name: 'help', hasArg: 'no', key: 'h' },
  // Ours: the cleanup (COMPATIBILITY.md, "Additions").
  { name: 'owner', hasArg: 'required', key: 'owner', extension: true },
  { name: 'creator', hasArg: 'required', key: 'creator', extension: true },
  { name: 'key', hasArg: 'required', key: 'key', extension: true },
  { name: 'older-than', hasArg: 'required', key: 'older-than', extension: true },
  { name: 'min-size', hasArg: 'required', key: 'min-size', extension: true },
  { name: 'unattached', hasArg: 'no', key: 'unattached', extension: true },
  { name: 'orphaned', hasArg: 'no', key: 'orphaned', extension: true },
  { name: 'name-pattern', hasArg: 'required', key: 'name-pattern', extension: true },
  { name: 'with-messages', hasArg: 'no', key: 'with-messages', extension: true },
  { name: 'exclude-owner', hasArg: 'required', key: 'exclude-owner', extension: true },
  { name: 'exclude-key', hasArg: 'required', key: 'exclude-key', extension: true },
  { name: 'exclude-name', hasArg: 'required', key: 'exclude-name', extension: true },
  { name: 'dry-run', hasArg: 'no', key: 'dry-run', extension: true },
  { name: 'json', hasArg: 'no', key: 'json', extension: true },
  { name: 'explain', hasArg: 'no', key: 'explain', extension: true },
] as const satisfies readonly LongOption[];

const FILTER_OPTION_KEYS: ReadonlySet<string> = new Set(FILTER_OPTIONS);

const BY_ID: Record<string, SysvType> = { m: 'shm', q: 'msg', s: 'sem' };
const BY_KEY: Record<string, SysvType> = { M: 'shm', Q: 'msg', S: 'sem' };
const BY_NAME: Record<string, PosixType> = {
  'posix-shmem': 'pshm',
  'posix-mqueue': 'pmsg',
  'posix-semaphore': 'psem',
};
const LEGACY_TYPES: Record<string, SysvType> = { shm: 'shm', msg: 'msg', sem: 'sem' };

export function parseCommand(argv: readonly string[], context: ParseContext): ParseResult {
  if (argv.length === 0) return { kind: 'invalid', diagnostics: [{ kind: 'bad-usage' }] };
  // util-linux looks at argv[1] before getopt: `ipcrm shm -1` is the legacy syntax with id "-1".
  const first = argv[0]!;
  if (Object.hasOwn(LEGACY_TYPES, first)) return parseLegacy(LEGACY_TYPES[first]!, argv.slice(1));
  return parseOptions(argv, context);
}

/** `ipcrm shm|msg|sem ID...`: ids by strtoul base 10; a bad one is reported and the rest checked. */
function parseLegacy(type: SysvType, ids: readonly string[]): ParseResult {
  if (ids.length === 0) return { kind: 'invalid', diagnostics: [{ kind: 'not-enough-arguments' }] };
  const diagnostics: Diagnostic[] = [];
  const actions: Action[] = [];
  for (const text of ids) {
    const id = parseLegacyId(text);
    if (id === undefined) diagnostics.push({ kind: 'invalid-legacy-id', text });
    else actions.push({ kind: 'remove', target: { type, by: 'id', id }, verbose: false });
  }
  if (diagnostics.length > 0) return { kind: 'invalid', diagnostics };
  return { kind: 'run', command: { actions, legacy: true } };
}

/**
 * The legacy syntax's `id = strtoul(arg, &end, 10)` into an int: blanks and a sign allowed, and
 * "" reads as 0 (strtoul consumes nothing and leaves `end` on the terminating NUL, which util-linux
 * accepts). A value an int holds neither as signed nor as unsigned is invalid: util-linux keeps its
 * low 32 bits, so "4294967296" removed id 0.
 */
export function parseLegacyId(text: string): number | undefined {
  if (text === '') return 0;
  const match = /^[ \t\n\v\f\r]*([+-]?)([0-9]+)$/.exec(text);
  if (match === null) return undefined;
  const value = BigInt(`${match[1]}${match[2]}`);
  if (value < -0x8000_0000n || value > 0xffff_ffffn) return undefined;
  return Number(BigInt.asIntN(32, value));
}

/** What the option walk has gathered so far. */
interface OptionState {
  actions: Action[];
  /** Problems util-linux reports and goes on from; any of them still stops the run (fix 1). */
  warnings: Diagnostic[];
  verbose: boolean;
  removeAll?: readonly Category[];
  /** Every --all's categories: a cleanup (filters, --dry-run, --json) removes their union. */
  removeAllUnion?: readonly Category[];
  filter: IpcFilter;
  dryRun: boolean;
  json: boolean;
  explain: boolean;
}

type OptionKey = ShortOptionKeys<typeof SHORT_OPTIONS> | (typeof LONG_OPTIONS)[number]['key'];

function parseOptions(argv: readonly string[], context: ParseContext): ParseResult {
  const parsed = getoptUntilError(argv, {
    program: context.argv0,
    shortOptions: SHORT_OPTIONS,
    longOptions: LONG_OPTIONS,
    env: context.env,
  });
  const state: OptionState = {
    actions: [],
    warnings: [],
    verbose: false,
    filter: {},
    dryRun: false,
    json: false,
    explain: false,
  };
  const invalid = (fatal: Diagnostic): ParseResult => ({
    kind: 'invalid',
    diagnostics: [...state.warnings, fatal],
  });
  for (const option of parsed.options) {
    const stop = applyOption(option, state);
    if (stop === 'help' || stop === 'version') return { kind: stop, diagnostics: state.warnings };
    if (stop !== undefined) return invalid(stop);
  }
  if (parsed.error) return invalid({ kind: 'getopt', message: parsed.error.message });
  const leftover = parsed.operands[0];
  if (leftover !== undefined) return invalid({ kind: 'unknown-argument', text: leftover });
  if (state.warnings.length > 0) return { kind: 'invalid', diagnostics: state.warnings };
  const { actions, verbose } = state;
  // An exclusion alone selects nothing, but `-a --exclude-owner X` must keep X's objects.
  const filtering = hasFilter(state.filter) || hasExclusion(state.filter);
  const cleanup = filtering || state.dryRun || state.json || state.explain;
  // util-linux keeps the last --all; a cleanup over several kinds takes them all. --dry-run shows
  // what the command without it would remove: util-linux's last --all when nothing else makes it a cleanup.
  const union = filtering || state.json || state.explain;
  const removeAll = union ? state.removeAllUnion : state.removeAll;
  // remove_all() runs after every option, with -v as it stands at the end.
  if (removeAll !== undefined) actions.push({ kind: 'remove-all', categories: removeAll, verbose });
  const command: Command = { actions, legacy: false };
  if (cleanup) {
    // Without a filter the actions say what to remove; without either there is nothing to do.
    if (!hasFilter(state.filter) && actions.length === 0)
      return { kind: 'invalid', diagnostics: [{ kind: 'bad-usage' }] };
    command.cleanup = {
      filter: state.filter,
      dryRun: state.dryRun,
      json: state.json,
      explain: state.explain,
      verbose,
    };
  }
  return { kind: 'run', command };
}

/** Applies one option in command-line order; returns what ends the walk, if anything does. */
function applyOption(
  option: ParsedOption<OptionKey>,
  state: OptionState,
): Diagnostic | 'help' | 'version' | undefined {
  const value = option.value ?? '';
  if (FILTER_OPTION_KEYS.has(option.key)) {
    try {
      addFilterOption(state.filter, option.key as FilterOption, value);
    } catch (error) {
      if (error instanceof UsageError) return { kind: 'filter-argument', message: error.message };
      throw error;
    }
    // `--key 0` would select every IPC_PRIVATE object: refused as `-M 0` is.
    if (option.key === 'key' && state.filter.keys?.at(-1) === 0)
      state.warnings.push({ kind: 'illegal-key', text: value });
    return undefined;
  }
  const remove = (target: RemovalTarget) =>
    state.actions.push({ kind: 'remove', target, verbose: state.verbose });
  switch (option.key) {
    case 'm':
    case 'q':
    case 's': {
      const id = parseArgument(value, parseS32);
      if (typeof id !== 'number') return id;
      remove({ type: BY_ID[option.key]!, by: 'id', id });
      return undefined;
    }
    case 'M':
    case 'Q':
    case 'S': {
      const key = parseArgument(value, parseUlongKey);
      if (typeof key !== 'number') return key;
      if (key === 0) state.warnings.push({ kind: 'illegal-key', text: value });
      else remove({ type: BY_KEY[option.key]!, by: 'key', key, text: value });
      return undefined;
    }
    case 'posix-shmem':
    case 'posix-mqueue':
    case 'posix-semaphore': {
      const type = BY_NAME[option.key]!;
      if (type === 'pmsg' && !value.startsWith('/'))
        return { kind: 'invalid-mqueue-name', name: value, verbose: state.verbose && !state.dryRun };
      remove({ type, by: 'name', name: value });
      return undefined;
    }
    case 'a': {
      const categories = parseCategories(option.value);
      if (categories === undefined) return { kind: 'unknown-category', text: value.replace(/^=/, '') };
      state.removeAll = categories;
      state.removeAllUnion = [...new Set([...(state.removeAllUnion ?? []), ...categories])];
      return undefined;
    }
    case 'v':
      state.verbose = true;
      return undefined;
    case 'dry-run':
      state.dryRun = true;
      return undefined;
    case 'explain':
      state.explain = true;
      return undefined;
    case 'json':
      state.json = true;
      return undefined;
    case 'h':
      return 'help';
    case 'V':
      return 'version';
  }
  return undefined;
}

function parseArgument(text: string, parse: (text: string) => number): number | Diagnostic {
  try {
    return parse(text);
  } catch (error) {
    if (error instanceof ParseError) return { kind: 'parse-failed', text, reason: error.reason };
    throw error;
  }
}

const CATEGORIES: Record<string, readonly Category[]> = {
  shm: ['shm'],
  pshm: ['pshm'],
  msg: ['msg'],
  pmsg: ['pmsg'],
  sem: ['sem'],
  psem: ['psem'],
};

/** `-a` alone means everything; util-linux 2.43 also drops one leading "=" (`-a=shm`). */
export function parseCategories(value: string | undefined): readonly Category[] | undefined {
  if (value === undefined) return ALL_CATEGORIES;
  const name = value.startsWith('=') ? value.slice(1) : value;
  return Object.hasOwn(CATEGORIES, name) ? CATEGORIES[name] : undefined;
}
