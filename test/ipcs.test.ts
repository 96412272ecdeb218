/**
 * ipcs against util-linux, differentially: the same arguments on the same state inside a private
 * namespace, our built bin and the installed /usr/bin/ipcs (2.38.1, whose ipcs output is that of
 * every release up to 2.43), stdout, stderr and exit status compared byte for byte. Both run by
 * bare name through PATH, so getopt's messages name the same argv[0]. The case table is
 * generated below; the deliberate differences (DECISIONS.md) are asserted on their own.
 */
import { chmodSync, existsSync, mkdtempSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type IpcNamespace,
  IpcNamespace as Namespace,
  NOBODY,
  type RunResult,
  type User,
  waitForLine,
  withNamespace,
} from './helpers/namespace.js';
import { buildScript } from './helpers/script.js';
import {
  buildRichState,
  createObjects,
  LONG_NAME_USER,
  NAMELESS_USER,
  type RichState,
} from './helpers/state.js';

const ROOT = join(import.meta.dirname, '..');
const OUR_BIN = join(ROOT, 'packages/ipcs/dist/ipcs.js');
if (!existsSync(OUR_BIN)) throw new Error(`${OUR_BIN} is missing: run \`node scripts/build.mjs\` first`);

/** A directory whose `ipcs` is our bin, to put first in PATH (readable by every test user). */
const OUR_PATH_DIR = mkdtempSync(join(tmpdir(), 'ipcs-bin-'));
chmodSync(OUR_PATH_DIR, 0o755);
symlinkSync(OUR_BIN, join(OUR_PATH_DIR, 'ipcs'));
const SYSTEM_PATH = '/usr/bin:/bin';

/** The ids of the RICH state in a fresh namespace (reference/samples/ids.txt). */
const IDS = { shm: [0, 1, 2, 3, 4], msg: [0, 1, 2], sem: [0, 1, 2] } as const;

type Setting = 'rich' | 'empty' | 'no-proc';

interface Case {
  /** Which namespace: the RICH state, an empty one, or the RICH state with /proc/sysvipc hidden. */
  setting: Setting;
  args: string[];
  user?: User;
  env?: Record<string, string>;
}

const RESOURCES = [
  [],
  ['-m'],
  ['-q'],
  ['-s'],
  ['-a'],
  ['-q', '-m'],
  ['-s', '-q'],
  ['-m', '-s'],
  ['-s', '-m', '-q'],
];
const VIEWS = [[], ['-t'], ['-p'], ['-c'], ['-l'], ['-u']];
const UNITS = [[], ['-b'], ['--human']];
const ID_FLAGS = { shm: '-m', msg: '-q', sem: '-s' } as const;

/** Every resource selection × output option × unit. */
function reportCases(setting: Setting): Case[] {
  return RESOURCES.flatMap((resources) =>
    VIEWS.flatMap((view) => UNITS.map((unit) => ({ setting, args: [...resources, ...view, ...unit] }))),
  );
}

/** -i for every object of every type (and ids that do not exist), in each unit. */
function idCases(setting: Setting, user?: User): Case[] {
  const cases: Case[] = [];
  for (const [type, flag] of Object.entries(ID_FLAGS) as [keyof typeof IDS, string][]) {
    for (const id of [...IDS[type], 5, 999999, 2147483647]) {
      for (const unit of UNITS)
        cases.push({ setting, args: [flag, '-i', String(id), ...unit], ...(user ? { user } : {}) });
    }
  }
  return cases;
}

