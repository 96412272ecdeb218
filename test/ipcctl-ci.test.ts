// End to end: ipcctl's CI checks (exists, wait, leakcheck) on real objects, in a private IPC, mount
// and pid namespace: objects that appear and go while a waiter watches, timeouts, the CPU a wait
// costs, and commands that leak, leak nothing, or run beside another process that creates objects.
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import type { JsonIpcObject } from '@ipcutils/cli';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ipcctlWorkspace } from './helpers/ipcctl.js';
import type { IpcNamespace, RunOptions } from './helpers/namespace.js';
import { buildScript } from './helpers/script.js';

const root = join(import.meta.dirname, '..');
const ENV = { PATH: `${join(root, 'bin')}:/usr/bin:/bin:/usr/sbin:/sbin`, TZ: 'UTC', LC_ALL: 'C' };

/**
 * Creates one object of each kind (POSIX names from TAG), uses each once, touches MARKER, holds them
 * HOLD_MS and exits with STATUS without removing any. Arguments: TAG [STATUS [HOLD_MS [MARKER]]].
 */
const LEAKER = `
import { writeFileSync } from 'node:fs';
import { createMsgQueue, createSemSet, createShm, openMqueue, openPosixSem, openPosixShm, semopSync, sendMessageSync } from '@ipcutils/core';
const tag = process.argv[2] ?? 'leak';
createShm({ size: 4096 });
const queue = createMsgQueue();
sendMessageSync(queue, { type: 1, data: Buffer.from('x') });
const set = createSemSet({ nsems: 1 });
semopSync(set, [{ num: 0, op: 1 }]);
openPosixShm('/' + tag + '-shm', { create: true, size: 64 });
openMqueue('/' + tag + '-mq', { create: true });
openPosixSem('/' + tag + '-sem', { create: true });
if (process.argv[5]) writeFileSync(process.argv[5], '');
setTimeout(() => process.exit(Number(process.argv[3] ?? 0)), Number(process.argv[4] ?? 300));
`;

let ns: IpcNamespace;
let work: string;
let leaker: string;

beforeAll(async () => {
  ({ ns, work } = await ipcctlWorkspace('ipcctl-ci-'));
  leaker = await buildScript(LEAKER);
}, 60_000);

afterEach(async () => {
  await ns.sh('ipcrm -a; rm -f /dev/shm/* /dev/mqueue/*; kill -KILL -1 2>/dev/null; true', { env: ENV });
});

afterAll(async () => {
  await ns.close();
  rmSync(work, { recursive: true, force: true });
});

function sh(script: string, options: RunOptions = {}) {
  return ns.sh(script, { env: ENV, cwd: work, ...options });
}

/** What the namespace holds: every table and directory, to show that a command touched nothing. */
const STATE = 'ipcs; ls -a /dev/shm /dev/mqueue';

const TRY_HELP = "Try 'ipcctl --help' for more information.\n";

/** How each kind is created with ipcmk and named for ipcctl. */
const KINDS = [
  { kind: 'shm', create: 'ipcmk -M 64 --key 0x51', object: '--key 0x51', remove: 'ipcrm -M 0x51' },
  { kind: 'msg', create: 'ipcmk -Q --key 0x52', object: '--key 0x52', remove: 'ipcrm -Q 0x52' },
  { kind: 'sem', create: 'ipcmk -S 1 --key 0x53', object: '--key 0x53', remove: 'ipcrm -S 0x53' },
  { kind: 'pshm', create: 'ipcmk -m 64 -n /obj', object: '/obj', remove: 'rm /dev/shm/obj' },
  { kind: 'mq', create: 'ipcmk -q -n /obj', object: '/obj', remove: 'rm /dev/mqueue/obj' },
  { kind: 'psem', create: 'ipcmk -s -n /obj', object: '/obj', remove: 'rm /dev/shm/sem.obj' },
];

