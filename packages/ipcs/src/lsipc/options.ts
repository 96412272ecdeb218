/**
 * lsipc's command line, parsed once into typed options, in command-line order as util-linux's
 * getopt loop sees them: an error (bad option, exclusive options, bad id or time format, too many
 * columns) is reported at the option where util-linux would stop, so options before it count.
 */

import {
  addFilterOption,
  type FilterOption,
  type GetoptError,
  getoptUntilError,
  type LongOption,
  type ParsedOption,
  ParseError,
  parseS32,
  type ShortOptionKeys,
  UsageError,
} from '@ipcutils/cli';
import { hasExclusion, hasFilter, type IpcFilter } from '@ipcutils/core';
import {
  COLUMN_IDS,
  type ColumnId,
  type ColumnRange,
  DEFAULT_COLUMNS,
  findColumn,
  isExtraColumn,
  isGenericColumn,
  isInRange,
  MAX_COLUMNS,
  RANGES,
} from './columns.js';
import type { TimeFormat } from './time.js';

export type Resource = 'msg' | 'pmsg' | 'shm' | 'pshm' | 'sem' | 'psem';

/** Output modes; 'pretty' is the -i/-N default, 'list' the table forced by -l, 'typed-json' ours. */
export type OutputMode = 'table' | 'export' | 'newline' | 'raw' | 'json' | 'pretty' | 'list' | 'typed-json';

export interface LsipcOptions {
  resources: ReadonlySet<Resource>;
  global: boolean;
  /** -i; -1 (also when given as "-1") means none, other negative ids select every object. */
  id: number;
  /** -N. */
  name: string | undefined;
  columns: readonly ColumnId[];
  mode: OutputMode;
  timeFormat: TimeFormat;
  noHeadings: boolean;
  noTruncate: boolean;
  shellVar: boolean;
  bytes: boolean;
  numericPerms: boolean;
  /** The cleanup filters (empty: every object). */
  filter: IpcFilter;
  /** Whether the filters apply (one selects, or one excludes): the listing previews a cleanup. */
  filtered: boolean;
  /** Filters without a resource option: every kind, in one table with a TYPE column. */
  mixed: boolean;
}

/** What the command line asks for; an error's message is empty for -o's silent failures. */
export type Command =
  | { kind: 'run'; options: LsipcOptions }
  | { kind: 'help' }
  | { kind: 'version' }
  | { kind: 'error'; error: UsageError };

export const SHORT_OPTIONS = 'bceghi:JlMmN:no:PQqrSstVy';
type LongOnly =
  | 'noheadings'
  | 'notruncate'
  | 'time-format'
  | 'holders'
  | 'typed-json'
  | Exclude<FilterOption, 'creator'>;
type Key = ShortOptionKeys<typeof SHORT_OPTIONS> | LongOnly;

export const LONG_OPTIONS: readonly LongOption<Key>[] = [
  { name: 'bytes', hasArg: 'no', key: 'b' },
  // --creator alone adds the creator columns (util-linux); --creator=USER is our filter.
  { name: 'creator', hasArg: 'optional', key: 'c' },
  { name: 'export', hasArg: 'no', key: 'e' },
  { name: 'global', hasArg: 'no', key: 'g' },
  { name: 'help', hasArg: 'no', key: 'h' },
  { name: 'id', hasArg: 'required', key: 'i' },
  { name: 'json', hasArg: 'no', key: 'J' },
  { name: 'list', hasArg: 'no', key: 'l' },
  { name: 'name', hasArg: 'required', key: 'N' },
  { name: 'newline', hasArg: 'no', key: 'n' },
  { name: 'noheadings', hasArg: 'no', key: 'noheadings' },
  { name: 'notruncate', hasArg: 'no', key: 'notruncate' },
  { name: 'numeric-perms', hasArg: 'no', key: 'P' },
  { name: 'output', hasArg: 'required', key: 'o' },
  { name: 'posix-mqueues', hasArg: 'no', key: 'Q' },
  { name: 'posix-semaphores', hasArg: 'no', key: 'S' },
  { name: 'posix-shmems', hasArg: 'no', key: 'M' },
  { name: 'queues', hasArg: 'no', key: 'q' },
  { name: 'raw', hasArg: 'no', key: 'r' },
  { name: 'semaphores', hasArg: 'no', key: 's' },
  { name: 'shmems', hasArg: 'no', key: 'm' },
  { name: 'time', hasArg: 'no', key: 't' },
  { name: 'time-format', hasArg: 'required', key: 'time-format' },
  { name: 'version', hasArg: 'no', key: 'V' },
  { name: 'shell', hasArg: 'no', key: 'y' },
  // Ours (COMPATIBILITY.md, "Additions").
  { name: 'holders', hasArg: 'no', key: 'holders', extension: true },
  { name: 'typed-json', hasArg: 'no', key: 'typed-json', extension: true },
  { name: 'owner', hasArg: 'required', key: 'owner', extension: true },
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
];

