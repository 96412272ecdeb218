// ipcmk end to end: our built bin against the installed util-linux 2.38.1, each case in two fresh
// private namespaces (ids start at 0 in both), comparing stdout, stderr, exit status and what was
// created (`ipcs` with the random keys masked, and the POSIX objects). Where 2.38.1 is not the
// reference (POSIX IPC and the 2.43 --mode parsing), where we deliberately differ (DECISIONS.md,
// and checking every argument before creating anything) and for our additions, the expected text
// is spelled out with the reason.
import { chmodSync, existsSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatHelp } from '../packages/ipcmk/src/help.js';
import { type IpcNamespace, NOBODY, type User, withNamespace } from './helpers/namespace.js';
import { buildScript } from './helpers/script.js';

const root = join(import.meta.dirname, '..');
const OURS = join(root, 'packages/ipcmk/dist/ipcmk.js');
const TRY_HELP = "Try 'ipcmk --help' for more information.\n";
const ONLY_IPCMK_LINES = /^(ipcmk: .*\n|Try 'ipcmk --help' for more information\.\n)*$/;

/** Objects present before the run (for "again" and "key in use" cases), created with fixed keys. */
type ObjectSpec =
  | { kind: 'shm' | 'msg' | 'sem'; key: number }
  | { kind: 'pshm' | 'pmsg' | 'psem'; name: string }
  | { kind: 'file'; path: string };

const SETUP_SOURCE = `
import { writeFileSync } from 'node:fs';
import { createMsgQueue, createSemSet, createShm, openMqueue, openPosixSem, openPosixShm } from '@ipcutils/core';
for (const o of JSON.parse(process.argv[2])) {
  switch (o.kind) {
    case 'shm': createShm({ size: 10, key: o.key, mode: 0o644, exclusive: true }); break;
    case 'msg': createMsgQueue({ key: o.key, mode: 0o644, exclusive: true }); break;
    case 'sem': createSemSet({ nsems: 1, key: o.key, mode: 0o644, exclusive: true }); break;
    case 'pshm': openPosixShm(o.name, { create: true, mode: 0o644, size: 100 }).close(); break;
    case 'psem': openPosixSem(o.name, { create: true, mode: 0o644 }).close(); break;
    case 'pmsg': openMqueue(o.name, { create: true, mode: 0o644, maxMessages: 1, messageSize: 16 }).close(); break;
    case 'file': writeFileSync(o.path, ''); break;
  }
}
`;

interface RunSpec {
  args: readonly string[];
  state?: readonly ObjectSpec[];
  user?: User;
}

interface Observed {
  stdout: string;
  stderr: string;
  status: number;
  before: string;
  after: string;
}

let setupScript: string;
let ourPath: string;
let binDir: string;

beforeAll(async () => {
  if (!existsSync(OURS)) throw new Error(`${OURS} is missing: run \`node scripts/build.mjs\` first`);
  setupScript = await buildScript(SETUP_SOURCE);
  binDir = mkdtempSync(join(tmpdir(), 'ipcmk-bin-'));
  chmodSync(binDir, 0o755);
  symlinkSync(OURS, join(binDir, 'ipcmk'));
  ourPath = `${binDir}:/usr/bin:/bin`;
});

afterAll(() => {
  if (binDir) rmSync(binDir, { recursive: true, force: true });
});

/** ipcs with every key masked (util-linux's keys are random), then the POSIX objects with mode and size. */
async function snapshot(ns: IpcNamespace, maskKeys: boolean): Promise<string> {
  const posix = "find /dev/shm /dev/mqueue -mindepth 1 -printf '%p %m %s\\n' | sort";
  const { stdout } = await ns.sh(`/usr/bin/ipcs; ${posix}`);
  return maskKeys ? stdout.replace(/^0x[0-9a-f]{8} /gm, '<key>      ') : stdout;
}