/** Option syntax: bundles, attached arguments, long names and their abbreviations, `--`, operands. */
const SYNTAX: string[][] = [
  ['-mt'],
  ['-qp'],
  ['-sc'],
  ['-ml'],
  ['-mu'],
  ['-atb'],
  ['-mqs'],
  ['-tpclu'],
  ['-ulcpt'],
  ['-t', '-p'],
  ['-l', '-u', '-c'],
  ['-u', '-t', '--human'],
  ['--human', '-b', '-m'],
  ['-b', '--human', '-q'],
  ['-mi3'],
  ['-mi', '3'],
  ['--id=3', '-m'],
  ['-i', '3', '-m'],
  ['-m', '--id', '3'],
  ['-i3', '--shmems'],
  ['-qi0'],
  ['--queues', '--id=0', '--human'],
  ['-si0'],
  ['--semaphores', '-i', '0', '-t'],
  ['-m', '-i', '0', '-l', '-u'],
  ['-i', '9', '-i', '0', '-q'],
  ['-m', '-i', ' 3'],
  ['-m', '-i', '+3'],
  ['-m', '-i', '-0'],
  ['-m', '-i', '003'],
  ['--shmems', '--time'],
  ['--queues', '--pid'],
  ['--semaphores', '--creator'],
  ['--all', '--limits', '--bytes'],
  ['--summary', '--human'],
  ['--shmems', '--queues', '--semaphores', '--summary'],
  ['--hum', '-m'],
  ['--shm'],
  ['--que'],
  ['--sem', '--ti'],
  ['--al', '--li'],
  ['--cr', '-q'],
  ['--by', '--sum'],
  ['--pi', '-s'],
  ['--sha'],
  ['--s'],
  ['--h'],
  ['--he'],
  ['--help'],
  ['-h'],
  ['-mh'],
  ['-h', '-x'],
  ['--', '-m'],
  ['-m', '--', '-q'],
  ['-q', '--'],
  ['-m', 'foo'],
  ['foo', '-m'],
  ['foo', 'bar'],
  ['-', '-s'],
  ['-m', '-i', '0', 'extra'],
  // Parse errors, each in a few positions.
  ['-m', '-i', 'abc'],
  ['-m', '-i', ''],
  ['-m', '-i', '0x1'],
  ['-m', '-i', '99999999999'],
  ['-m', '-i', '2147483648'],
  ['-m', '-i', '-2147483649'],
  ['-m', '-i', '1 '],
  ['-m', '-i', '1x'],
  ['-m', '--id='],
  ['-i', 'abc'],
  ['-i', '1'],
  ['-i', '1', '-m', '-q'],
  ['-m', '-q', '-i', '1'],
  ['-a', '-i', '1'],
  ['-i', '1', '-t'],
  ['-x'],
  ['-mx'],
  ['-xm'],
  ['--bogus'],
  ['--bogus', '-h'],
  ['-h', '--bogus'],
  ['-i'],
  ['--id'],
  ['-mi'],
  ['-m', '-i'],
  ['--all=1'],
  ['--human=yes', '-m'],
  ['--id=abc', '-x'],
  ['-x', '--id=abc'],
  ['-i', 'abc', '-x'],
  ['-mi1x', '-q'],
  ['-mq', '-i', '1', '-x'],
  ['-hi'],
  ['-W'],
  ['-?'],
];

/** Output that depends on the time zone: the -t views and -i. */
const TIME_ZONES = [
  'America/New_York',
  ':Asia/Kolkata',
  '/usr/share/zoneinfo/Australia/Lord_Howe',
  'EST5EDT',
  'UTC0',
  'XYZ-3:30',
  '<+0330>-3:30',
  'CET-1CEST,M3.5.0,M10.5.0/3',
  'NZST-12NZDT,M9.5.0,M4.1.0/3',
  'garbage',
  '',
];

function selectsShm(args: readonly string[]): boolean {
  return args.includes('-m') || args.includes('-a') || !args.some((arg) => arg === '-q' || arg === '-s');
}

