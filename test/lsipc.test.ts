// lsipc end to end: our built bin against the installed util-linux 2.38.1 lsipc on the same rich
// state in a private namespace, byte for byte, except for the differences 2.43-devel (which we
// match) has from 2.38.1 — each normalised by one function of NORMALISATIONS below, with its
// reason. POSIX objects (2.38.1 has none) are checked against the 2.43-devel samples instead.
import type { ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { formatSizeHuman } from '@ipcutils/cli';
import {
  type MsgQueue,
  parseMsgTable,
  parseSemTable,
  parseShmTable,
  type SemSet,
  type ShmSegment,
} from '@ipcutils/core';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { FIXTURES, listSamples } from '../packages/ipcs/test/lsipc/fixtures.js';
import { IpcNamespace, NOBODY, type RunResult, waitForLine, withNamespace } from './helpers/namespace.js';
import { buildRichState, NAMELESS_USER, type RichState } from './helpers/state.js';

const ROOT = join(import.meta.dirname, '..');
/** bin/lsipc links to the built bundle, so the program names itself "lsipc" from PATH. */
const BIN_DIR = join(ROOT, 'bin');
const BUILT = join(ROOT, 'packages/ipcs/dist/lsipc.js');
const REFERENCE = '/usr/bin/lsipc';

// ---------------------------------------------------------------------------------------------
// The state, and what the test knows about it independently of both tools.

interface Facts {
  shm: ShmSegment[];
  msg: MsgQueue[];
  sem: SemSet[];
  mqueue: { queuesMax: number; msgMax: number; msgsizeMax: number; count: number };
}

let ns: IpcNamespace;
let state: RichState;
let creator: ChildProcess;
let facts: Facts;

async function readFacts(): Promise<Facts> {
  const cat = async (path: string) => (await ns.run('cat', [path])).stdout;
  const number = async (path: string) => Number((await cat(path)).trim());
  const queues = (await ns.run('ls', ['/dev/mqueue'])).stdout.split('\n').filter(Boolean);
  return {
    shm: parseShmTable(await cat('/proc/sysvipc/shm')),
    msg: parseMsgTable(await cat('/proc/sysvipc/msg')),
    sem: parseSemTable(await cat('/proc/sysvipc/sem')),
    mqueue: {
      queuesMax: await number('/proc/sys/fs/mqueue/queues_max'),
      msgMax: await number('/proc/sys/fs/mqueue/msg_max'),
      msgsizeMax: await number('/proc/sys/fs/mqueue/msgsize_max'),
      count: queues.length,
    },
  };
}

beforeAll(async () => {
  if (!existsSync(BUILT)) throw new Error(`${BUILT} is missing: run \`node scripts/build.mjs\` first`);
  ns = await IpcNamespace.create();
  state = await buildRichState(ns);
  // A segment whose creator still runs, so COMMAND has data (with blanks and a backslash).
  creator = ns.spawn('perl', [
    '-e',
    'shmget(4660, 4096, 01644) // die; $| = 1; print "created\\n"; sleep 1000',
  ]);
  await waitForLine(creator, 'created');
  facts = await readFacts();
}, 120_000);

afterAll(async () => {
  creator?.kill('SIGKILL');
  await state?.dispose();
  await ns?.close();
});

function ours(args: readonly string[], env: Record<string, string> = {}): Promise<RunResult> {
  return ns.run('lsipc', args, {
    env: { PATH: `${BIN_DIR}:${process.env.PATH ?? '/usr/bin:/bin'}`, ...env },
  });
}

/** Found on PATH like ours, so getopt's messages name it "lsipc" too. */
function reference(args: readonly string[], env: Record<string, string> = {}): Promise<RunResult> {
  return ns.run('lsipc', args, { env: { PATH: `${dirname(REFERENCE)}:/bin`, ...env } });
}

// ---------------------------------------------------------------------------------------------
// The known differences between 2.38.1 and 2.43-devel, each turning 2.38.1's output into 2.43's.

type Mode = 'table' | 'noheadings' | 'raw' | 'export' | 'newline' | 'json' | 'pretty';

interface Case {
  args: string[];
  /** Normalisations that apply (by name); empty: byte-identical. */
  normalise: (keyof typeof NORMALISATIONS)[];
}

const NORMALISATIONS = {
  /** util-linux ≤2.42 printed the creator uid as CGID for shm (929fcc95e) and msg (c64c64b76). */
  cgid: (result: RunResult, args: string[]): RunResult => {
    const kind = args.includes('-q') ? 'msg' : 'shm';
    const objects: readonly (ShmSegment | MsgQueue)[] = kind === 'msg' ? facts.msg : facts.shm;
    let stdout = result.stdout;
    for (const [row, object] of selectedRows(objects, args)) {
      if (object.cuid === object.cgid) continue;
      stdout = replaceCell(stdout, modeOf(args), {
        column: 'CGID',
        row,
        from: String(object.cuid),
        to: String(object.cgid),
      });
    }
    return { ...result, stdout };
  },
  /** `-P` left PERMS empty for message queues before 6d97ddf18 (2.43-devel). */
  msgPerms: (result: RunResult, args: string[]): RunResult => {
    let stdout = result.stdout;
    for (const [row, queue] of selectedRows(facts.msg, args)) {
      stdout = replaceCell(stdout, modeOf(args), {
        column: 'PERMS',
        row,
        from: '',
        to: `0${(queue.mode & 0o777).toString(8)}`,
      });
    }
    return { ...result, stdout };
  },
  /** libsmartcols newer than 2.38 ignores header widths with --noheadings: compare cells only. */
  noheadingsWidths: (result: RunResult): RunResult => ({ ...result, stdout: collapseBlanks(result.stdout) }),
  /**
   * 2.41 put -N first in the {-g,-i} row of exclusive options; the rows being scanned in ASCII
   * order, err_exclusive_options() now reaches the {-c,-o,-t} row for -c too, so -c with -o or -t
   * is refused where 2.38.1 accepted it.
   */
  creatorChecked: (_: RunResult, args: string[]): RunResult => {
    const [first, second] = conflictingOptions(args);
    return { stdout: '', stderr: `lsipc: options ${first} and ${second} cannot be combined\n`, status: 1 };
  },
  /** The global view: System V descriptions renamed and POSIX MQU* rows added (2.41), SEMMNS used fixed (2.40). */
  global: (result: RunResult, args: string[]): RunResult => ({
    ...result,
    stdout: normaliseGlobal(result.stdout, args),
  }),
  /** Exclusive options: "options --a and --b cannot be combined" since 2.42 (abfce923b). */
  exclusiveMessage: (result: RunResult, args: string[]): RunResult => {
    const [first, second] = conflictingOptions(args);
    return {
      ...result,
      stderr: result.stderr.replace(
        /^lsipc: mutually exclusive arguments:.*$/m,
        `lsipc: options ${first} and ${second} cannot be combined`,
      ),
    };
  },
  /** --name joined the options the global view refuses (2.41). */
  globalMessage: (result: RunResult): RunResult => ({
    ...result,
    stderr: result.stderr.replace('--creator, --id and --time', '--creator, --id, --name and --time'),
  }),
  /** lsipc's column array holds twice its column count: 34 columns in 2.38.1, 37 since POSIX (2.41). */
  columnLimit: (result: RunResult): RunResult => ({
    ...result,
    stderr: result.stderr.replace('the limit is 67 columns', 'the limit is 73 columns'),
  }),
} as const;

function modeOf(args: readonly string[]): Mode {
  if (args.includes('--json')) return 'json';
  if (args.includes('--raw')) return 'raw';
  if (args.includes('--newline')) return 'newline';
  if (args.includes('--export')) return 'export';
  if (args.includes('--noheadings')) return 'noheadings';
  if (args.includes('-i') && !args.includes('--list')) return 'pretty';
  return 'table';
}

/** The objects a listing shows, with their row numbers: all in /proc order, or the one of -i. */
function selectedRows<T extends { id: number }>(
  objects: readonly T[],
  args: readonly string[],
): [number, T][] {
  const at = args.indexOf('-i');
  if (at === -1) return objects.map((object, row) => [row, object]);
  const object = objects.find((candidate) => candidate.id === Number(args[at + 1]));
  return object ? [[0, object]] : [];
}

const PRETTY_LABELS: Record<string, string> = { CGID: 'Creator GID', PERMS: 'Permissions' };

/** Replaces one cell of one row, in place and at the same width, in any output mode. */
function replaceCell(
  text: string,
  mode: Mode,
  cell: { column: string; row: number; from: string; to: string },
): string {
  const lines = text.split('\n');
  const { column, row, from, to } = cell;
  switch (mode) {
    case 'table': {
      // Both columns are right-aligned: the cell ends where the header label ends.
      const end = lines[0]!.search(new RegExp(`(?<=\\s|^)${column}(?=\\s|$)`)) + column.length;
      const line = lines[row + 1]!;
      const width = Math.max(from.length, to.length);
      expect(line.slice(end - width, end).trim()).toBe(from);
      lines[row + 1] = line.slice(0, end - width) + to.padStart(width) + line.slice(end);
      return lines.join('\n');
    }
    case 'raw': {
      const index = lines[0]!.split(' ').indexOf(column);
      const fields = lines[row + 1]!.split(' ');
      expect(fields[index]).toBe(from);
      fields[index] = to;
      lines[row + 1] = fields.join(' ');
      return lines.join('\n');
    }
    case 'export':
      lines[row] = lines[row]!.replace(` ${column}="${from}"`, ` ${column}="${to}"`);
      return lines.join('\n');
    case 'newline': {
      const perRecord = lines.slice(1).findIndex((line) => line.startsWith('KEY=')) + 1;
      const index =
        row * perRecord + lines.slice(0, perRecord).findIndex((line) => line.startsWith(`${column}=`));
      expect(lines[index]).toBe(`${column}="${from}"`);
      lines[index] = `${column}="${to}"`;
      return lines.join('\n');
    }
    case 'json': {
      const objects = text.split('},{');
      const key = `"${column.toLowerCase()}": `;
      objects[row] = objects[row]!.replace(key + (from ? `"${from}"` : 'null'), `${key}"${to}"`);
      return objects.join('},{');
    }
    case 'pretty': {
      const label = `${PRETTY_LABELS[column]}:`;
      const line = `${label}${' '.repeat(35 - label.length + 1)}${to.padEnd(36)}`;
      const at = lines.findIndex((candidate) => candidate.startsWith(label));
      if (at !== -1) lines[at] = line;
      // A cell with no data has no line: PERMS comes right after Owner.
      else lines.splice(lines.findIndex((candidate) => candidate.startsWith('Owner:')) + 1, 0, line);
      return lines.join('\n');
    }
    case 'noheadings': {
      // Blank-collapsed (see noheadingsWidths): CGID is the third field from the end with -c,
      // an empty PERMS has vanished after KEY and ID.
      const fields = lines[row]!.split(' ');
      if (column === 'CGID') {
        expect(fields[fields.length - 3]).toBe(from);
        fields[fields.length - 3] = to;
      } else {
        expect(fields[2]).not.toMatch(/^0\d+$/);
        fields.splice(2, 0, to);
      }
      lines[row] = fields.join(' ');
      return lines.join('\n');
    }
  }
}

function collapseBlanks(text: string): string {
  return text
    .split('\n')
    .map((line) => line.trim().replace(/ +/g, ' '))
    .join('\n');
}

/** The first two different options of one exclusive group, as err_exclusive_options() meets them. */
function conflictingOptions(args: readonly string[]): [string, string] {
  const groups = [
    ['--json', '--export', '--list', '--newline', '--raw'],
    ['--global', '--id'],
    ['--creator', '--output', '--time'],
    ['--shmems', '--queues', '--semaphores'],
  ];
  const long: Record<string, string> = {
    '-J': '--json',
    '-e': '--export',
    '-l': '--list',
    '-n': '--newline',
    '-r': '--raw',
    '-g': '--global',
    '-i': '--id',
    '-c': '--creator',
    '-o': '--output',
    '-t': '--time',
    '-m': '--shmems',
    '-q': '--queues',
    '-s': '--semaphores',
  };
  const seen = new Map<string[], string>();
  const split = args.flatMap((arg) =>
    /^-[a-zA-Z]{2,}$/.test(arg) ? [...arg.slice(1)].map((c) => `-${c}`) : [arg],
  );
  for (const arg of split.map((a) => long[a] ?? a)) {
    const group = groups.find((candidate) => candidate.includes(arg));
    if (!group) continue;
    const first = seen.get(group);
    if (first === undefined) seen.set(group, arg);
    else if (first !== arg) return [first, arg];
  }
  throw new Error(`no conflict in ${args.join(' ')}`);
}

// --- the global view ----------------------------------------------------------------------

type GlobalRecord = Record<'RESOURCE' | 'DESCRIPTION' | 'LIMIT' | 'USED' | 'USE%', string>;
const GLOBAL_COLUMNS = ['RESOURCE', 'DESCRIPTION', 'LIMIT', 'USED', 'USE%'] as const;

const RENAMED: Record<string, string> = {
  'Number of message queues': 'Number of System V message queues',
  'Max size of message (bytes)': 'Max size of System V message (bytes)',
  'Default max size of queue (bytes)': 'Default max size of System V queue (bytes)',
};

function normaliseRecords(records: GlobalRecord[], bytes: boolean): GlobalRecord[] {
  const { mqueue, sem } = facts;
  const percent = (used: number, limit: number) => `${((used / limit) * 100).toFixed(2)}%`;
  const out: GlobalRecord[] = [];
  for (const record of records) {
    const renamed = { ...record, DESCRIPTION: RENAMED[record.DESCRIPTION] ?? record.DESCRIPTION };
    if (record.RESOURCE === 'SEMMNS') {
      const used = sem.reduce((sum, set) => sum + set.nsems, 0);
      renamed.USED = String(used);
      renamed['USE%'] = percent(used, Number(record.LIMIT));
    }
    out.push(renamed);
    if (record.RESOURCE === 'MSGMNB') {
      const size = (value: number) => (bytes ? String(value) : formatSizeHuman(value));
      out.push(
        {
          RESOURCE: 'MQUMNI',
          DESCRIPTION: 'Number of POSIX message queues',
          LIMIT: String(mqueue.queuesMax),
          USED: String(mqueue.count),
          'USE%': percent(mqueue.count, mqueue.queuesMax),
        },
        {
          RESOURCE: 'MQUMAX',
          DESCRIPTION: 'Max size of POSIX message (bytes)',
          LIMIT: size(mqueue.msgsizeMax),
          USED: '-',
          'USE%': '-',
        },
        {
          RESOURCE: 'MQUMNB',
          DESCRIPTION: 'Number of messages in POSIX message queue',
          LIMIT: String(mqueue.msgMax),
          USED: '-',
          'USE%': '-',
        },
      );
    }
  }
  return out;
}

/** Parses 2.38.1's global view in the case's mode, fixes the records, writes them back in that mode. */
function normaliseGlobal(text: string, args: readonly string[]): string {
  const mode = modeOf(args);
  const bytes = args.includes('-b');
  const names = args.includes('--shell')
    ? GLOBAL_COLUMNS.map((name) => name.replace('%', '_PCT'))
    : [...GLOBAL_COLUMNS];
  const lines = text.split('\n').slice(0, -1);
  const fromValues = (values: string[]) =>
    Object.fromEntries(GLOBAL_COLUMNS.map((name, n) => [name, values[n] ?? ''])) as GlobalRecord;
  const toValues = (record: GlobalRecord) => GLOBAL_COLUMNS.map((name) => record[name]);
  switch (mode) {
    case 'table':
    case 'noheadings': {
      const headings = mode === 'table';
      const rows = (headings ? lines.slice(1) : lines).map((line) => {
        const match = /^(\S+) +(.*?) +(\S+) +(\S+) +(\S+)$/.exec(line);
        if (!match) throw new Error(`not a global row: ${line}`);
        return fromValues(match.slice(1));
      });
      const cells = normaliseRecords(rows, bytes).map(toValues);
      if (headings) cells.unshift(names);
      const widths = names.map((_, c) => Math.max(...cells.map((row) => row[c]!.length)));
      return `${cells
        .map((row) =>
          row.map((cell, c) => (c < 2 ? cell.padEnd(widths[c]!) : cell.padStart(widths[c]!))).join(' '),
        )
        .join('\n')}\n`;
    }
    case 'export':
    case 'newline': {
      const fields = [...text.matchAll(/[^ \n=]+="([^"]*)"/g)].map((match) => match[1]!);
      const records = Array.from({ length: fields.length / 5 }, (_, n) =>
        fromValues(fields.slice(n * 5, n * 5 + 5)),
      );
      const separator = mode === 'newline' ? '\n' : ' ';
      return `${normaliseRecords(records, bytes)
        .map((record) =>
          toValues(record)
            .map((value, c) => `${names[c]}="${value}"`)
            .join(separator),
        )
        .join('\n')}\n`;
    }
    case 'raw': {
      const unescapeBlanks = (field: string) => field.replace(/\\x20/g, ' ');
      const records = lines.slice(1).map((line) => fromValues(line.split(' ').map(unescapeBlanks)));
      const rows = normaliseRecords(records, bytes).map((record) =>
        toValues(record)
          .map((value) => value.replace(/ /g, '\\x20'))
          .join(' '),
      );
      return `${[names.join(' '), ...rows].join('\n')}\n`;
    }
    case 'json': {
      const parsed = JSON.parse(text) as { ipclimits: Record<string, string>[] };
      const records = parsed.ipclimits.map((object) => fromValues(Object.values(object)));
      const keys = names.map((name) => name.toLowerCase());
      const objects = normaliseRecords(records, bytes).map(
        (record) =>
          `{\n${toValues(record)
            .map((value, c) => `         "${keys[c]}": "${value}"`)
            .join(',\n')}\n      }`,
      );
      return `{\n   "ipclimits": [\n      ${objects.join(',')}\n   ]\n}\n`;
    }
    case 'pretty':
      throw new Error('the global view has no pretty mode');
  }
}

// ---------------------------------------------------------------------------------------------
// The cases, generated.

const SYSV = ['-m', '-q', '-s'] as const;
const MODIFIERS: string[][] = [
  [],
  ['-b'],
  ['-c'],
  ['-t'],
  ['-P'],
  ['--notruncate'],
  ['-t', '--time-format=full'],
  ['-t', '--time-format=iso'],
  ['--time-format=short'],
  ['-o', 'KEY,ID,OWNER,PERMS'],
  ['-o', '+CUID,CUSER,CGID,CGROUP,UID,USER,GID,GROUP,CTIME'],
  ['-o', 'key,Id,owner'],
];
const MODES: string[][] = [
  [],
  ['--noheadings'],
  ['--raw'],
  ['--export'],
  ['--export', '--shell'],
  ['--newline'],
  ['--json'],
  ['--list'],
];

function listingCase(args: string[]): Case {
  const normalise: Case['normalise'] = [];
  // The pretty view shows every column unless -c, -t or -o choose them.
  const allColumns = modeOf(args) === 'pretty' && !['-c', '-t', '-o'].some((option) => args.includes(option));
  const showsCgid = args.includes('-c') || args.some((arg) => /(^|,|\+)CGID/i.test(arg)) || allColumns;
  if (modeOf(args) === 'noheadings') normalise.push('noheadingsWidths');
  if (!args.includes('-s') && showsCgid) normalise.push('cgid');
  if (args.includes('-q') && args.includes('-P')) normalise.push('msgPerms');
  return { args, normalise };
}

function buildCases(): Case[] {
  const cases: Case[] = [];
  for (const resource of SYSV) {
    for (const modifier of MODIFIERS) cases.push(listingCase([resource, ...modifier]));
    for (const mode of MODES.slice(1)) {
      for (const modifier of [[], ['-c'], ['-t'], ['-P', '-b']])
        cases.push(listingCase([resource, ...modifier, ...mode]));
    }
  }
  // -i: every object and a missing id, in the pretty view and the other modes.
  const ids = { '-m': [0, 1, 2, 3, 4, 5], '-q': [0, 1, 2], '-s': [0, 1, 2] };
  for (const resource of SYSV) {
    for (const id of [...ids[resource], 999]) {
      for (const mode of [[], ['--list'], ['--json'], ['--raw'], ['--export']]) {
        cases.push(listingCase([resource, '-i', String(id), ...mode]));
      }
      cases.push(listingCase([resource, '-i', String(id), '-o', 'KEY,ID,OWNER']));
      cases.push(listingCase([resource, '-i', String(id), '-t']));
    }
  }
  // The global view.
  for (const args of [
    [],
    ['-g'],
    ['-g', '-b'],
    ['-g', '--export'],
    ['-g', '--export', '--shell'],
    ['-g', '--newline'],
    ['-g', '--json'],
    ['-g', '--raw'],
    ['-g', '--noheadings'],
    ['--shell'],
  ]) {
    cases.push({ args, normalise: ['global'] });
  }
  cases.push({ args: ['-g', '-m'], normalise: [] });
  cases.push({ args: ['-g', '-m', '--json'], normalise: [] });
  return cases;
}

const ERROR_CASES: Case[] = [
  ...[
    ['-m', '-s'],
    ['-q', '-m'],
    ['-s', '--queues'],
    ['-m', '--json', '--raw'],
    ['-m', '-e', '-n'],
    ['-m', '-l', '-r'],
    ['-m', '-t', '-c', '-o', 'KEY'],
    ['-m', '-t', '-o', 'KEY'],
    ['-g', '-i', '1'],
    ['-m', '-s', '--bogus'],
    ['-m', '-mJr'],
  ].map((args): Case => ({ args, normalise: ['exclusiveMessage'] })),
  ...[['-i', '1'], ['-c'], ['-t'], ['--time']].map((args): Case => ({ args, normalise: ['globalMessage'] })),
  { args: ['-m', '-m', '-m', '-m', '-m', '-m', '-m'], normalise: ['columnLimit'] },
  ...[
    ['-m', '-c', '-o', 'KEY'],
    ['-m', '-c', '-t'],
    ['-q', '-t', '--creator'],
  ].map((args): Case => ({ args, normalise: ['creatorChecked'] })),
  ...[
    ['-m', '-i', 'abc'],
    ['-m', '-i', '99999999999'],
    ['-m', '-i', ''],
    ['-m', '-i', '1x'],
    ['-m', '-o', 'FOO'],
    ['-m', '-o', 'KEY,FOO'],
    ['-m', '-o', 'FOO,KEY'],
    ['-m', '-o', 'KEY,MSGS'],
    ['-m', '-o', 'KEY,MSGS,ID'],
    ['-q', '-o', 'SIZE'],
    ['-m', '-o', 'KEY,,ID'],
    ['-m', '-o', ''],
    ['-m', '-o', '+'],
    ['-m', '-o', ',KEY'],
    ['-m', '--time-format=bogus'],
    ['-m', '--time-format'],
    ['--bogus'],
    ['-x'],
    ['-mx'],
    ['-m', '-i'],
    ['--id'],
    ['--s'],
    ['--shmems=1'],
    ['-m', '--bogus', '-s'],
    ['-m', '-i', '-5'],
    ['-m', '-i', '-1'],
    ['--shm'],
    ['-m', '-m'],
    ['-m', '-o', 'KEY,', '--json'],
    ['-m', '--', '-s'],
    ['-m', 'operand'],
  ].map((args): Case => ({ args, normalise: [] })),
];

const CASES = [...buildCases(), ...ERROR_CASES];

describe('lsipc against util-linux 2.38.1 on the rich state', () => {
  it('has the case table it was written for', () => {
    const normalised = CASES.filter((c) => c.normalise.length > 0).length;
    expect({ total: CASES.length, identical: CASES.length - normalised, normalised }).toEqual({
      total: 287,
      identical: 212,
      normalised: 75,
    });
  });

  it.each(CASES.map((c) => [c.args.join(' ') || '(no options)', c] as const))(
    'lsipc %s',
    async (_, testCase) => {
      const [mine, theirs] = await Promise.all([ours(testCase.args), reference(testCase.args)]);
      let want = theirs;
      for (const name of testCase.normalise) want = NORMALISATIONS[name](want, testCase.args);
      const got = testCase.normalise.includes('noheadingsWidths')
        ? NORMALISATIONS.noheadingsWidths(mine)
        : mine;
      expect(got).toEqual(want);
    },
  );
});

// Times in the local zone as glibc's localtime() reads TZ: zone names, files, and POSIX rules
// that V8's Date does not understand.
const TIME_ZONES = [
  'America/New_York',
  ':Asia/Kolkata',
  'EST5EDT4',
  '<+0330>-3:30',
  'CET-1CEST,M3.5.0,M10.5.0/3',
  'garbage',
];
const TIME_ARGS = [
  ['-m', '-o', 'KEY,CTIME,ATTACH,DETACH', '--time-format=iso'],
  ['-q', '-t', '--time-format=full'],
  ['-s', '-t', '--time-format=short'],
  ['-m', '-i', '0'],
];

describe('lsipc times under TZ against util-linux 2.38.1', () => {
  it.each(TIME_ZONES.flatMap((tz) => TIME_ARGS.map((args) => [tz, args.join(' '), args] as const)))(
    'TZ=%s lsipc %s',
    async (tz, _, args) => {
      const [mine, theirs] = await Promise.all([ours(args, { TZ: tz }), reference(args, { TZ: tz })]);
      expect(mine).toEqual(theirs);
    },
  );
});

// ---------------------------------------------------------------------------------------------
// POSIX objects: 2.38.1 has none; the rich state's POSIX objects are the samples' (same names,
// modes, sizes and messages), made at another time.

/** Times made comparable: "HH:MM", asctime and ISO dates become placeholders. */
function maskTimes(text: string): string {
  return text
    .replace(/\w{3} \w{3} [ \d]\d \d\d:\d\d:\d\d \d{4}/g, '<full>')
    .replace(/\b\d\d:\d\d\b/g, '<hh:mm>');
}

describe('POSIX listings against the 2.43-devel samples', () => {
  const posixSamples = ['lsipc-M', 'lsipc-Q', 'lsipc-S'].flatMap((prefix) => listSamples(prefix));

  // The samples' times are of the day they were made ("HH:MM"); objects made before midnight and
  // listed after it would print "Dec02". Each listing sees objects modified just now.
  beforeEach(async () => {
    const touched = await ns.run('sh', ['-c', 'touch -c /dev/shm/* /dev/mqueue/*']);
    expect(touched.status).toBe(0);
  });

  it.each(posixSamples.map((sample) => [sample.args.join(' '), sample] as const))(
    'lsipc %s',
    async (_, sample) => {
      const result = await ours(sample.args);
      const stderr =
        sample.args.join(' ') === '-S -N nosuch' ? 'lsipc: semaphore nosuch not found\n' : sample.stderr;
      expect({ ...result, stdout: maskTimes(result.stdout) }).toEqual({
        stdout: maskTimes(sample.stdout),
        stderr,
        status: sample.status,
      });
    },
  );

  it('covers every POSIX sample', () => {
    expect(posixSamples).toHaveLength(17);
  });

  it('lists POSIX objects in every other output mode too', async () => {
    const raw = await ours(['-Q', '--raw', '-b']);
    expect(maskTimes(raw.stdout)).toBe(
      'NAME PERMS OWNER MTIME USEDBYTES MSGS\n/pmq_b rw------- root <hh:mm> 0 0\n/pmq_a rw-r--r-- root <hh:mm> 21 2\n',
    );
    const exported = await ours(['-S', '--export', '-o', '+CUID,CGID,CUSER,CGROUP']);
    expect(maskTimes(exported.stdout)).toBe(
      'NAME="psem_b" PERMS="rw-------" OWNER="root" MTIME="<hh:mm>" SVAL="0" CUID="0" CGID="0" CUSER="root" CGROUP="root"\n' +
        'NAME="psem_a" PERMS="rw-r--r--" OWNER="root" MTIME="<hh:mm>" SVAL="3" CUID="0" CGID="0" CUSER="root" CGROUP="root"\n',
    );
  });
});

describe('help and version', () => {
  it('--help is util-linux 2.43 text, with our options after -V and our columns at the end', async () => {
    const help = readFileSync(join(FIXTURES, 'help-lsipc.txt'), 'utf8');
    const version = ' -V, --version            display version\n';
    const options = [
      '',
      'Select objects (ipcutils; filters combine with AND and with -m -q -s -M -Q -S;',
      'without a resource option every kind is listed in one table, with several the',
      'union of those kinds):',
      '     --owner <user>       owned by <user> (name or UID)',
      '     --creator=<user>     created by <user> (name or UID; note the "=")',
      '     --key <key>          with this key (repeatable)',
      '     --name-pattern <glob>',
      '                          POSIX objects whose name (without "/") matches <glob>',
      '     --exclude-owner <user>, --exclude-key <key>, --exclude-name <glob>',
      '                          never these (each repeatable)',
      '     --older-than <age>   idle at least <age>: 90s, 30m, 12h, 7d, since the latest',
      '                            of: segment attach, detach, change (shm_atime,',
      '                            shm_dtime, shm_ctime); semaphore set semop, change',
      '                            (sem_otime, sem_ctime); queue send, receive, change',
      '                            (msg_stime, msg_rtime, msg_ctime); POSIX shm and',
      "                            semaphore: the file's atime, mtime, ctime; POSIX",
      "                            queue: the file's mtime",
      '     --min-size <size>    segment size or bytes queued at least <size>',
      '     --unattached         segments with nattch 0, POSIX objects nobody holds',
      '     --orphaned           no live process uses it: a segment with nattch 0 whose',
      '                            creator and last user are gone; a semaphore set or',
      '                            queue nobody waits on, without queued messages,',
      '                            whose last users (sempid, lspid, lrpid) are gone and',
      '                            whose owner runs no process (or idle --older-than);',
      '                            a POSIX object nobody maps or holds open. A pid',
      '                            reused by a newer process counts as gone. Objects',
      '                            that could not be judged are counted on stderr.',
      '     --with-messages      --orphaned may select queues holding messages',
      '     --holders            add the HOLDERS column (also in the -i/-N view);',
      '                            a list ending in "?" may miss processes we may not',
      '                            inspect',
      '     --typed-json         JSON with numbers, ISO 8601 times and HOLDERS as arrays',
      '                            (docs/json.md); with --orphaned or --unattached, an',
      '                            "undetermined" list of the objects not judged',
      '',
    ].join('\n');
    const columns = [
      '',
      'Columns of every resource (ipcutils):',
      '           TYPE  Resource type (shm, msg, sem, pshm, pmsg, psem)',
      '        HOLDERS  Processes attaching, mapping or holding it open',
      '',
    ].join('\n');
    const more = '\nFor more details see lsipc(1).\n';
    expect(help).toContain(version);
    expect(help.endsWith(more)).toBe(true);
    const expected = help.replace(version, version + options).replace(more, columns + more);
    expect(await ours(['--help'])).toEqual({ stdout: expected, stderr: '', status: 0 });
  });

  it('--version names this project', async () => {
    expect(await ours(['-V'])).toEqual({ stdout: 'lsipc from ipcutils 0.2.0\n', stderr: '', status: 0 });
  });
});

// ---------------------------------------------------------------------------------------------
// /dev/mqueue without the mqueue filesystem (samples/edge-cases.txt), and without the directory.

function edgeCase(title: string): string {
  const text = readFileSync(join(FIXTURES, 'edge-cases.txt'), 'utf8');
  const start = text.indexOf(`--- ${title}\n`) + title.length + 5;
  return text.slice(start, text.indexOf('exit=', start));
}

describe('/dev/mqueue not mounted', () => {
  it('an empty directory: no queues, no warning (2.43-devel)', async () => {
    await withNamespace(
      async (empty) => {
        const run = (args: string[]) =>
          empty.run('lsipc', args, { env: { PATH: `${BIN_DIR}:${process.env.PATH}` } });
        expect(await run(['-Q'])).toEqual({
          stdout: edgeCase('2.43-devel lsipc -Q with mqueue unmounted'),
          stderr: '',
          status: 0,
        });
        expect(await run([])).toEqual({
          stdout: edgeCase('2.43-devel lsipc (global) with mqueue unmounted'),
          stderr: '',
          status: 0,
        });
      },
      { noMqueue: true },
    );
  });

  it('no directory at all: util-linux 2.43 warning, exit 0, queues counted as none', async () => {
    await withNamespace(async (bare) => {
      // A private /dev without mqueue (in this mount namespace only), keeping /dev/null and /dev/shm.
      const setup = await bare.sh(
        'mkdir -p /tmp/ipcutils-dev && mount -t tmpfs tmpfs /tmp/ipcutils-dev && mkdir /tmp/ipcutils-dev/shm && touch /tmp/ipcutils-dev/null && mount --bind /dev/null /tmp/ipcutils-dev/null && mount --move /tmp/ipcutils-dev /dev && mount -t tmpfs tmpfs /dev/shm',
      );
      expect(setup.stderr).toBe('');
      const run = (args: string[]) =>
        bare.run('lsipc', args, { env: { PATH: `${BIN_DIR}:${process.env.PATH}` } });
      const warning =
        "lsipc: /dev/mqueue does not seem to be mounted. Use 'mount -t mqueue none /dev/mqueue' to mount it.\n";
      expect(await run(['-Q'])).toEqual({ stdout: '', stderr: warning, status: 0 });
      expect(await run(['-Q', '-N', '/x'])).toEqual({ stdout: '', stderr: warning, status: 0 });
      const global = await run([]);
      expect(global).toMatchObject({ stderr: warning, status: 0 });
      expect(global.stdout).toMatch(/^MQUMNI {3}Number of POSIX message queues +\d+ +0 0\.00%$/m);
    });
  });
});

describe('the rich state itself', () => {
  it('has the owners the normalisations rely on', () => {
    const e = facts.shm.find((segment) => segment.id === state.shm.e)!;
    expect([e.cuid, e.cgid]).toEqual([NAMELESS_USER.uid, NAMELESS_USER.gid]);
    // Same digit count, so fixing CGID keeps every column width.
    expect(String(e.cuid).length).toBe(String(e.cgid).length);
    const live = facts.shm.find((segment) => segment.key === 4660)!;
    expect(live.cpid).toBe(creator.pid);
  });
});

it('--typed-json -s -i ID gives the set its semaphores, as the pretty view lists them', async () => {
  const id = String(state.sem.a);
  const typed = JSON.parse((await ours(['-s', '-i', id, '--typed-json', '-o', 'ID,NSEMS'])).stdout);
  const [set] = typed.semaphores;
  expect(set).toMatchObject({ id: state.sem.a, nsems: 3 });
  // sem0 = 5 with a process waiting for zero, sem1 = 0 with one waiting to decrement.
  type Element = { semnum: number; value: number; ncount: number; zcount: number; pid: number };
  expect(set.elements.map((e: Element) => [e.semnum, e.value, e.ncount, e.zcount])).toEqual([
    [0, 5, 0, 1],
    [1, 0, 1, 0],
    [2, 0, 0, 0],
  ]);
  const pretty = (await ours(['-s', '-i', id])).stdout;
  const table = pretty.slice(pretty.indexOf('SEMNUM')).trim().split('\n').slice(1);
  expect(set.elements.map((e: Element) => `${e.semnum} ${e.value} ${e.ncount} ${e.zcount} ${e.pid}`)).toEqual(
    table.map((line) => line.trim().split(/\s+/).slice(0, 5).join(' ')),
  );
});

it('-s -i ID of a set the user may not read fails as util-linux does: one line, exit 1', async () => {
  const made = await ns.run('/usr/bin/ipcmk', ['-S', '1', '-p', '600']);
  const id = /(\d+)\s*$/.exec(made.stdout)![1]!;
  try {
    const asNobody = { user: NOBODY };
    const mine = await ns.run('lsipc', ['-s', '-i', id], {
      ...asNobody,
      env: { PATH: `${BIN_DIR}:/usr/bin:/bin` },
    });
    const theirs = await ns.run('lsipc', ['-s', '-i', id], {
      ...asNobody,
      env: { PATH: `${dirname(REFERENCE)}:/bin` },
    });
    expect(theirs).toMatchObject({ stderr: 'lsipc: semctl(GETVAL) failed: Permission denied\n', status: 1 });
    expect(mine).toEqual(theirs);
  } finally {
    await ns.run('/usr/bin/ipcrm', ['-s', id]);
  }
});