describe('help', () => {
  it('the tool lists the checks, their options and exit status 3', async () => {
    const help = await sh('ipcctl --help');
    expect(help.status).toBe(0);
    for (const line of [
      ' ipcctl exists KIND OBJECT',
      ' ipcctl wait KIND OBJECT [--gone] [--timeout DUR]',
      ' ipcctl leakcheck [--isolate] -- CMD...',
      '     --isolate        run CMD in private IPC and mount namespaces',
      ' 3  leakcheck: CMD succeeded but left IPC objects behind',
    ]) {
      expect(help.stdout).toContain(`${line}\n`);
    }
  });

  it.each([
    ['exists', 'Exit 0 when the object exists, 2 when it does not; print nothing.'],
    ['wait', '     --gone           wait until the object no longer exists'],
    ['leakcheck', '     --isolate        run CMD in private IPC and mount namespaces'],
  ])('ipcctl %s --help describes that command alone', async (command, line) => {
    const help = await sh(`ipcctl ${command} --help`);
    expect(help).toMatchObject({ status: 0, stderr: '' });
    expect(help.stdout).toMatch(new RegExp(`^\nUsage:\n ipcctl ${command} `));
    expect(help.stdout).toContain(`${line}\n`);
    expect(help.stdout).not.toContain('msg send');
  });
});

describe('exists', () => {
  it.each(KINDS)(
    '$kind: 0 while the object exists, 2 before and after',
    async ({ kind, create, object, remove }) => {
      const script = `ipcctl exists ${kind} ${object}; echo $?; ${create} >/dev/null; ipcctl exists ${kind} ${object}; echo $?; ${remove}; ipcctl exists ${kind} ${object}; echo $?`;
      expect(await sh(script)).toEqual({ status: 0, stdout: '2\n0\n2\n', stderr: '' });
    },
  );

  it('System V objects by id too, whatever their permissions, as any user', async () => {
    const id = (await sh('ipcmk -M 64 -p 600 | tr -dc 0-9')).stdout;
    const { NOBODY } = await import('./helpers/namespace.js');
    expect(
      await sh(`ipcctl exists shm ${id}; echo $?; ipcctl exists msg ${id}; echo $?`, { user: NOBODY }),
    ).toEqual({
      status: 0,
      stdout: '0\n2\n',
      stderr: '',
    });
  });

  it("mq: this IPC namespace's queues, whether /dev/mqueue is another namespace's mount or none", async () => {
    // unshare --ipc keeps /dev/mqueue, the outer namespace's mount; then it is unmounted.
    const inner = [
      'ipcmk -q -n /inner >/dev/null',
      'ipcctl exists mq /outer; echo $?',
      'ipcctl exists mq /inner; echo $?',
      '(sleep 0.3; ipcmk -q -n /late >/dev/null) &',
      'ipcctl wait mq /late --timeout 5; echo $?',
      'umount /dev/mqueue',
      'ipcctl exists mq /inner; echo $?',
      '(sleep 0.3; ipcrm --posix-mqueue /inner) &',
      'ipcctl wait mq /inner --gone --timeout 5; echo $?',
      'wait',
    ].join('\n');
    expect(await sh('ipcmk -q -n /outer >/dev/null')).toMatchObject({ status: 0, stderr: '' });
    expect(await sh(`unshare --ipc --mount --propagation private sh -c '${inner}'`)).toEqual({
      status: 0,
      stdout: '2\n0\n0\n0\n0\n',
      stderr: '',
    });
  });

  it.each([
    ['exists', 'missing operand: shm|msg|sem|pshm|mq|psem'],
    ['exists queue 1', "unknown kind (shm, msg, sem, pshm, mq, psem): 'queue'"],
    ['exists shm abc', "invalid id: 'abc'"],
    ['exists shm 2147483648', "id out of range (0..2147483647): '2147483648'"],
    ['exists shm', 'missing operand: ID (or --key KEY)'],
    ['exists shm 1 2', "unexpected operand: '2'"],
    ['exists shm --key 0', "invalid key: '0' (IPC_PRIVATE names no object)"],
    ['exists shm --key zz', "invalid key: 'zz'"],
    ['exists pshm obj', "invalid POSIX name (/NAME): 'obj'"],
    ['exists mq /..', "invalid POSIX name (/NAME): '/..'"],
    ['exists pshm --key 1 /obj', '--key names System V objects, not pshm'],
    ['wait shm 1 --timeout soon', "invalid duration: 'soon'"],
    ['wait shm 1 --timeout -1', "invalid duration: '-1'"],
    ['wait psem /obj --nowait', "unrecognized option '--nowait'"],
  ])('%s: exit 1, one line naming the bad value, nothing touched', async (command, message) => {
    await sh(
      'ipcmk -M 64 --key 0x61 >/dev/null; ipcmk -m 8 -n /keep >/dev/null; ipcmk -q -n /keepq >/dev/null',
    );
    const before = await sh(STATE);
    expect(await sh(`ipcctl ${command}`)).toEqual({
      status: 1,
      stdout: '',
      stderr: `ipcctl: ${message}\n${TRY_HELP}`,
    });
    expect(await sh(STATE)).toEqual(before);
  });
});