function runIpcmk(tool: 'ours' | 'util-linux', spec: RunSpec, maskKeys = true): Promise<Observed> {
  return withNamespace(async (ns) => {
    if (spec.state?.length) {
      const setup = await ns.run(process.execPath, [setupScript, JSON.stringify(spec.state)]);
      if (setup.status !== 0) throw new Error(`setup failed: ${setup.stderr}`);
    }
    // RLIMIT_MSGQUEUE counts the bytes of every queue root has, in every namespace, and cannot be
    // raised here (no CAP_SYS_RESOURCE): make this namespace's default queue small instead.
    await ns.sh('echo 1 > /proc/sys/fs/mqueue/msg_default && echo 128 > /proc/sys/fs/mqueue/msgsize_default');
    const before = await snapshot(ns, maskKeys);
    const env = { PATH: tool === 'ours' ? ourPath : '/usr/bin:/bin' };
    const result = await ns.run('ipcmk', spec.args, spec.user ? { env, user: spec.user } : { env });
    return { ...result, before, after: await snapshot(ns, maskKeys) };
  });
}

function show(args: readonly string[]): string {
  return args.map((arg) => (arg === '' || /\s/.test(arg) ? `'${arg}'` : arg)).join(' ');
}

// ---- identical to util-linux 2.38.1 -------------------------------------------------------------

function differentialCases(): (RunSpec & { name: string })[] {
  const cases: (RunSpec & { name: string })[] = [];
  const add = (args: readonly string[], extra: Partial<RunSpec> = {}) =>
    cases.push({ name: `${extra.user ? 'nobody: ' : ''}ipcmk ${show(args)}`, args, ...extra });

  const sizes = [
    '1K',
    '2KB',
    '1.5KiB',
    '100',
    '1',
    '4096',
    '0',
    'abc',
    '-5',
    '',
    '1.5',
    '1B',
    'B',
    'K',
    '0x10K',
    '010',
    ' 5',
    '5 ',
    '1kib',
    '2MiB',
    '1.9K',
    '0.5K',
    '1e3',
    '99999999999999999999999',
    '16E',
    '8E',
    '1E',
    '0x',
  ];
  for (const size of sizes) add(['-M', size]);
  add(['--shmem', '1K']);
  add(['--shmem=2K']);
  add(['-M3K']);

  for (const nsems of ['1', '2', '0', '-1', 'x', '99999999', '', '2147483648', '32000', '32001', '+3', '3x'])
    add(['-S', nsems]);
  add(['--semaphore=4']);

  for (const args of [
    ['-Q'],
    ['--queue'],
    ['-Q', 'extra'],
    ['extra', '-Q'],
    ['-Q', '-p', '0600'],
    ['-Q', '-p', '0'],
    ['-Q', '-p', '7777'],
    ['-Q', '-p', '640'],
    ['-Q', '-p', '2644'],
    ['-S', '1', '-p', '4600'],
    ['-M', '1K', '-p', '0400'],
    ['-S', '2', '--mode', '0660'],
    ['-M', '100', '-Q', '-S', '2'],
    ['-S', '2', '-Q', '-M', '1'],
    ['-QS1', '-M2'],
    ['-M', '1', '-M', '2K'],
    ['-S', '1', '-S', '3'],
    ['-Q', '-Q'],
    [],
    ['-p', '600'],
    ['extra'],
    ['-Z'],
    ['--bogus'],
    ['-M'],
    ['--shmem'],
    ['-S'],
    ['-Q', '-p'],
    ['--sh', '1'],
    ['--s', '1'],
    ['--q'],
    ['--m', '600', '-Q'],
    ['--queue=1'],
    ['-M', 'abc', '-Z'],
    ['-Z', '-M', 'abc'],
    ['-M', '0', '-Q'],
    ['-S', '0', '-M', 'x'],
    ['-Q', '-M', '0'],
  ]) {
    add(args);
  }
  for (const args of [
    ['-M', '1K'],
    ['-Q', '-S', '1'],
    ['-M', '0'],
  ])
    add(args, { user: NOBODY });
  return cases;
}

const DIFFERENTIAL = differentialCases();

describe.concurrent(`identical to util-linux 2.38.1 (${DIFFERENTIAL.length} cases)`, () => {
  it.each(DIFFERENTIAL)('$name', async (spec) => {
    const [ours, reference] = await Promise.all([runIpcmk('ours', spec), runIpcmk('util-linux', spec)]);
    // Every line on stderr is ipcmk's own, so an environment failure cannot pass as "both agree".
    expect(ours.stderr).toMatch(ONLY_IPCMK_LINES);
    expect(ours).toEqual(reference);
  });
});

// ---- expected text -------------------------------------------------------------------------------

const V243 = 'util-linux 2.41+ behaviour (2.38.1 lacks it)';
const FIX5 = 'DECISIONS fix 5: --mode parsed as util-linux 2.43';
const EXISTING_NAME =
  'COMPATIBILITY fix 5: an existing POSIX name is refused (util-linux 2.43 opens it, and -m truncates it to the new size)';
