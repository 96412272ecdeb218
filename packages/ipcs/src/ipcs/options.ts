/**
 * ipcs's command line (util-linux sys-utils/ipcs.c), parsed once into an IpcsCommand. Options
 * act in command-line order as getopt_long returns them: -h/-V stop at once, a bad -i id stops
 * at once, and a getopt error only counts when nothing before it stopped the parse.
 */

import {
  type GetoptError,
  getoptUntilError,
  type LongOption,
  type ParsedOption,
  ParseError,
  parseS32,
  type ShortOptionKeys,
  UsageError,
} from '@ipcutils/cli';

/** The three System V resources, in the order ipcs prints their sections. */
export type Resource = 'msg' | 'shm' | 'sem';
export const RESOURCE_ORDER: readonly Resource[] = ['msg', 'shm', 'sem'];

/** The output option; only the last of -t/-p/-c/-l/-u counts. */
export type View = 'list' | 'time' | 'pid' | 'creator' | 'limits' | 'summary';

/** util-linux IPC_UNIT_DEFAULT / IPC_UNIT_BYTES (-b) / IPC_UNIT_HUMAN (--human); the last one wins. */
export type SizeUnit = 'default' | 'bytes' | 'human';

export type IpcsCommand =
  | { kind: 'help' }
  | { kind: 'version' }
  /** -i ID with exactly one resource; the output options other than the unit are ignored. */
  | { kind: 'details'; resource: Resource; id: number; unit: SizeUnit }
  | { kind: 'report'; resources: readonly Resource[]; view: View; unit: SizeUnit };

const SHORT_OPTIONS = 'i:qmsatpclubVh';
type OptionKey = ShortOptionKeys<typeof SHORT_OPTIONS> | 'human';

// util-linux's table order: glibc lists ambiguous candidates in this order.
const LONG_OPTIONS: readonly LongOption<OptionKey>[] = [
  { name: 'id', hasArg: 'required', key: 'i' },
  { name: 'queues', hasArg: 'no', key: 'q' },
  { name: 'shmems', hasArg: 'no', key: 'm' },
  { name: 'semaphores', hasArg: 'no', key: 's' },
  { name: 'all', hasArg: 'no', key: 'a' },
  { name: 'time', hasArg: 'no', key: 't' },
  { name: 'pid', hasArg: 'no', key: 'p' },
  { name: 'creator', hasArg: 'no', key: 'c' },
  { name: 'limits', hasArg: 'no', key: 'l' },
  { name: 'summary', hasArg: 'no', key: 'u' },
  { name: 'human', hasArg: 'no', key: 'human' },
  { name: 'bytes', hasArg: 'no', key: 'b' },
  { name: 'version', hasArg: 'no', key: 'V' },
  { name: 'help', hasArg: 'no', key: 'h' },
];

const VIEWS: Readonly<Record<string, View>> = {
  t: 'time',
  p: 'pid',
  c: 'creator',
  l: 'limits',
  u: 'summary',
};

export interface ParseContext {
  /** getopt's message prefix: argv[0] as typed. */
  argv0: string;
  env: Readonly<Record<string, string | undefined>>;
}

/** Parses ipcs's arguments; throws UsageError for anything util-linux exits 1 on. */
export function parseIpcsArgs(argv: readonly string[], context: ParseContext): IpcsCommand {
  const { options, error } = readOptions(argv, context);
  const resources = new Set<Resource>();
  let view: View = 'list';
  let unit: SizeUnit = 'default';
  let id: number | undefined;
  for (const option of options) {
    switch (option.key) {
      case 'h':
        return { kind: 'help' };
      case 'V':
        return { kind: 'version' };
      case 'i':
        id = parseId(option.value ?? '');
        break;
      case 'a':
        for (const resource of RESOURCE_ORDER) resources.add(resource);
        break;
      case 'q':
        resources.add('msg');
        break;
      case 'm':
        resources.add('shm');
        break;
      case 's':
        resources.add('sem');
        break;
      case 'b':
        unit = 'bytes';
        break;
      case 'human':
        unit = 'human';
        break;
      default:
        view = VIEWS[option.key] ?? view;
    }
  }
  if (error) throw UsageError.fromGetopt(error);
  const ordered = RESOURCE_ORDER.filter((resource) => resources.has(resource));
  if (id !== undefined) {
    const [only] = ordered;
    if (only === undefined || ordered.length !== 1) {
      throw new UsageError('when using an ID, a single resource must be specified');
    }
    return { kind: 'details', resource: only, id, unit };
  }
  return { kind: 'report', resources: ordered.length > 0 ? ordered : RESOURCE_ORDER, view, unit };
}

interface ReadOptions {
  options: ParsedOption<OptionKey>[];
  /** The getopt error that ends the options, if any; the options before it still act first. */
  error?: GetoptError;
}

/** The options getopt_long hands out, up to the first bad one (whose error comes last). */
function readOptions(argv: readonly string[], context: ParseContext): ReadOptions {
  const { options, error } = getoptUntilError(argv, {
    program: context.argv0,
    shortOptions: SHORT_OPTIONS,
    longOptions: LONG_OPTIONS,
    env: context.env,
  });
  return error ? { options, error } : { options };
}

/** strtos32_or_err(optarg, "failed to parse id argument"): errx, or err() with strerror on ERANGE. */
function parseId(value: string): number {
  try {
    return parseS32(value);
  } catch (error) {
    if (!(error instanceof ParseError)) throw error;
    throw new UsageError(error.messageFor('failed to parse id argument'));
  }
}