describe('wait', () => {
  it.each(KINDS)(
    '$kind: returns 0 once an object created 300 ms later exists, without delay',
    async ({ kind, create, object }) => {
      const script = [
        'start=$(date +%s%N)',
        `(sleep 0.3; ${create} >/dev/null; date +%s%N > created) &`,
        `ipcctl wait ${kind} ${object} --timeout 20; status=$?`,
        'returned=$(date +%s%N); wait',
        `ipcctl exists ${kind} ${object}`,
        'echo "$status $? $(( (returned - start) / 1000000 )) $(( (returned - $(cat created)) / 1000000 ))"',
      ].join('\n');
      const result = await sh(script);
      const [status, exists, elapsed, lag] = result.stdout.trim().split(' ').map(Number);
      expect({ status, exists, stderr: result.stderr }).toEqual({ status: 0, exists: 0, stderr: '' });
      expect(elapsed).toBeGreaterThanOrEqual(300);
      // inotify wakes a POSIX waiter at once; /proc/sysvipc is re-read at least every 250 ms.
      // `created` is written after ipcmk has exited, so the lag may be negative; the rest is load.
      expect(lag).toBeLessThan(kind.startsWith('p') || kind === 'mq' ? 600 : 800);
    },
  );

  it.each(KINDS)(
    '$kind --gone: returns 0 once the object is removed',
    async ({ kind, create, object, remove }) => {
      const script = [
        `${create} >/dev/null`,
        `(sleep 0.3; ${remove}) &`,
        `ipcctl wait ${kind} ${object} --gone --timeout 20; status=$?; wait`,
        `ipcctl exists ${kind} ${object}`,
        'echo "$status $?"',
      ].join('\n');
      expect(await sh(script)).toEqual({ status: 0, stdout: '0 2\n', stderr: '' });
    },
  );

  it('--gone returns at once for an object that is not there, and a plain wait for one that is', async () => {
    expect(
      await sh(
        'ipcctl wait mq /none --gone --timeout 1; echo $?; ipcmk -q -n /q >/dev/null; ipcctl wait mq /q --timeout 1; echo $?',
      ),
    ).toEqual({
      status: 0,
      stdout: '0\n0\n',
      stderr: '',
    });
  });

  it.each([
    ['pshm', '/never', 'pshm /never: timed out (still absent)'],
    ['shm', '--key 0x71', 'shm key 0x00000071: timed out (still absent)'],
  ])('%s: exit 2 when the timeout passes first, after about the timeout', async (kind, object, message) => {
    const script = `start=$(date +%s%N); ipcctl wait ${kind} ${object} --timeout 1.2; status=$?; echo "$status $(( ($(date +%s%N) - start) / 1000000 ))"`;
    const result = await sh(script);
    const [status, elapsed] = result.stdout.trim().split(' ').map(Number);
    expect({ status, stderr: result.stderr }).toEqual({ status: 2, stderr: `ipcctl: ${message}\n` });
    expect(elapsed).toBeGreaterThanOrEqual(1200);
    expect(elapsed).toBeLessThan(1200 + 2500);
  });

  it('--gone times out on an object that stays', async () => {
    const result = await sh('ipcmk -s -n /stays >/dev/null; ipcctl wait psem /stays --gone --timeout 0.3');
    expect(result).toEqual({
      status: 2,
      stdout: '',
      stderr: 'ipcctl: psem /stays: timed out (still there)\n',
    });
  });

  it.each([
    ['pshm', '/idle'],
    ['sem', '--key 0x72'],
  ])('%s: a waiting process uses almost no CPU (inotify, or polling with backoff)', async (kind, object) => {
    // utime + stime (clock ticks, 100 per second) of the waiter between 0.8 s and 2.3 s after its start.
    const script = [
      `ipcctl wait ${kind} ${object} --timeout 4 & p=$!`,
      'sleep 0.8',
      "a=$(awk '{ print $14 + $15 }' /proc/$p/stat)",
      'sleep 1.5',
      "b=$(awk '{ print $14 + $15 }' /proc/$p/stat)",
      'kill -TERM $p; wait $p',
      'echo "$? $((b - a))"',
    ].join('\n');
    const result = await sh(script);
    const [status, ticks] = result.stdout.trim().split(' ').map(Number);
    expect({ status, stderr: result.stderr }).toEqual({ status: 143, stderr: '' });
    // Under 0.2 s of CPU in 1.5 s of waiting (measured: 0 to 2 ticks).
    expect(ticks).toBeLessThan(20);
  });

  it('SIGINT ends a wait with 128+2 and nothing else', async () => {
    const result = await sh(
      'ipcctl wait mq /late & p=$!; sleep 0.8; kill -INT $p; wait $p; echo "status $?"',
    );
    expect(result).toEqual({ status: 0, stdout: 'status 130\n', stderr: '' });
  });
});