const CHECK_FIRST = 'every argument is checked before anything is created';
const ADDED = 'our addition (new long option)';

interface ExpectedCase extends RunSpec {
  name: string;
  why: string;
  status: number;
  stdout?: string | RegExp;
  stderr?: string;
  /** Nothing may be created. */
  unchanged?: boolean;
  /** Lines that must appear in the snapshot afterwards. */
  created?: string[];
}

const EXPECTED: ExpectedCase[] = [
  ...[['-h'], ['--help'], ['--he'], ['-Q', '-h'], ['-h', '-Z']].map(
    (args): ExpectedCase => ({
      name: `ipcmk ${show(args)}`,
      why: `${V243}: 2.43 help text with our options (pinned in packages/ipcmk/test/help.test.ts)`,
      args,
      status: 0,
      stdout: formatHelp('ipcmk'),
      unchanged: true,
    }),
  ),
  {
    name: 'ipcmk -V',
    why: 'DECISIONS: --version names this project',
    args: ['-V'],
    status: 0,
    stdout: 'ipcmk from ipcutils 0.2.0\n',
    unchanged: true,
  },

  // --mode (fix 5).
  ...[
    ['999', "ipcmk: failed to parse mode: '999'\n"],
    ['abc', "ipcmk: failed to parse mode: 'abc'\n"],
    ['', "ipcmk: failed to parse mode: ''\n"],
    ['0x10', "ipcmk: failed to parse mode: '0x10'\n"],
    ['77777', "ipcmk: failed to parse mode: '77777': Numerical result out of range\n"],
    ['10000', "ipcmk: failed to parse mode: '10000': Numerical result out of range\n"],
    ['-1', "ipcmk: failed to parse mode: '-1': Numerical result out of range\n"],
  ].map(
    ([mode, stderr]): ExpectedCase => ({
      name: `ipcmk -Q -p ${show([mode!])}`,
      why: FIX5,
      args: ['-Q', '-p', mode!],
      status: 1,
      stderr: stderr!,
      stdout: '',
      unchanged: true,
    }),
  ),

  {
    name: 'ipcmk -M 4096 -p 4644',
    why: 'mode bits above 0777 are not passed on as shmget flags (util-linux passes 04000, SHM_HUGETLB, and fails with ENOMEM)',
    args: ['-M', '4096', '-p', '4644'],
    status: 0,
    stdout: 'Shared memory id: 0\n',
    created: ['<key>      0          root       644        4096 '],
  },

  // POSIX IPC (2.41+).
  {
    name: 'ipcmk -m 4K -n /ps1',
    why: V243,
    args: ['-m', '4K', '-n', '/ps1'],
    status: 0,
    stdout: 'POSIX shared memory name: /ps1\n',
    created: ['/dev/shm/ps1 644 4096'],
  },
  {
    name: 'ipcmk -m 8K -n ps1 (exists)',
    why: EXISTING_NAME,
    state: [{ kind: 'pshm', name: 'ps1' }],
    args: ['-m', '8K', '-n', 'ps1'],
    status: 1,
    stdout: '',
    stderr: 'ipcmk: create POSIX shared memory failed: name ps1 already exists\n',
    unchanged: true,
  },
  {
    name: 'ipcmk -m 0 -n ps1 (exists)',
    why: EXISTING_NAME,
    state: [{ kind: 'pshm', name: 'ps1' }],
    args: ['-m', '0', '-n', 'ps1'],
    status: 1,
    stdout: '',
    stderr: 'ipcmk: create POSIX shared memory failed: name ps1 already exists\n',
    unchanged: true,
  },
  {
    name: 'ipcmk -m 0 -n /z -p 600',
    why: V243,
    args: ['-m', '0', '-n', '/z', '-p', '600'],
    status: 0,
    stdout: 'POSIX shared memory name: /z\n',
    created: ['/dev/shm/z 600 0'],
  },
  {
    name: 'ipcmk -q -n /pq1',
    why: V243,
    args: ['-q', '-n', '/pq1'],
    status: 0,
    stdout: 'POSIX message queue name: /pq1\n',
    created: ['/dev/mqueue/pq1 644'],
  },
  {
    name: 'ipcmk -q -n /pq1 (exists)',
    why: EXISTING_NAME,
    state: [{ kind: 'pmsg', name: '/pq1' }],
    args: ['-q', '-n', '/pq1'],
    status: 1,
    stdout: '',
    stderr: 'ipcmk: create POSIX message queue failed: name /pq1 already exists\n',
    unchanged: true,
  },
  {
    name: 'ipcmk -q -n pq2',
    why: V243,
    args: ['-q', '-n', 'pq2'],
    status: 1,
    stdout: '',
    stderr: 'ipcmk: create POSIX message queue failed: Invalid argument\n',
    unchanged: true,
  },
  {
    name: 'ipcmk -q -n /a/b',
    why: V243,
    args: ['-q', '-n', '/a/b'],
    status: 1,
    stdout: '',
    stderr: 'ipcmk: create POSIX message queue failed: Permission denied\n',
    unchanged: true,
  },
  {
    name: 'ipcmk -s -n /psem1',
    why: V243,
    args: ['-s', '-n', '/psem1'],
    status: 0,
    stdout: 'POSIX semaphore name: /psem1\n',
    created: ['/dev/shm/sem.psem1 644 32'],
  },
  {
    name: 'ipcmk -s -n psem1 (exists)',
    why: EXISTING_NAME,
    state: [{ kind: 'psem', name: 'psem1' }],
    args: ['-s', '-n', 'psem1'],
    status: 1,
    stdout: '',
    stderr: 'ipcmk: create POSIX semaphore failed: name psem1 already exists\n',
    unchanged: true,
  },
  {
    name: 'ipcmk -s -n a/b',
    why: V243,
    args: ['-s', '-n', 'a/b'],
    status: 1,
    stdout: '',
    stderr: 'ipcmk: create POSIX semaphore failed: Invalid argument\n',
    unchanged: true,
  },
  {
    name: 'ipcmk -m 4K',
    why: V243,
    args: ['-m', '4K'],
    status: 1,
    stdout: '',
    stderr: `ipcmk: name is required for POSIX IPC\n${TRY_HELP}`,
    unchanged: true,
  },
  {
    name: 'ipcmk -M 1 -q',
    why: V243,
    args: ['-M', '1', '-q'],
    status: 1,
    stdout: '',
    stderr: `ipcmk: name is required for POSIX IPC\n${TRY_HELP}`,
    unchanged: true,
  },
  {
    name: 'ipcmk -M 1 -m 1 -n /mixed',
    why: V243,
    args: ['-M', '1', '-m', '1', '-n', '/mixed'],
    status: 0,
    stdout: 'Shared memory id: 0\nPOSIX shared memory name: /mixed\n',
    created: ['/dev/shm/mixed 644 1'],
  },
  {
    name: 'ipcmk -m 2K -M 1 -n x (one size for both)',
    why: `${V243}: -M and -m share the last size given`,
    args: ['-m', '2K', '-M', '1', '-n', 'x'],
    status: 0,
    stdout: 'Shared memory id: 0\nPOSIX shared memory name: x\n',
    created: ['/dev/shm/x 644 1', '<key>      0          root       644        1 '],
  },
  {
    name: 'ipcmk -s -q -m 1 -S 1 -Q -M 1 -n /all',
    why: `${V243}: created and printed in the order shm, pshm, msg, pmsg, sem, psem`,
    args: ['-s', '-q', '-m', '1', '-S', '1', '-Q', '-M', '1', '-n', '/all'],
    status: 0,
    stdout: [
      'Shared memory id: 0',
      'POSIX shared memory name: /all',
      'Message queue id: 0',
      'POSIX message queue name: /all',
      'Semaphore id: 0',
      'POSIX semaphore name: /all',
      '',
    ].join('\n'),
    created: ['/dev/shm/all 644 1', '/dev/shm/sem.all', '/dev/mqueue/all'],
  },
  {
    name: 'ipcmk --p',
    why: `${V243}: --p matches every --posix-… option (our --project-id is left out: it never takes util-linux's abbreviations)`,
    args: ['--p'],
    status: 1,
    stdout: '',
    stderr: `ipcmk: option '--p' is ambiguous; possibilities: '--posix-shmem' '--posix-semaphore' '--posix-mqueue'\n${TRY_HELP}`,
    unchanged: true,
  },

  // Checked before anything is created: util-linux would create the earlier resources, print their lines, then fail.
  ...[
    [['-M', '1K', '-S', '0'], 'ipcmk: create semaphore failed: Invalid argument\n'],
    [['-Q', '-S', '99999999'], 'ipcmk: create semaphore failed: Invalid argument\n'],
    [['-M', '1K', '-q', '-n', 'noslash'], 'ipcmk: create POSIX message queue failed: Invalid argument\n'],
    [['-Q', '-s', '-n', 'a/b'], 'ipcmk: create POSIX semaphore failed: Invalid argument\n'],
    [['-Q', '-M', '8E'], 'ipcmk: create share memory failed: Invalid argument\n'],
    [['-Q', '-m', '8E', '-n', 'big'], 'ipcmk: create POSIX shared memory failed: Invalid argument\n'],
    [
      ['-Q', '-m', '1E', '-n', 'big'],
      'ipcmk: create POSIX shared memory failed: size is larger than 9007199254740991 bytes\n',
    ],
  ].map(
    ([args, stderr]): ExpectedCase => ({
      name: `ipcmk ${show(args as string[])}`,
      why: CHECK_FIRST,
      args: args as string[],
      status: 1,
      stdout: '',
      stderr: stderr as string,
      unchanged: true,
    }),
  ),

  // --key, --ftok, --project-id, --json.
  {
    name: 'ipcmk --key 0x1234 -M 1K -Q -S 2',
    why: ADDED,
    args: ['--key', '0x1234', '-M', '1K', '-Q', '-S', '2'],
    status: 0,
    stdout: 'Shared memory id: 0\nMessage queue id: 0\nSemaphore id: 0\n',
    created: [
      '0x00001234 0          root       644        1024',
      '0x00001234 0          root       644        0',
      '0x00001234 0          root       644        2',
    ],
  },
  {
    name: 'ipcmk --key=-1 -Q',
    why: ADDED,
    args: ['--key=-1', '-Q'],
    status: 0,
    stdout: 'Message queue id: 0\n',
    created: ['0xffffffff 0 '],
  },
  {
    name: 'ipcmk --key 0 -Q -Q',
    why: `${ADDED}: key 0 is IPC_PRIVATE`,
    args: ['--key', '0', '-Q'],
    status: 0,
    stdout: 'Message queue id: 0\n',
    created: ['0x00000000 0 '],
  },
  {
    name: 'ipcmk --key 0x1234 -M 1K (key in use)',
    why: `${ADDED}: created with IPC_EXCL, an existing object is never handed back`,
    state: [{ kind: 'shm', key: 0x1234 }],
    args: ['--key', '0x1234', '-M', '1K'],
    status: 1,
    stdout: '',
    stderr: 'ipcmk: create shared memory failed: key 0x00001234 already exists\n',
    unchanged: true,
  },
  {
    name: 'ipcmk --key 4660 -Q -S 1 (semaphore key in use)',
    why: `${ADDED}: the queue is created, the semaphore set is not`,
    state: [{ kind: 'sem', key: 0x1234 }],
    args: ['--key', '4660', '-Q', '-S', '1'],
    status: 1,
    stdout: 'Message queue id: 0\n',
    stderr: 'ipcmk: create semaphore failed: key 0x00001234 already exists\n',
    created: ['0x00001234 0          root       644        0            0'],
  },
  {
    name: 'ipcmk --key zz -Q',
    why: ADDED,
    args: ['--key', 'zz', '-Q'],
    status: 1,
    stdout: '',
    stderr: "ipcmk: failed to parse key: 'zz'\n",
    unchanged: true,
  },
  {
    name: 'ipcmk --key 0x1ffffffffffffffff -Q',
    why: ADDED,
    args: ['--key', '0x1ffffffffffffffff', '-Q'],
    status: 1,
    stdout: '',
    stderr: "ipcmk: failed to parse key: '0x1ffffffffffffffff': Numerical result out of range\n",
    unchanged: true,
  },
  {
    name: 'ipcmk --ftok /tmp/ftok-file -S 1 --json',
    why: ADDED,
    state: [{ kind: 'file', path: '/dev/shm/ftok-file' }],
    args: ['--ftok', '/dev/shm/ftok-file', '-S', '1', '--json'],
    status: 0,
    stdout:
      /^\{\n {2}"resources": \[\n {4}\{\n {6}"type": "sem",\n {6}"id": 0,\n {6}"key": (\d+),\n {6}"key_hex": "0x01[0-9a-f]{6}"\n {4}\}\n {2}\]\n\}\n$/,
  },
  {
    name: 'ipcmk --ftok PATH --project-id 255 -Q',
    why: ADDED,
    state: [{ kind: 'file', path: '/dev/shm/ftok-file' }],
    args: ['--ftok', '/dev/shm/ftok-file', '--project-id', '255', '-Q'],
    status: 0,
    stdout: 'Message queue id: 0\n',
    created: ['0xff'],
  },
  {
    name: 'ipcmk --ftok /nonexistent -Q',
    why: ADDED,
    args: ['--ftok', '/nonexistent', '-Q'],
    status: 1,
    stdout: '',
    stderr: 'ipcmk: cannot derive a key from /nonexistent: No such file or directory\n',
    unchanged: true,
  },
  {
    name: 'ipcmk --ftok / --project-id 0 -Q',
    why: ADDED,
    args: ['--ftok', '/', '--project-id', '0', '-Q'],
    status: 1,
    stdout: '',
    stderr: "ipcmk: failed to parse project id: '0': Numerical result out of range\n",
    unchanged: true,
  },
  {
    name: 'ipcmk --key 1 --ftok / -Q',
    why: ADDED,
    args: ['--key', '1', '--ftok', '/', '-Q'],
    status: 1,
    stdout: '',
    stderr: `ipcmk: options --key and --ftok cannot be combined\n${TRY_HELP}`,
    unchanged: true,
  },
  {
    name: 'ipcmk --project-id 2 -Q',
    why: ADDED,
    args: ['--project-id', '2', '-Q'],
    status: 1,
    stdout: '',
    stderr: `ipcmk: --project-id requires --ftok\n${TRY_HELP}`,
    unchanged: true,
  },
  {
    name: 'ipcmk --key 1 -s -n x',
    why: ADDED,
    args: ['--key', '1', '-s', '-n', 'x'],
    status: 1,
    stdout: '',
    stderr: `ipcmk: --key applies only to System V resources (-M, -Q, -S)\n${TRY_HELP}`,
    unchanged: true,
  },
  {
    name: 'ipcmk --json -M 1 -q -n /j',
    why: ADDED,
    args: ['--json', '-M', '1', '-q', '-n', '/j'],
    status: 0,
    stdout:
      /^\{\n {2}"resources": \[\n {4}\{\n {6}"type": "shm",\n {6}"id": 0,\n {6}"key": \d+,\n {6}"key_hex": "0x[0-9a-f]{8}"\n {4}\},\n {4}\{\n {6}"type": "pmsg",\n {6}"name": "\/j"\n {4}\}\n {2}\]\n\}\n$/,
    created: ['/dev/mqueue/j'],
  },
  {
    name: 'ipcmk --json --key 7 -Q -S 1 (semaphore key in use)',
    why: `${ADDED}: the document lists what was created before the failure`,
    state: [{ kind: 'sem', key: 7 }],
    args: ['--json', '--key', '7', '-Q', '-S', '1'],
    status: 1,
    stdout:
      '{\n  "resources": [\n    {\n      "type": "msg",\n      "id": 0,\n      "key": 7,\n      "key_hex": "0x00000007"\n    }\n  ]\n}\n',
    stderr: 'ipcmk: create semaphore failed: key 0x00000007 already exists\n',
  },
];

