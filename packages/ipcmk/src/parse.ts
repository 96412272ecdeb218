/**
 * argv → Request, with util-linux 2.43's checks, order and texts: a bad value ends parsing where
 * it is (util-linux exits there), then "bad usage" and the POSIX name requirement; our additions
 * (--key, --ftok, --project-id, --json) are checked after those.
 */
import {
  getoptUntilError,
  type LongOption,
  type ParsedOption,
  ParseError,
  type ParseFailure,
  parseOctalMode,
  parseS32,
  parseSize,
  parseUlongKey,
  type ShortOptionKeys,
} from '@ipcutils/cli';
import { CREATION_ORDER, type KeySource, type Request, type ResourceRequest } from './request.js';

/** What an unparsable value was for: the word util-linux puts in "failed to parse …". */
export type ValueName = 'size' | 'elements' | 'mode' | 'key' | 'project id';

export type Diagnostic =
  /** getopt's own message (it carries argv[0]). */
  | { kind: 'getopt'; message: string }
  | { kind: 'parse-failed'; value: ValueName; text: string; reason: ParseFailure }
  /** No resource option. */
  | { kind: 'bad-usage' }
  /** -m, -q or -s without -n. */
  | { kind: 'name-required' }
  | { kind: 'conflicting-options'; options: readonly [string, string] }
  /** --project-id without --ftok. */
  | { kind: 'missing-option'; option: string; required: string }
  /** --key or --ftok without -M, -Q or -S. */
  | { kind: 'sysv-only'; option: string };

export type ParseResult =
  | { kind: 'create'; request: Request }
  | { kind: 'help' }
  | { kind: 'version' }
  | { kind: 'invalid'; diagnostic: Diagnostic };

export interface ParseContext {
  /** getopt's message prefix: argv[0] as typed. */
  argv0: string;
  env: Readonly<Record<string, string | undefined>>;
}

export const SHORT_OPTIONS = 'hM:m:QqS:sp:n:Vh';

// util-linux 2.43's table, then ours (new long options only): every existing spelling keeps its
// meaning; only the ambiguous `--p` now also lists --project-id among its possibilities.
export const LONG_OPTIONS = [
  { name: 'shmem', hasArg: 'required', key: 'M' },
  { name: 'posix-shmem', hasArg: 'required', key: 'm' },
  { name: 'semaphore', hasArg: 'required', key: 'S' },
  { name: 'posix-semaphore', hasArg: 'no', key: 's' },
  { name: 'queue', hasArg: 'no', key: 'Q' },
  { name: 'posix-mqueue', hasArg: 'no', key: 'q' },
  { name: 'mode', hasArg: 'required', key: 'p' },
  { name: 'name', hasArg: 'required', key: 'n' },
  { name: 'version', hasArg: 'no', key: 'V' },
  { name: 'help', hasArg: 'no', key: 'h' },
  { name: 'key', hasArg: 'required', key: 'key', extension: true },
  { name: 'ftok', hasArg: 'required', key: 'ftok', extension: true },
  { name: 'project-id', hasArg: 'required', key: 'project-id', extension: true },
  { name: 'json', hasArg: 'no', key: 'json', extension: true },
] as const satisfies readonly LongOption[];

/** util-linux 2.43: str2unum_or_err(optarg, 8, …, 07777). */
const MAX_MODE = 0o7777;
const DEFAULT_MODE = 0o644;
/** ftok(3) uses the low 8 bits of the project id; 0 is reserved by POSIX. */
const MAX_PROJECT_ID = 255;
const DEFAULT_PROJECT_ID = 1;

/** Everything the options said, before the checks that need all of them. */
interface Collected {
  asked: Record<ResourceRequest['kind'], boolean>;
  /** util-linux keeps one size for -M and -m: the last one given applies to both. */
  size: bigint;
  nsems: number;
  mode: number;
  name?: string;
  key?: number;
  ftokPath?: string;
  projectId?: number;
  json: boolean;
}

type OptionKey = ShortOptionKeys<typeof SHORT_OPTIONS> | (typeof LONG_OPTIONS)[number]['key'];

export function parseRequest(argv: readonly string[], context: ParseContext): ParseResult {
  const parsed = getoptUntilError(argv, {
    program: context.argv0,
    shortOptions: SHORT_OPTIONS,
    longOptions: LONG_OPTIONS,
    env: context.env,
  });
  const collected: Collected = {
    asked: { shm: false, pshm: false, msg: false, pmsg: false, sem: false, psem: false },
    size: 0n,
    nsems: 0,
    mode: DEFAULT_MODE,
    json: false,
  };
  for (const option of parsed.options) {
    if (option.key === 'h') return { kind: 'help' };
    if (option.key === 'V') return { kind: 'version' };
    const problem = applyOption(option, collected);
    if (problem) return { kind: 'invalid', diagnostic: problem };
  }
  if (parsed.error) return { kind: 'invalid', diagnostic: { kind: 'getopt', message: parsed.error.message } };
  // Operands are ignored, as util-linux ignores them (`ipcmk -Q extra` creates a queue).
  const problem = findUsageProblem(collected);
  if (problem) return { kind: 'invalid', diagnostic: problem };
  return { kind: 'create', request: toRequest(collected) };
}