const FILTER_KEYS: ReadonlySet<Key> = new Set([
  'owner',
  'key',
  'older-than',
  'min-size',
  'unattached',
  'orphaned',
  'name-pattern',
  'with-messages',
  'exclude-owner',
  'exclude-key',
  'exclude-name',
]);

/** The options that choose an output mode: util-linux's exclusive row, and ours. */
const MODE_KEYS: ReadonlySet<Key> = new Set(['J', 'e', 'l', 'n', 'r']);

/** util-linux's excl[] rows, "in ASCII order" as err_exclusive_options() requires. */
const EXCLUSIVE_GROUPS: readonly (readonly string[])[] = [
  ['J', 'e', 'l', 'n', 'r'],
  ['N', 'g', 'i'],
  ['c', 'o', 't'],
  // Not in ASCII order after the row above, so the scan never reaches it for M, Q and S.
  ['M', 'Q', 'S', 'm', 'q', 's'],
];

const RESOURCE_OPTIONS: Partial<Record<Key, { resource: Resource; range: ColumnRange }>> = {
  q: { resource: 'msg', range: RANGES.msg },
  Q: { resource: 'pmsg', range: RANGES.posix },
  m: { resource: 'shm', range: RANGES.shm },
  M: { resource: 'pshm', range: RANGES.posix },
  s: { resource: 'sem', range: RANGES.sem },
  S: { resource: 'psem', range: RANGES.posix },
};

const TIME_FORMATS: readonly TimeFormat[] = ['iso', 'full', 'short'];

interface Accumulated {
  resources: Set<Resource>;
  global: boolean;
  id: number;
  name: string | undefined;
  columns: ColumnId[];
  range: ColumnRange | undefined;
  output: string | undefined;
  mode: OutputMode | undefined;
  timeFormat: TimeFormat | undefined;
  showTime: boolean;
  showCreator: boolean;
  noHeadings: boolean;
  noTruncate: boolean;
  shellVar: boolean;
  bytes: boolean;
  numericPerms: boolean;
  filter: IpcFilter;
  holders: boolean;
  typedJson: boolean;
  /** The option that chose util-linux's output mode, for the --typed-json conflict message. */
  modeKey: Key | undefined;
}

export function parseCommand(argv: readonly string[], program: string): Command {
  const { options, error } = parseInOrder(argv, program);
  const state: Accumulated = {
    resources: new Set(),
    global: false,
    id: -1,
    name: undefined,
    columns: [],
    range: undefined,
    output: undefined,
    mode: undefined,
    timeFormat: undefined,
    showTime: false,
    showCreator: false,
    noHeadings: false,
    noTruncate: false,
    shellVar: false,
    bytes: false,
    numericPerms: false,
    filter: {},
    holders: false,
    typedJson: false,
    modeKey: undefined,
  };
  const exclusive = EXCLUSIVE_GROUPS.map((): string | undefined => undefined);
  // With a filter, several resource options select the union of their kinds (one mixed table).
  const filtering = options.some((option) => isFilterOption(option));
  try {
    for (const option of options) {
      // --creator=USER is a filter, not util-linux's -c.
      const resourceUnion = filtering && RESOURCE_OPTIONS[option.key] !== undefined;
      if (!isFilterOption(option) && !resourceUnion) checkExclusive(option.key, exclusive);
      const stop = applyOption(state, option);
      if (stop) return stop;
    }
    // getopt's message already starts with the program name as invoked.
    if (error) throw UsageError.fromGetopt(error);
    return { kind: 'run', options: finish(state) };
  } catch (failure) {
    if (failure instanceof UsageError) return { kind: 'error', error: failure };
    throw failure;
  }
}

/**
 * getopt's options up to the first bad one, and that error: glibc returns the good options one
 * by one before it reports a bad one, and lsipc acts on each as it comes.
 */
function parseInOrder(
  argv: readonly string[],
  program: string,
): { options: ParsedOption<Key>[]; error: GetoptError | undefined } {
  const { options, error } = getoptUntilError(argv, {
    program,
    shortOptions: SHORT_OPTIONS,
    longOptions: LONG_OPTIONS,
  });
  return { options, error };
}

function isFilterOption(option: ParsedOption<Key>): boolean {
  return FILTER_KEYS.has(option.key) || (option.key === 'c' && option.value !== undefined);
}