describe.concurrent(`util-linux 2.43 behaviour, our fixes and additions (${EXPECTED.length} cases)`, () => {
  it.each(EXPECTED)('$name ($why)', async (spec) => {
    const ours = await runIpcmk('ours', spec, spec.why !== ADDED && !spec.why.startsWith(ADDED));
    expect({ stderr: ours.stderr, status: ours.status }).toEqual({
      stderr: spec.stderr ?? '',
      status: spec.status,
    });
    if (spec.stdout instanceof RegExp) expect(ours.stdout).toMatch(spec.stdout);
    else if (spec.stdout !== undefined) expect(ours.stdout).toBe(spec.stdout);
    if (spec.unchanged) expect(ours.after).toBe(ours.before);
    else expect(ours.after).not.toBe(ours.before);
    for (const line of spec.created ?? []) expect(ours.after).toContain(line);
  });
});

it('uses the ftok key it reports in --json', async () => {
  const ours = await runIpcmk(
    'ours',
    { state: [{ kind: 'file', path: '/dev/shm/f' }], args: ['--ftok', '/dev/shm/f', '-M', '1', '--json'] },
    false,
  );
  const { resources } = JSON.parse(ours.stdout) as { resources: { key_hex: string }[] };
  expect(resources).toHaveLength(1);
  expect(ours.after).toContain(`${resources[0]!.key_hex} 0          root       644        1 `);
});