function allCases(): Case[] {
  const rich = (args: string[], extra: Partial<Case> = {}): Case => ({ setting: 'rich', args, ...extra });
  return [
    ...reportCases('rich'),
    ...idCases('rich'),
    ...SYNTAX.map((args) => rich(args)),
    ...reportCases('empty').filter((c) => c.args.length <= 2),
    ...['-m', '-q', '-s'].flatMap((flag) =>
      [0, 1, -1].map((id) => ({ setting: 'empty' as const, args: [flag, '-i', String(id)] })),
    ),
    // Without /proc/sysvipc both fall back to the *_STAT syscalls (as root they list everything).
    // -c of shm is left out: util-linux's fallback copies cuid into cgid, which we do not (below).
    ...reportCases('no-proc').filter((c) => !(c.args.includes('-c') && selectsShm(c.args))),
    ...idCases('no-proc').filter((c) => !(c.args[0] === '-m' && c.args[2] === '4')),
    // As an unprivileged user: every view, and -i on objects it may and may not read.
    ...[[], ['-m'], ['-q'], ['-s'], ['-t'], ['-p'], ['-c'], ['-l'], ['-u'], ['-a', '--human']].map((args) =>
      rich(args, { user: NOBODY }),
    ),
    ...idCases('rich', NOBODY).filter((c) => c.args.length === 3),
    ...[['-m', '-i', '2'], ['-s', '-i', '1'], ['-q', '-i', '1'], ['-s']].map((args) =>
      rich(args, { user: LONG_NAME_USER }),
    ),
    ...[
      ['-q', '-i', '1'],
      ['-m', '-i', '4'],
      ['-s', '-i', '1'],
    ].map((args) => rich(args, { user: NAMELESS_USER })),
    ...TIME_ZONES.flatMap((tz) =>
      [['-t'], ['-m', '-i', '0'], ['-q', '-i', '0'], ['-s', '-i', '0']].map((args) =>
        rich(args, { env: { TZ: tz } }),
      ),
    ),
    rich(['--human'], { env: { LC_ALL: 'C.UTF-8' } }),
    rich(['-m'], { env: { POSIXLY_CORRECT: '1' } }),
    rich(['foo', '-m'], { env: { POSIXLY_CORRECT: '1' } }),
  ];
}

const CASES = allCases();

function describeCase(c: Case): string {
  const who = c.user ? ` as uid ${c.user.uid}` : '';
  const env = c.env
    ? ` ${Object.entries(c.env)
        .map(([k, v]) => `${k}=${JSON.stringify(v)}`)
        .join(' ')}`
    : '';
  return `[${c.setting}]${env} ipcs ${c.args.map((a) => (a === '' || /\s/.test(a) ? JSON.stringify(a) : a)).join(' ')}${who}`;
}

/** Runs `ipcs` by bare name in the namespace: ours when PATH starts with our directory. */
function runIpcs(ns: IpcNamespace, c: Case, ours: boolean): Promise<RunResult> {
  const env = { PATH: ours ? `${OUR_PATH_DIR}:${SYSTEM_PATH}` : SYSTEM_PATH, ...c.env };
  const options = { env, ...(c.user ? { user: c.user } : {}) };
  if (c.setting !== 'no-proc') return ns.run('ipcs', c.args, options);
  // A mount namespace of its own (same IPC namespace) with an empty directory over /proc/sysvipc.
  const script = 'mount -t tmpfs none /proc/sysvipc && exec ipcs "$@"';
  return ns.run(
    'unshare',
    ['--mount', '--propagation', 'private', '--', 'sh', '-c', script, 'ipcs', ...c.args],
    options,
  );
}

/** Runs `jobs` with at most `limit` at a time. */
async function inParallel<T>(jobs: readonly (() => Promise<T>)[], limit: number): Promise<T[]> {
  const results: T[] = new Array(jobs.length);
  let next = 0;
  const worker = async () => {
    while (next < jobs.length) {
      const index = next++;
      results[index] = await jobs[index]!();
    }
  };
  await Promise.all(Array.from({ length: limit }, worker));
  return results;
}

interface Pair {
  ours: RunResult;
  theirs: RunResult;
}

let richNs: IpcNamespace;
let emptyNs: IpcNamespace;
let state: RichState;
const results = new Map<Case, Pair>();

beforeAll(async () => {
  [richNs, emptyNs] = await Promise.all([Namespace.create(), Namespace.create()]);
  state = await buildRichState(richNs);
  expect({
    shm: Object.values(state.shm),
    msg: Object.values(state.msg),
    sem: Object.values(state.sem),
  }).toEqual({
    shm: IDS.shm,
    msg: IDS.msg,
    sem: IDS.sem,
  });
  const pairs = await inParallel(
    CASES.map((c) => async () => {
      const ns = c.setting === 'empty' ? emptyNs : richNs;
      const [ours, theirs] = await Promise.all([runIpcs(ns, c, true), runIpcs(ns, c, false)]);
      return { ours, theirs };
    }),
    8,
  );
  CASES.forEach((c, n) => {
    results.set(c, pairs[n]!);
  });
}, 300_000);