/** err_exclusive_options(): the scan stops at the first row whose first letter sorts after the option. */
function checkExclusive(key: Key, seen: (string | undefined)[]): void {
  const code = key.length === 1 ? key.charCodeAt(0) : 0x100;
  for (let row = 0; row < EXCLUSIVE_GROUPS.length; row++) {
    const group = EXCLUSIVE_GROUPS[row]!;
    if (group[0]!.charCodeAt(0) > code) break;
    for (const letter of group) {
      if (letter.charCodeAt(0) > code) break;
      if (letter !== key) continue;
      const first = seen[row];
      if (first === undefined) seen[row] = key;
      else if (first !== key) {
        throw new UsageError(`options ${optionName(first)} and ${optionName(key)} cannot be combined`);
      }
      break;
    }
  }
}

function optionName(key: string): string {
  const long = LONG_OPTIONS.find((option) => option.key === key);
  return long ? `--${long.name}` : `-${key}`;
}

/** One option, as the switch of lsipc.c's getopt loop; returns a command for -h and -V. */
function applyOption(state: Accumulated, option: ParsedOption<Key>): Command | undefined {
  const value = option.value ?? '';
  if (FILTER_KEYS.has(option.key) || (option.key === 'c' && option.value !== undefined)) {
    applyFilter(state, option.key === 'c' ? 'creator' : (option.key as FilterOption), value);
    return undefined;
  }
  if (MODE_KEYS.has(option.key) || option.key === 'typed-json') checkModeConflict(state, option.key);
  const resource = RESOURCE_OPTIONS[option.key];
  if (resource) {
    state.resources.add(resource.resource);
    addColumns(state, DEFAULT_COLUMNS[resource.resource]);
    state.range = resource.range;
    return undefined;
  }
  switch (option.key) {
    case 'b':
      state.bytes = true;
      break;
    case 'i':
      state.id = parseId(value);
      break;
    case 'N':
      state.name = value;
      break;
    case 'e':
      state.mode = 'export';
      break;
    case 'r':
      state.mode = 'raw';
      break;
    case 'o':
      state.output = value;
      break;
    case 'g':
      state.global = true;
      break;
    case 'l':
      state.mode = 'list';
      break;
    case 'n':
      state.mode = 'newline';
      break;
    case 'P':
      state.numericPerms = true;
      break;
    case 'notruncate':
      state.noTruncate = true;
      break;
    case 'noheadings':
      state.noHeadings = true;
      break;
    case 'time-format':
      state.timeFormat = parseTimeFormat(value);
      break;
    case 'J':
      state.mode = 'json';
      break;
    case 't':
      state.showTime = true;
      break;
    case 'c':
      state.showCreator = true;
      break;
    case 'y':
      state.shellVar = true;
      break;
    case 'holders':
      state.holders = true;
      break;
    case 'typed-json':
      state.typedJson = true;
      break;
    case 'h':
      return { kind: 'help' };
    case 'V':
      return { kind: 'version' };
  }
  return undefined;
}

function applyFilter(state: Accumulated, option: FilterOption, value: string): void {
  addFilterOption(state.filter, option, value);
}

/** --typed-json is one more output mode: like util-linux's own, it excludes the others. */
function checkModeConflict(state: Accumulated, key: Key): void {
  if (key === 'typed-json') {
    if (state.modeKey !== undefined) {
      throw new UsageError(`options ${optionName(state.modeKey)} and --typed-json cannot be combined`);
    }
    return;
  }
  if (state.typedJson) throw new UsageError(`options --typed-json and ${optionName(key)} cannot be combined`);
  state.modeKey ??= key;
}

function parseId(value: string): number {
  try {
    return parseS32(value);
  } catch (error) {
    if (!(error instanceof ParseError)) throw error;
    throw new UsageError(error.messageFor('failed to parse IPC identifier'));
  }
}

function parseTimeFormat(value: string): TimeFormat {
  const format = TIME_FORMATS.find((name) => name === value);
  if (format === undefined) throw new UsageError(`unknown time format: ${value}`);
  return format;
}

/** add_column(): lsipc's fixed array holds twice the number of columns it knows. */
function addColumns(state: Accumulated, ids: readonly ColumnId[]): void {
  for (const id of ids) {
    if (state.columns.length >= MAX_COLUMNS) {
      throw new UsageError(`too many columns specified, the limit is ${MAX_COLUMNS - 1} columns`);
    }
    state.columns.push(id);
  }
}