// ---- bad input creates nothing ---------------------------------------------------------------------

const BAD_INPUT: string[][] = [
  ...['', 'x', '-1', '1.5', '1x', '1 KiB', '99999999999999999999', '16E', '1.', '.5K', '0x'].map((size) => [
    '-M',
    size,
  ]),
  ...['', 'x', '-1', '1.5', '1x', '99999999999999999999'].map((size) => ['-m', size, '-n', 'x']),
  ...['', 'x', '1.5', '0', '-1', '2147483648', '99999999', '0x2'].map((nsems) => ['-Q', '-S', nsems]),
  ...['', '8', '999', '-1', '10000', '0x1', '6 '].map((mode) => ['-Q', '-p', mode]),
  ['-M', '0'],
  ['-M', '1', '-Q', '-S', '0'],
  ['-q', '-n', 'noslash'],
  ['-q', '-n', ''],
  ['-s', '-n', ''],
  ['-m', '1', '-n', '/'],
  ['-s', '-n', '/a/b'],
  ['-Q', '-q', '-n', `/${'x'.repeat(300)}`],
  ['-m', '1'],
  ['-q'],
  ['-s'],
  ['-p', '600'],
  ['-n', 'x'],
  [],
  ['-Q', '--key', ''],
  ['-Q', '--key', '1', '--ftok', '/'],
  ['-Q', '--ftok', '/nonexistent'],
  ['-Q', '--ftok', '/', '--project-id', '256'],
  ['-Q', '--project-id', '1'],
  ['-Q', '--bogus'],
  ['-Q', '-M'],
];