/** An object of the report: the suite's JSON record, with the attribution and the evidence. */
interface Reported extends JsonIpcObject {
  attribution?: string;
  evidence: string;
}

interface LeakReport {
  command: string[];
  status: number;
  isolated: boolean;
  left: Reported[];
  unattributed: Reported[];
  problems: unknown[];
}

/** The JSON report: the last line of standard output (CMD's own output comes before it). */
function reportOf(stdout: string): LeakReport {
  return JSON.parse(stdout.trimEnd().split('\n').pop()!) as LeakReport;
}

const byType = (objects: Reported[]) => objects.map((object) => object.type).sort();

describe('leakcheck', () => {
  it('a command that leaks one object of each kind: every one reported, exit 3', async () => {
    const result = await sh(`ipcctl leakcheck --json -- node ${leaker} leak`);
    expect({ status: result.status, stderr: result.stderr }).toEqual({ status: 3, stderr: '' });
    const report = reportOf(result.stdout);
    expect(report).toMatchObject({
      command: ['node', leaker, 'leak'],
      status: 0,
      isolated: false,
      problems: [],
    });
    // The creator pid proves the segment; the POSIX files were held by the command alone as they appeared.
    expect(report.left.map(({ type, attribution }) => [type, attribution]).sort()).toEqual([
      ['pmsg', 'probable'],
      ['psem', 'probable'],
      ['pshm', 'probable'],
      ['shm', 'certain'],
    ]);
    expect(report.left.find((object) => object.type === 'pshm')).toMatchObject({
      name: '/leak-shm',
      owner: 'root',
      uid: 0,
      size: 64,
      evidence: expect.stringMatching(
        /^held by pid \d+ of the command, and no other process, when it appeared/,
      ),
    });
    expect(report.left.find((object) => object.type === 'shm')).toMatchObject({
      key: 0,
      size: 4096,
      evidence: expect.stringMatching(/^created by pid \d+, in the command's process tree$/),
    });
    // Queues and sets do not record their creator: reported, never counted, with what was seen.
    expect(byType(report.unattributed)).toEqual(['msg', 'sem']);
    expect(report.unattributed.find((object) => object.type === 'msg')?.evidence).toMatch(
      /^System V message queues do not record their creator; last used by pid \d+ of the command$/,
    );
  });

  it('the text report goes to standard error, after the command', async () => {
    const result = await sh(`ipcctl leakcheck -- sh -c 'echo from the command; node ${leaker} text'`);
    expect({ status: result.status, stdout: result.stdout }).toEqual({
      status: 3,
      stdout: 'from the command\n',
    });
    const lines = result.stderr.split('\n');
    expect(lines[0]).toBe('ipcctl: leakcheck: 4 IPC objects left by the command:');
    expect(lines).toContainEqual(
      expect.stringMatching(
        /^ {2}shm \d+ \(key 0x00000000, owner 0, 4096 bytes\): created by pid \d+, in the command's process tree$/,
      ),
    );
    expect(lines).toContainEqual(
      expect.stringMatching(
        /^ {2}mq \/text-mq \(owner 0, 0 bytes\) \[probable\]: held by pid \d+ of the command/,
      ),
    );
    expect(lines).toContain(
      'ipcctl: leakcheck: 2 IPC objects new during the run, not attributed to the command (not counted):',
    );
  });

  it('a command that leaks nothing: exit 0, whatever it created and removed', async () => {
    const result = await sh(
      "ipcctl leakcheck -- sh -c 'id=$(ipcmk -Q | tr -dc 0-9); ipcrm -q $id; ipcmk -m 8 -n /tmp >/dev/null; rm /dev/shm/tmp'",
    );
    expect(result).toEqual({
      status: 0,
      stdout: '',
      stderr: 'ipcctl: leakcheck: no IPC object left by the command\n',
    });
  });

  it('objects that existed before are not blamed, though the command uses them', async () => {
    await sh(
      'ipcmk -Q --key 0x81 >/dev/null; ipcmk -m 16 -n /before >/dev/null; ipcmk -q -n /beforeq >/dev/null',
    );
    const result = await sh(
      "ipcctl leakcheck --json -- sh -c 'ipcctl msg send --key 0x81 hi; echo data | ipcctl pshm write /before; ipcctl mq send /beforeq hi'",
    );
    expect(result.status).toBe(0);
    expect(reportOf(result.stdout)).toMatchObject({ status: 0, left: [], unattributed: [] });
  });

  it('objects another process creates during the run are not blamed', async () => {
    // The other process creates its objects once the command has started, which waits for them.
    const script = [
      'rm -f started done',
      `(while [ ! -e started ]; do sleep 0.05; done; node ${leaker} other 0 1500 done) & other=$!`,
      `ipcctl leakcheck --json -- sh -c 'touch started; while [ ! -e done ]; do sleep 0.05; done'; status=$?`,
      'wait $other; echo "status $status"',
    ].join('\n');
    const result = await sh(script);
    const lines = result.stdout.trimEnd().split('\n');
    expect(lines.pop()).toBe('status 0');
    const report = JSON.parse(lines.pop()!) as LeakReport;
    expect(report.left).toEqual([]);
    expect(byType(report.unattributed)).toEqual(['msg', 'pmsg', 'psem', 'pshm', 'sem', 'shm']);
    expect(report.unattributed.find((object) => object.type === 'pshm')?.evidence).toMatch(
      /^held by pid \d+, outside the command, when it appeared$/,
    );
    expect(report.unattributed.find((object) => object.type === 'shm')?.evidence).toMatch(
      /^created by pid \d+, never seen in the command's process tree$/,
    );
  });

  it("the command's own failure status wins over the leak status", async () => {
    const result = await sh(`ipcctl leakcheck --json -- node ${leaker} fails 5`);
    expect(result.status).toBe(5);
    expect(reportOf(result.stdout)).toMatchObject({ status: 5 });
    expect(reportOf(result.stdout).left).toHaveLength(4);
  });

  it('--isolate: the command leaks nothing into the caller, and everything it left is reported', async () => {
    await sh('ipcmk -M 64 --key 0x91 >/dev/null; ipcmk -m 8 -n /outer >/dev/null');
    const before = await sh(STATE);
    const result = await sh(
      `ipcctl leakcheck --isolate --json -- sh -c 'ipcs -m | grep -c 0x00000091; node ${leaker} iso; ipcmk -Q >/dev/null'`,
    );
    expect({ status: result.status, stderr: result.stderr }).toEqual({ status: 3, stderr: '' });
    // The command saw none of the caller's objects.
    expect(result.stdout.split('\n')[0]).toBe('0');
    const report = reportOf(result.stdout);
    expect(report).toMatchObject({ isolated: true, status: 0, unattributed: [] });
    expect(byType(report.left)).toEqual(['msg', 'msg', 'pmsg', 'psem', 'pshm', 'sem', 'shm']);
    expect(report.left.every((object) => object.attribution === 'isolated')).toBe(true);
    expect(report.left.find((object) => object.type === 'psem')).toMatchObject({ name: '/iso-sem' });
    expect(await sh(STATE)).toEqual(before);
  });

  it('--isolate with a command that leaves nothing: exit 0; its failure status still wins', async () => {
    expect(await sh("ipcctl leakcheck --isolate -- sh -c 'exit 0'")).toEqual({
      status: 0,
      stdout: '',
      stderr: 'ipcctl: leakcheck: no IPC object left by the command\n',
    });
    expect((await sh("ipcctl leakcheck --isolate -- sh -c 'ipcmk -Q >/dev/null; exit 7'")).status).toBe(7);
  });

  it('--isolate without the privilege to make namespaces: one line, exit 1, the command never runs', async () => {
    const { NOBODY } = await import('./helpers/namespace.js');
    // Whether nobody may make a user namespace depends on the kernel's settings: both answers are checked.
    const probe = await sh('unshare --user --map-root-user --ipc --mount true', { user: NOBODY });
    const result = await sh('ipcctl leakcheck --isolate -- sh -c "echo ran"', { user: NOBODY });
    if (probe.status === 0) {
      expect(result).toEqual({
        status: 0,
        stdout: 'ran\n',
        stderr: 'ipcctl: leakcheck: no IPC object left by the command\n',
      });
    } else {
      expect(result.status).toBe(1);
      expect(result.stdout).toBe('');
      expect(result.stderr).toMatch(
        /^ipcctl: --isolate: cannot make private IPC and mount namespaces: [^\n]+\n$/,
      );
    }
  });

  it('--isolate without unshare(1): one line, exit 1, the command never runs', async () => {
    // A PATH holding node and ipcutils' bins only.
    const script = `mkdir -p nounshare && ln -sf "$(command -v node)" nounshare/node && PATH=$PWD/nounshare:${join(root, 'bin')} ipcctl leakcheck --isolate -- /bin/echo ran`;
    expect(await sh(script)).toEqual({
      status: 1,
      stdout: '',
      stderr: 'ipcctl: --isolate: cannot run unshare: No such file or directory\n',
    });
  });

  it.each([
    ['leakcheck', 'missing command: -- CMD...'],
    ['leakcheck true', "unexpected operand: 'true'"],
    ['leakcheck --isolated -- true', "unrecognized option '--isolated'"],
    // The inner run's option, given the namespace it runs in: refused, or every object would be blamed.
    [
      'leakcheck --in-namespace=$(readlink /proc/self/ns/ipc) -- true',
      "--in-namespace is leakcheck --isolate's own: this is the caller's namespace",
    ],
  ])('%s: a usage error, nothing run', async (command, message) => {
    expect(await sh(`ipcctl ${command}`)).toEqual({
      status: 1,
      stdout: '',
      stderr: `ipcctl: ${message}\n${TRY_HELP}`,
    });
  });

  it('a command that cannot be started: 127, as the shell says', async () => {
    expect(await sh('ipcctl leakcheck -- no-such-command-here')).toEqual({
      status: 127,
      stdout: '',
      stderr: "ipcctl: cannot run 'no-such-command-here': No such file or directory\n",
    });
  });
});