afterAll(async () => {
  await state?.dispose();
  await Promise.all([richNs?.close(), emptyNs?.close()]);
});

describe(`ipcs is util-linux's, byte for byte (${CASES.length} cases)`, () => {
  it.each(CASES.map((c) => [describeCase(c), c] as const))('%s', (_, c) => {
    const { ours, theirs } = results.get(c)!;
    expect(ours).toEqual(theirs);
  });

  it('covers the table, and util-linux really runs in each setting', () => {
    expect(CASES.length).toBeGreaterThan(400);
    const sample = [...results.entries()].find(([c]) => c.setting === 'no-proc' && c.args.join(' ') === '-m');
    expect(sample?.[1].theirs.stdout).toContain(
      '0x00000000 3          root       666        2048       1          dest',
    );
  });
});

describe('deliberate differences (DECISIONS.md)', () => {
  const run = (args: string[], ours: boolean, setting: Setting = 'rich') =>
    runIpcs(setting === 'empty' ? emptyNs : richNs, { setting, args }, ours);

  it('--version names this project', async () => {
    for (const flag of ['-V', '--version', '--vers']) {
      expect(await run([flag], true)).toEqual({
        stdout: 'ipcs from ipcutils 0.2.0\n',
        stderr: '',
        status: 0,
      });
      expect((await run([flag], false)).stdout).toBe('ipcs from util-linux 2.38.1\n');
    }
  });

  it('fix 3: a negative id is not found for every resource, where util-linux shows the first object or crashes', async () => {
    for (const flag of ['-m', '-q', '-s']) {
      for (const id of ['-1', '-7']) {
        expect(await run([flag, '-i', id], true)).toEqual({
          stdout: '',
          stderr: `ipcs: id ${id} not found\n`,
          status: 0,
        });
      }
    }
    expect((await run(['-m', '-i', '-1'], false)).stdout).toContain('Shared memory Segment shmid=-1\n');
    expect((await run(['-q', '-i', '-1'], false)).stdout).toContain('Message Queue msqid=-1\n');
    expect((await run(['-s', '-i', '-1'], false)).status).toBe(128 + 11);
  });

  it("without /proc/sysvipc, -c shows the creator's group where util-linux repeats the creator's uid", async () => {
    const ours = await run(['-m', '-c'], true, 'no-proc');
    const theirs = await run(['-m', '-c'], false, 'no-proc');
    const rowOf = (text: string) => text.split('\n').find((line) => line.startsWith('4 '));
    expect(rowOf(ours.stdout)).toBe('4          640        12345      23456      12345      23456     ');
    expect(rowOf(theirs.stdout)).toBe('4          640        12345      12345      12345      23456     ');
    // Everything else is identical, and so is -i's line with cgid.
    expect(ours.stdout.replace(rowOf(ours.stdout)!, '')).toBe(
      theirs.stdout.replace(rowOf(theirs.stdout)!, ''),
    );
    expect((await run(['-m', '-i', '4'], true, 'no-proc')).stdout).toContain('cuid=12345\tcgid=23456\n');
    expect((await run(['-m', '-i', '4'], false, 'no-proc')).stdout).toContain('cuid=12345\tcgid=12345\n');
  });
});