describe.concurrent(`bad input creates nothing (${BAD_INPUT.length} cases)`, () => {
  it.each(BAD_INPUT.map((args) => ({ args, name: `ipcmk ${show(args)}` })))('$name', async ({ args }) => {
    const ours = await runIpcmk('ours', { args });
    expect(ours.status).toBe(1);
    expect(ours.stdout).toBe('');
    expect(ours.stderr).toMatch(/^ipcmk: /);
    expect(ours.after).toBe(ours.before);
  });
});

it('works with standard output on a pipe (Node resolves ffi-rs after an fstat of a FIFO)', async () => {
  await withNamespace(async (ns) => {
    const result = await ns.sh('ipcmk -Q | cat; ipcmk -M 1 --json | cat', { env: { PATH: ourPath } });
    expect(result.stderr).toBe('');
    expect(result.stdout).toMatch(
      /^Message queue id: 0\n\{\n {2}"resources": \[\n {4}\{\n {6}"type": "shm",\n {6}"id": 0,/,
    );
  });
});

it('loads the ffi-rs binding from where it was at build time, without resolving the ffi-rs package', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'ipcmk-binding-'));
  // Preloaded: any resolution through ffi-rs's package fails the run.
  const guard = join(dir, 'guard.cjs');
  writeFileSync(
    guard,
    `const Module = require('node:module');
const resolve = Module._resolveFilename;
Module._resolveFilename = function (request, ...rest) {
  if (request.startsWith('ffi-rs') || request.startsWith('@yuuang/')) throw new Error('resolved ' + request);
  return resolve.call(this, request, ...rest);
};`,
  );
  chmodSync(dir, 0o755);
  try {
    await withNamespace(async (ns) => {
      const guarded = await ns.run(process.execPath, ['--require', guard, OURS, '-M', '4096']);
      expect(guarded).toMatchObject({ status: 0, stdout: 'Shared memory id: 0\n', stderr: '' });
      // The guard does catch a resolution: the library (no build-time path) resolves the package.
      const library = await ns.run(process.execPath, [
        '--require',
        guard,
        '--input-type=module',
        '-e',
        `import { createShm } from ${JSON.stringify(join(root, 'packages/core/dist/index.js'))}; createShm({ size: 1 });`,
      ]);
      expect(library.status).toBe(1);
      expect(library.stderr).toContain('resolved ffi-rs/package.json');
    });
  } finally {
    rmSync(dir, { recursive: true });
  }
});