/**
 * Records one option. A value that does not parse is returned as the problem that ends parsing
 * there (util-linux exits at the first bad value).
 */
function applyOption(option: ParsedOption<OptionKey>, collected: Collected): Diagnostic | undefined {
  const value = option.value ?? '';
  switch (option.key) {
    case 'M':
    case 'm': {
      const size = parseValue('size', value, parseSize);
      if (typeof size === 'object') return size;
      collected.size = size;
      collected.asked[option.key === 'M' ? 'shm' : 'pshm'] = true;
      return undefined;
    }
    case 'S': {
      const nsems = parseValue('elements', value, parseS32);
      if (typeof nsems === 'object') return nsems;
      collected.nsems = nsems;
      collected.asked.sem = true;
      return undefined;
    }
    case 'p': {
      const mode = parseValue('mode', value, (text) => parseOctalMode(text, MAX_MODE));
      if (typeof mode === 'object') return mode;
      collected.mode = mode;
      return undefined;
    }
    case 'key': {
      const key = parseValue('key', value, parseUlongKey);
      if (typeof key === 'object') return key;
      collected.key = key;
      return undefined;
    }
    case 'project-id': {
      const projectId = parseValue('project id', value, parseProjectId);
      if (typeof projectId === 'object') return projectId;
      collected.projectId = projectId;
      return undefined;
    }
    case 'Q':
      collected.asked.msg = true;
      return undefined;
    case 'q':
      collected.asked.pmsg = true;
      return undefined;
    case 's':
      collected.asked.psem = true;
      return undefined;
    case 'n':
      collected.name = value;
      return undefined;
    case 'ftok':
      collected.ftokPath = value;
      return undefined;
    case 'json':
      collected.json = true;
      return undefined;
  }
}

/** util-linux's checks after the options ("bad usage", the POSIX name), then those of our options. */
function findUsageProblem(collected: Collected): Diagnostic | undefined {
  const { asked, key, ftokPath, projectId } = collected;
  if (!Object.values(asked).some(Boolean)) return { kind: 'bad-usage' };
  if ((asked.pshm || asked.pmsg || asked.psem) && collected.name === undefined)
    return { kind: 'name-required' };
  if (key !== undefined && ftokPath !== undefined)
    return { kind: 'conflicting-options', options: ['--key', '--ftok'] };
  if (projectId !== undefined && ftokPath === undefined) {
    return { kind: 'missing-option', option: '--project-id', required: '--ftok' };
  }
  const keyOption = key !== undefined ? '--key' : ftokPath !== undefined ? '--ftok' : undefined;
  if (keyOption !== undefined && !(asked.shm || asked.msg || asked.sem))
    return { kind: 'sysv-only', option: keyOption };
  return undefined;
}

function toRequest(collected: Collected): Request {
  const { asked, size, nsems, key, ftokPath } = collected;
  const name = collected.name ?? '';
  let keySource: KeySource = { kind: 'random' };
  if (key !== undefined) keySource = { kind: 'fixed', key };
  if (ftokPath !== undefined) {
    keySource = { kind: 'ftok', path: ftokPath, projectId: collected.projectId ?? DEFAULT_PROJECT_ID };
  }
  const requests: Record<ResourceRequest['kind'], ResourceRequest> = {
    shm: { kind: 'shm', size },
    pshm: { kind: 'pshm', name, size },
    msg: { kind: 'msg' },
    pmsg: { kind: 'pmsg', name },
    sem: { kind: 'sem', nsems },
    psem: { kind: 'psem', name },
  };
  // util-linux creates in a fixed order, whatever the order of the options.
  const resources = CREATION_ORDER.filter((kind) => asked[kind]).map((kind) => requests[kind]);
  return { resources, mode: collected.mode, keySource, json: collected.json };
}

/** The parsed number, or the "failed to parse" problem naming the value. */
function parseValue<T extends number | bigint>(
  value: ValueName,
  text: string,
  parse: (text: string) => T,
): T | Diagnostic {
  try {
    return parse(text);
  } catch (error) {
    if (error instanceof ParseError) return { kind: 'parse-failed', value, text, reason: error.reason };
    throw error;
  }
}

/** A decimal project id for ftok, 1 to 255 (ftok keeps only the low 8 bits, so more would alias). */
export function parseProjectId(text: string): number {
  const id = parseS32(text);
  if (id < 1 || id > MAX_PROJECT_ID) throw new ParseError(text, 'range');
  return id;
}