describe('objects removed while ipcs runs', () => {
  // Bundled into a script run inside a namespace: lists with our sources, removes the objects in
  // the window between the listing and the per-object calls, then asks for their details.
  const RACE_SCRIPT = `
    import { createMsgQueue, createSemSet, removeMsgQueue, removeSemSet } from '@ipcutils/core';
    import { streams } from '../packages/cli/src/io.js';
    import { runIpcs as runIpcsResult } from '../packages/ipcs/src/ipcs/main.js';
    import { systemSources } from '../packages/ipcs/src/ipcs/sources.js';

    const runIpcs = (...args) => streams(runIpcsResult(...args));

    const io = { argv0: 'ipcs', programName: 'ipcs', env: {} };
    const queue = createMsgQueue({ mode: 0o600 });
    const set = createSemSet({ nsems: 2, mode: 0o600 });
    const before = systemSources();
    const kept = {
      msg: runIpcs(['-q', '-i', String(queue)], io, () => before),
      sem: runIpcs(['-s', '-i', String(set)], io, () => before),
    };
    const sources = systemSources();
    sources.msgQueues();
    sources.semSets();
    removeMsgQueue(queue);
    removeSemSet(set);
    const gone = {
      msg: runIpcs(['-q', '-i', String(queue)], io, () => sources),
      sem: runIpcs(['-s', '-i', String(set)], io, () => sources),
    };
    console.log(JSON.stringify({ queue, set, kept, gone }));
  `;

  it('skips a queue or a semaphore set removed between the listing and its lookup', async () => {
    const script = await buildScript(RACE_SCRIPT);
    await withNamespace(async (ns) => {
      const result = await ns.run('node', [script]);
      expect(result.stderr).toBe('');
      const { queue, set, kept, gone } = JSON.parse(result.stdout);
      // Control: while the objects exist, the same lookups print them.
      expect(kept.msg).toMatchObject({ status: 0, stderr: '' });
      expect(kept.msg.stdout).toContain(`Message Queue msqid=${queue}\n`);
      expect(kept.sem.stdout).toContain(`Semaphore Array semid=${set}\n`);
      expect(gone).toEqual({
        msg: { stdout: '', stderr: `ipcs: id ${queue} not found\n`, status: 0 },
        sem: { stdout: '', stderr: `ipcs: id ${set} not found\n`, status: 0 },
      });
    });
  });

  // Creates and removes objects of every type in a loop until stdin closes.
  const CHURN_SCRIPT = `
    import {
      createMsgQueue, createSemSet, createShm, removeMsgQueue, removeSemSet, removeShm,
    } from '@ipcutils/core';
    let running = true;
    process.stdin.resume();
    process.stdin.on('end', () => { running = false; });
    console.log('churning');
    const loop = () => {
      for (let n = 0; n < 50 && running; n++) {
        const ids = [createShm({ size: 4096 }), createMsgQueue(), createSemSet({ nsems: 3 })];
        removeShm(ids[0]);
        removeMsgQueue(ids[1]);
        removeSemSet(ids[2]);
      }
      if (running) setImmediate(loop);
      else process.exit(0);
    };
    loop();
  `;

  /** Lines ipcs may print: blank, titles, headers, and rows of each view. */
  const LINE = /^$|^------ [A-Z].* --------$|^(key|shmid|msqid|semid) +[a-z]|^(0x[0-9a-f]{8} )?\d+ +\S/;

  it.each([
    ['reading /proc/sysvipc', 'rich'],
    ['with the *_STAT fallback', 'no-proc'],
  ] as const)('lists while objects come and go, %s', async (_, setting) => {
    const script = await buildScript(CHURN_SCRIPT);
    await withNamespace(async (ns) => {
      await createObjects(ns, [{ type: 'shm', size: 100, mode: 0o644 }]);
      const churn = ns.spawn('node', [script]);
      try {
        await waitForLine(churn, 'churning');
        const runs = await inParallel(
          Array.from(
            { length: 24 },
            (_, n) => () =>
              runIpcs(
                ns,
                {
                  setting,
                  args: [[], ['-t'], ['-c'], ['-p'], ['-m', '-i', String(n % 3)], ['-s', '-i', '1']][n % 6]!,
                },
                true,
              ),
          ),
          4,
        );
        for (const run of runs) {
          expect(run.status).toBe(0);
          expect(run.stderr).toMatch(/^(|ipcs: id \d+ not found\n)$/);
          for (const line of run.stdout.split('\n')) {
            if (
              !run.stdout.startsWith('\nShared memory Segment') &&
              !run.stdout.startsWith('\nSemaphore Array')
            ) {
              expect(line).toMatch(LINE);
            }
          }
        }
        // The long-lived segment is always listed, whatever happens around it.
        expect(runs[0]!.stdout).toMatch(/^0x[0-9a-f]{8} 0 +root +644 +100 /m);
      } finally {
        churn.stdin?.end();
        await new Promise((resolve) => churn.once('exit', resolve));
      }
    });
  });
});