/** What lsipc.c does after its getopt loop: defaults, the pretty view, -c/-t and -o columns. */
function finish(state: Accumulated): LsipcOptions {
  const filtered = hasFilter(state.filter) || hasExclusion(state.filter);
  const mixed = filtered && state.resources.size !== 1;
  if (filtered && state.resources.size > 1) {
    if (state.id !== -1 || state.name !== undefined) {
      throw new UsageError('--id and --name need a resource option (-m, -q, -s, -M, -Q or -S)');
    }
    // The kinds' own default columns give way to the mixed table's.
    state.columns = [];
    addColumns(state, DEFAULT_COLUMNS.mixed);
    state.range = undefined;
  }
  if (state.resources.size === 0) {
    for (const resource of ['msg', 'pmsg', 'shm', 'pshm', 'sem', 'psem'] as const)
      state.resources.add(resource);
    if (mixed) {
      if (state.id !== -1 || state.name !== undefined) {
        throw new UsageError('--id and --name need a resource option (-m, -q, -s, -M, -Q or -S)');
      }
      addColumns(state, DEFAULT_COLUMNS.mixed);
    } else {
      state.global = true;
      if (state.showTime || state.showCreator || state.id !== -1 || state.name !== undefined) {
        throw new UsageError('--global is mutually exclusive with --creator, --id, --name and --time');
      }
    }
  }
  if (state.global) {
    if (filtered) throw new UsageError('--global cannot be combined with filters');
    addColumns(state, DEFAULT_COLUMNS.global);
    state.range = RANGES.global;
  }
  const mode: OutputMode = state.typedJson
    ? 'typed-json'
    : (state.mode ?? (state.id !== -1 || state.name !== undefined ? 'pretty' : 'table'));
  if (mode === 'pretty' && !state.showCreator && !state.showTime) {
    state.columns = [...COLUMN_IDS];
  } else {
    addExtraColumns(state);
  }
  if (state.output !== undefined) state.columns = applyOutputList(state, state.output, mixed);
  if (mixed) state.columns = [...new Set(state.columns)];
  if (state.holders && !state.columns.includes('HOLDERS')) state.columns.push('HOLDERS');
  return {
    resources: state.resources,
    global: state.global,
    id: state.id,
    name: state.name,
    columns: state.columns,
    mode,
    timeFormat: state.timeFormat ?? (mode === 'pretty' ? 'full' : 'short'),
    noHeadings: state.noHeadings,
    noTruncate: state.noTruncate,
    shellVar: state.shellVar,
    bytes: state.bytes,
    numericPerms: state.numericPerms,
    filter: state.filter,
    filtered,
    mixed,
  };
}

function addExtraColumns(state: Accumulated): void {
  const has = (resource: Resource) => state.resources.has(resource);
  if (state.showCreator) {
    addColumns(state, ['CUID', 'CGID']);
    if (!has('pmsg') && !has('pshm') && !has('psem')) addColumns(state, ['UID', 'GID']);
  }
  if (!state.showTime) return;
  if (has('msg')) addColumns(state, ['SEND', 'RECV', 'CTIME']);
  if (has('shm')) {
    // COMMAND stays the last column.
    const command = state.columns[state.columns.length - 1] === 'COMMAND';
    if (command) state.columns.pop();
    addColumns(state, ['ATTACH', 'DETACH']);
    if (command) addColumns(state, ['COMMAND']);
  }
  if (has('sem')) addColumns(state, ['OTIME', 'CTIME']);
}

/**
 * string_add_to_idarray(): "+LIST" appends, "LIST" replaces. An empty name fails silently, and
 * the messages quote the rest of the list from the bad name on, as util-linux prints it.
 */
function applyOutputList(state: Accumulated, list: string, mixed: boolean): ColumnId[] {
  const append = list.startsWith('+');
  const names = append ? list.slice(1) : list;
  const columns = append ? [...state.columns] : [];
  const room = MAX_COLUMNS - columns.length;
  if (names === '') throw new UsageError('');
  let begin = 0;
  let added = 0;
  while (begin < names.length) {
    if (added >= room) throw new UsageError('');
    const comma = names.indexOf(',', begin);
    // A trailing comma is part of the last name (util-linux checks for the end after the comma).
    const end = comma === -1 || comma === names.length - 1 ? names.length : comma;
    if (end === begin) throw new UsageError('');
    columns.push(resolveColumn(names.slice(begin, end), names.slice(begin), mixed ? 'objects' : state.range));
    added++;
    begin = end + 1;
  }
  return columns;
}

/** `range` 'objects': every column but the global view's (filters listing every kind). */
function resolveColumn(name: string, rest: string, range: ColumnRange | 'objects' | undefined): ColumnId {
  const id = findColumn(name);
  if (id === undefined) throw new UsageError(`unknown column: ${rest}`);
  if (!appliesTo(id, range)) throw new UsageError(`column ${rest} does not apply to the specified IPC`);
  return id;
}

function appliesTo(id: ColumnId, range: ColumnRange | 'objects' | undefined): boolean {
  if (isGenericColumn(id)) return true;
  if (range === 'objects') return !isInRange(id, RANGES.global);
  if (isExtraColumn(id)) return range !== RANGES.global;
  return range !== undefined && isInRange(id, range);
}
