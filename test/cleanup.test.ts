/**
 * Leak cleanup end to end, as users meet it: processes create, attach, map and hold objects, some
 * are killed with SIGKILL, and the built lsipc (and ipcrm) must tell the orphans from the objects
 * live processes use. Each scenario runs in its own IPC, mount and pid namespace (its own /proc,
 * so that only its processes count, and so that a pid can be handed out again on purpose).
 */
import type { ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { type IpcNamespace, NOBODY, type RunResult, type User, withNamespace } from './helpers/namespace.js';
import { buildScript } from './helpers/script.js';

const ROOT = join(import.meta.dirname, '..');
const LSIPC = join(ROOT, 'bin', 'lsipc');
const IPCRM = join(ROOT, 'bin', 'ipcrm');

// Runs inside the namespace: each argument an action, then prints {"pid": …, action: id} and
// "ready", and keeps everything until it is killed. Actions:
//   shm:KEY[:attach]  attach:KEY  sem:KEY[:op]  semop:KEY  msg:KEY[:send|:use (send and receive)]
//   pshm:NAME[:map|:open]  psem:NAME[:open]  pmq:NAME[:open]
/** A user no other process runs as (uids of the host's users would be seen in its /proc). */
const OWNER: User = { uid: 40_000, gid: 40_000 };

const HOLDER_SCRIPT = `
import {
  attachShm, createMsgQueue, createSemSet, createShm, getSemSet, getShm, openMqueue, openPosixSem,
  openPosixShm, receiveMessageSync, semopSync, sendMessageSync,
} from '@ipcutils/core';

const keep = [];
const ids = {};
for (const action of process.argv.slice(2)) {
  const [what, arg, how] = action.split(':');
  switch (what) {
    case 'shm': {
      const id = createShm({ key: Number(arg), size: 4096, mode: 0o644, exclusive: true });
      if (how === 'attach') keep.push(attachShm(id));
      ids[action] = id;
      break;
    }
    case 'attach':
      ids[action] = getShm(Number(arg));
      keep.push(attachShm(ids[action]));
      break;
    case 'sem': {
      const id = createSemSet({ key: Number(arg), nsems: 2, mode: 0o644, exclusive: true });
      if (how === 'op') semopSync(id, [{ num: 1, op: 1 }]);
      ids[action] = id;
      break;
    }
    case 'semop':
      ids[action] = getSemSet(Number(arg));
      semopSync(ids[action], [{ num: 0, op: 1 }]);
      break;
    case 'msg': {
      const id = createMsgQueue({ key: Number(arg), mode: 0o644, exclusive: true });
      if (how === 'send' || how === 'use') sendMessageSync(id, { type: 1, data: 'left behind' });
      if (how === 'use') receiveMessageSync(id);
      ids[action] = id;
      break;
    }
    case 'pshm': {
      const handle = openPosixShm('/' + arg, { create: true, mode: 0o644, size: 4096 });
      if (how === 'map') {
        keep.push(handle.map());
        handle.close();
      } else if (how === 'open') keep.push(handle);
      else handle.close();
      break;
    }
    case 'psem': {
      const handle = openPosixSem('/' + arg, { create: true, mode: 0o644, value: 1 });
      if (how === 'open') keep.push(handle);
      else handle.close();
      break;
    }
    case 'pmq': {
      const handle = openMqueue('/' + arg, { create: true, mode: 0o644 });
      if (how === 'open') keep.push(handle);
      else handle.close();
      break;
    }
    default:
      throw new Error('unknown action ' + action);
  }
}
console.log(JSON.stringify({ pid: process.pid, ids }));
console.log('ready');
setInterval(() => {}, 1 << 30);
`;

let holderScript: string;

beforeAll(async () => {
  for (const bin of [LSIPC, IPCRM]) {
    if (!existsSync(bin)) throw new Error(`${bin} is missing: run \`node scripts/build.mjs\` first`);
  }
  holderScript = await buildScript(HOLDER_SCRIPT);
}, 60_000);

interface Holder {
  /** The pid inside the namespace. */
  pid: number;
  ids: Record<string, number>;
  child: ChildProcess;
}

/** Starts a process doing `actions` inside the namespace and waits until it has done them. */
function start(ns: IpcNamespace, actions: readonly string[], user?: User): Promise<Holder> {
  const child = ns.spawn('node', [holderScript, ...actions], user ? { user } : {});
  return new Promise((resolve, reject) => {
    let stdout = '';
    let stderr = '';
    child.stderr?.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    child.stdout?.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      const lines = stdout.split('\n');
      if (lines.includes('ready')) {
        const { pid, ids } = JSON.parse(lines[0] ?? '') as { pid: number; ids: Record<string, number> };
        resolve({ pid, ids, child });
      }
    });
    child.once('exit', (code) => reject(new Error(`holder exited (${code}) before ready: ${stderr}`)));
  });
}

/** SIGKILL inside the namespace (the spawned nsenter is only its parent), then waits until it is reaped. */
async function kill(ns: IpcNamespace, holder: Holder): Promise<void> {
  const exited = new Promise<void>((resolve) => {
    if (holder.child.exitCode !== null || holder.child.signalCode !== null) resolve();
    else holder.child.once('exit', () => resolve());
  });
  const result = await ns.run('kill', ['-KILL', String(holder.pid)]);
  expect(result.status).toBe(0);
  await exited;
}

function lsipc(ns: IpcNamespace, args: readonly string[], user?: User): Promise<RunResult> {
  return ns.run(LSIPC, args, user ? { user } : {});
}

/**
 * What lsipc selects with these arguments, as "shm:3" or "pshm:name" (queues keep their "/", as
 * the listing shows them; typed JSON gives every POSIX name its "/").
 */
async function selected(ns: IpcNamespace, args: readonly string[], user?: User): Promise<string[]> {
  const result = await lsipc(ns, [...args, '--typed-json', '-o', '+TYPE'], user);
  expect(result.stderr).toBe('');
  expect(result.status).toBe(0);
  const table =
    Object.values(JSON.parse(result.stdout) as Record<string, Record<string, unknown>[]>)[0] ?? [];
  return table.map((row) =>
    row.type === 'pshm' || row.type === 'psem'
      ? `${row.type}:${String(row.name).replace(/^\//, '')}`
      : `${row.type}:${row.id ?? row.name}`,
  );
}

function ipcrm(ns: IpcNamespace, args: readonly string[], user?: User): Promise<RunResult> {
  return ns.run(IPCRM, args, user ? { user } : {});
}

/**
 * Every object in the namespace, read without our tools: /proc/sysvipc and the two directories.
 * "shm:ID", "msg:ID", "sem:ID", "pshm:NAME", "psem:NAME", "pmsg:/NAME", sorted.
 */
async function remaining(ns: IpcNamespace): Promise<string[]> {
  const objects: string[] = [];
  for (const kind of ['shm', 'msg', 'sem'] as const) {
    const table = (await ns.run('cat', [`/proc/sysvipc/${kind}`])).stdout.split('\n').slice(1);
    for (const line of table) {
      const id = line.trim().split(/\s+/)[1];
      if (id !== undefined) objects.push(`${kind}:${id}`);
    }
  }
  for (const name of (await ns.run('ls', ['-A', '/dev/shm'])).stdout.split('\n').filter(Boolean)) {
    objects.push(name.startsWith('sem.') ? `psem:${name.slice(4)}` : `pshm:${name}`);
  }
  for (const name of (await ns.run('ls', ['-A', '/dev/mqueue'])).stdout.split('\n').filter(Boolean)) {
    objects.push(`pmsg:/${name}`);
  }
  return objects.sort();
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('System V segments', () => {
  it('a process that created and attached a segment is killed: --orphaned selects it', async () => {
    await withNamespace(
      async (ns) => {
        const victim = await start(ns, ['shm:0x1001:attach']);
        const id = victim.ids['shm:0x1001:attach'];
        expect(await selected(ns, ['-m', '--orphaned'])).toEqual([]);
        await kill(ns, victim);
        expect(await selected(ns, ['-m', '--orphaned'])).toEqual([`shm:${id}`]);
        expect(await selected(ns, ['--orphaned'])).toEqual([`shm:${id}`]);
        expect(await ipcrm(ns, ['--orphaned', '--dry-run'])).toEqual({
          stdout: `would remove shared memory segment id \`${id}'\n`,
          stderr: '',
          status: 0,
        });
        expect(await remaining(ns)).toEqual([`shm:${id}`]);
        expect(await ipcrm(ns, ['--orphaned'])).toEqual({ stdout: '', stderr: '', status: 0 });
        expect(await remaining(ns)).toEqual([]);
        // Nothing left to select: still a success.
        expect(await ipcrm(ns, ['--orphaned', '-v'])).toEqual({ stdout: '', stderr: '', status: 0 });
      },
      { pid: true },
    );
  });

  it('never selects a segment attached by a live process, one whose creator lives, one attached by another live process', async () => {
    await withNamespace(
      async (ns) => {
        const live = await start(ns, ['shm:0x2001:attach', 'shm:0x2002']);
        const creator = await start(ns, ['shm:0x2003', 'shm:0x2004:attach']);
        const attacher = await start(ns, ['attach:0x2003']);
        await kill(ns, creator);
        const ids = { ...live.ids, ...creator.ids };
        // The control: the killed creator's other segment, which nobody attaches.
        expect(await selected(ns, ['-m', '--orphaned'])).toEqual([`shm:${ids['shm:0x2004:attach']}`]);
        const holders = await lsipc(ns, ['-m', '-o', 'KEY,NATTCH,HOLDERS', '--raw', '--noheadings']);
        expect(holders.stdout).toBe(
          [
            `0x00002001 1 ${live.pid}(node)`,
            '0x00002002 0 ',
            `0x00002003 1 ${attacher.pid}(node)`,
            '0x00002004 0 ',
            '',
          ].join('\n'),
        );
        const control = ids['shm:0x2004:attach'];
        // Named objects are candidates only: a live one is left alone, and that is no failure.
        expect(await ipcrm(ns, ['--orphaned', '-v', '-m', String(ids['shm:0x2001:attach'])])).toEqual({
          stdout: '',
          stderr: '',
          status: 0,
        });
        expect(await ipcrm(ns, ['--orphaned', '-v'])).toEqual({
          stdout: `removing shared memory segment id \`${control}'\n`,
          stderr: '',
          status: 0,
        });
        expect(await remaining(ns)).toEqual(
          [ids['shm:0x2001:attach'], ids['shm:0x2002'], ids['shm:0x2003']].map((id) => `shm:${id}`).sort(),
        );
      },
      { pid: true },
    );
  });

  it("pid reuse: a new process with the dead creator's pid does not keep the segment alive", async () => {
    await withNamespace(
      async (ns) => {
        const creator = await start(ns, ['shm:0x3001:attach']);
        const id = creator.ids['shm:0x3001:attach'];
        await kill(ns, creator);
        // Past the recorded second and the margin for btime's rounding (PID_REUSE_MARGIN_SECONDS).
        await sleep(3200);
        // The next pid handed out in this pid namespace is the creator's.
        const reuse = await ns.sh(
          `echo ${creator.pid - 1} > /proc/sys/kernel/ns_last_pid; sleep 1000 >/dev/null 2>&1 & echo $!`,
        );
        expect(Number(reuse.stdout.trim())).toBe(creator.pid);
        const now = await lsipc(ns, ['-m', '-o', 'ID,CPID,LPID,NATTCH', '--raw', '--noheadings']);
        expect(now.stdout).toBe(`${id} ${creator.pid} ${creator.pid} 0\n`);
        expect((await ns.run('cat', [`/proc/${creator.pid}/comm`])).stdout).toBe('sleep\n');
        expect(await selected(ns, ['-m', '--orphaned'])).toEqual([`shm:${id}`]);
        const report = JSON.parse((await ipcrm(ns, ['--orphaned', '--json'])).stdout);
        expect(report.removed).toEqual([expect.objectContaining({ type: 'shm', id, key: 0x3001 })]);
        expect(report.selected[0].pids).toEqual([
          { role: 'creator', pid: creator.pid, state: 'reused' },
          { role: 'last-operation', pid: creator.pid, state: 'reused' },
        ]);
        expect(await remaining(ns)).toEqual([]);
      },
      { pid: true },
    );
  });

  it('a /proc of another pid namespace proves no creator gone (unshare --pid --fork without --mount-proc)', async () => {
    await withNamespace(async (ns) => {
      // /proc stays the outer namespace's, while /proc/sysvipc numbers pids as the inner one does:
      // the live creator gets an inner pid that no process of the outer /proc has.
      const taken = new Set((await ns.run('ls', ['/proc'])).stdout.split('\n'));
      let pid = 30_000;
      while (taken.has(String(pid))) pid--;
      const script = [
        `echo ${pid - 1} > /proc/sys/kernel/ns_last_pid`,
        `node ${holderScript} shm:0x3101 > holder.out &`,
        'until grep -q ready holder.out; do sleep 0.1; done',
        `${IPCRM} --orphaned --dry-run --json; echo "status $?"`,
        'kill $!',
      ].join('\n');
      const cwd = await ns.run('mktemp', ['-d']);
      const inner = await ns.run('unshare', ['--pid', '--fork', 'sh', '-c', script], {
        cwd: cwd.stdout.trim(),
      });
      const [json, status] = inner.stdout.trimEnd().split('\nstatus ');
      const report = JSON.parse(json ?? '');
      expect(status).toBe('2');
      expect(report.selected).toEqual([]);
      expect(report.undetermined).toEqual([
        expect.objectContaining({
          type: 'shm',
          key: 0x3101,
          judgement: expect.objectContaining({ verdict: 'undetermined', reason: 'pid-unknown' }),
        }),
      ]);
      expect(report.undetermined[0].judgement.evidence.pids).toEqual([
        { role: 'creator', pid, state: 'unknown' },
      ]);
      expect((await ns.run('cat', ['/proc/sysvipc/shm'])).stdout).toContain(' 12545 ');
    });
  });
});

describe('System V semaphore sets and queues', () => {
  it('selects those whose users died; never those a live process used; unused ones only with --older-than', async () => {
    await withNamespace(
      async (ns) => {
        // The dead user's only process: once it is gone, no live process runs as the owner.
        const dead = await start(
          ns,
          ['sem:0x4001:op', 'msg:0x4002:use', 'sem:0x4005', 'msg:0x4006', 'sem:0x4007:op'],
          OWNER,
        );
        const live = await start(ns, ['sem:0x4003:op', 'msg:0x4004:send', 'semop:0x4007']);
        await kill(ns, dead);
        const id = (holder: Holder, action: string) => holder.ids[action];
        expect(await selected(ns, ['--orphaned'])).toEqual([
          `msg:${id(dead, 'msg:0x4002:use')}`,
          `sem:${id(dead, 'sem:0x4001:op')}`,
        ]);
        expect(await selected(ns, ['-s', '--orphaned', '--older-than', '0s'])).toEqual([
          `sem:${id(dead, 'sem:0x4001:op')}`,
          `sem:${id(dead, 'sem:0x4005')}`,
        ]);
        expect(await selected(ns, ['-q', '--orphaned', '--older-than', '0s'])).toEqual([
          `msg:${id(dead, 'msg:0x4002:use')}`,
          `msg:${id(dead, 'msg:0x4006')}`,
        ]);
        // Nothing is that old yet.
        expect(await selected(ns, ['--orphaned', '--older-than', '1h'])).toEqual([]);
        const sems = (...keys: string[]) =>
          keys.map((action) => `sem:${dead.ids[action] ?? live.ids[action]}`);
        const queues = (...keys: string[]) =>
          keys.map((action) => `msg:${dead.ids[action] ?? live.ids[action]}`);
        expect(await ipcrm(ns, ['--orphaned'])).toEqual({ stdout: '', stderr: '', status: 0 });
        expect(await remaining(ns)).toEqual(
          [
            ...sems('sem:0x4005', 'sem:0x4007:op', 'sem:0x4003:op'),
            ...queues('msg:0x4006', 'msg:0x4004:send'),
          ].sort(),
        );
        // The never-used set goes once --older-than says how old is dead; queues are not candidates.
        expect(await ipcrm(ns, ['--orphaned', '--older-than', '0s', '--all=sem'])).toEqual({
          stdout: '',
          stderr: '',
          status: 0,
        });
        expect(await remaining(ns)).toEqual(
          [...sems('sem:0x4007:op', 'sem:0x4003:op'), ...queues('msg:0x4006', 'msg:0x4004:send')].sort(),
        );
      },
      { pid: true },
    );
  });
});

describe('POSIX objects', () => {
  it('selects those nobody maps or holds open, and shows who holds the others', async () => {
    await withNamespace(
      async (ns) => {
        const live = await start(ns, [
          'pshm:mapped:map',
          'pshm:opened:open',
          'pshm:closed',
          'psem:held:open',
          'pmq:held:open',
        ]);
        const dead = await start(ns, ['pshm:dead:map', 'psem:deadsem:open', 'pmq:deadq:open']);
        await kill(ns, dead);
        // Kinds in util-linux order, each in readdir order.
        expect((await selected(ns, ['--orphaned'])).sort()).toEqual([
          'pmsg:/deadq',
          'psem:deadsem',
          'pshm:closed',
          'pshm:dead',
        ]);
        expect((await selected(ns, ['-M', '--unattached'])).sort()).toEqual(['pshm:closed', 'pshm:dead']);
        const shown = await lsipc(ns, ['-M', '-o', 'NAME,HOLDERS', '--raw', '--noheadings']);
        expect(shown.stdout.split('\n').sort()).toEqual(
          ['', 'closed ', 'dead ', `mapped ${live.pid}(node)`, `opened ${live.pid}(node)`].sort(),
        );
        const queues = await lsipc(ns, ['-Q', '--holders', '-o', 'NAME', '--raw', '--noheadings']);
        expect(queues.stdout.split('\n').sort()).toEqual(['', '/deadq ', `/held ${live.pid}(node)`].sort());
        const sems = await lsipc(ns, ['-S', '-o', 'NAME', '--holders', '--raw', '--noheadings']);
        expect(sems.stdout.split('\n').sort()).toEqual(['', 'deadsem ', `held ${live.pid}(node)`].sort());
        const removal = await ipcrm(ns, ['--orphaned', '--json']);
        expect(removal.status).toBe(0);
        expect(
          JSON.parse(removal.stdout)
            .removed.map((object: { name: string }) => object.name)
            .sort(),
        ).toEqual(['/closed', '/dead', '/deadq', '/deadsem']);
        expect(await remaining(ns)).toEqual(['pmsg:/held', 'psem:held', 'pshm:mapped', 'pshm:opened']);
      },
      { pid: true },
    );
  });

  it('a /proc of a pid namespace we are not in shows no holder of ours: nothing is proven unheld', async () => {
    await withNamespace(async (ns) => {
      const live = await start(ns, ['pshm:held:map']);
      // nsenter --mount into a container's mount namespace: its /proc lists the container's
      // processes only, not the holder, and its self leads nowhere for us.
      const script = [
        'unshare --pid --fork --kill-child --mount-proc sleep 60 > /dev/null 2>&1 &',
        'until child=$(tr -d " " < /proc/$!/task/$!/children) && [ -n "$child" ]; do sleep 0.1; done',
        `nsenter --mount=/proc/$child/ns/mnt ${IPCRM} --orphaned --json; echo "status $?"`,
        'kill $!',
      ].join('\n');
      const result = await ns.sh(script);
      const [json, status] = result.stdout.trimEnd().split('\nstatus ');
      const report = JSON.parse(json ?? '');
      expect(status).toBe('2');
      expect(report.removed).toEqual([]);
      expect(report.undetermined).toEqual([
        expect.objectContaining({
          type: 'pshm',
          name: '/held',
          judgement: expect.objectContaining({ verdict: 'undetermined', reason: 'processes-hidden' }),
        }),
      ]);
      expect(await remaining(ns)).toEqual(['pshm:held']);
      expect(live.child.exitCode).toBe(null);
    });
  });

  it('a /dev/mqueue of another IPC namespace: the queue mq_unlink would reach is not the one judged, and stays', async () => {
    await withNamespace(
      async (ns) => {
        // unshare --ipc keeps the mount namespace: /dev/mqueue still shows the outer namespace's
        // queues, while mq_unlink works in the inner one, where a live process holds /jobs open.
        const script = [
          `node ${holderScript} pmq:jobs:open > holder.out &`,
          'until grep -q ready holder.out; do sleep 0.1; done',
          `${IPCRM} --orphaned --json; echo "status $?"`,
          `${IPCRM} --orphaned --posix-mqueue /jobs -v 2>&1; echo "status $?"`,
          'ipcctl mq attr /jobs >/dev/null && echo "inner /jobs is there"',
          'kill $!',
        ].join('\n');
        const ipcmk = join(ROOT, 'bin', 'ipcmk');
        const made = await ns.sh(
          `${ipcmk} -q -n /jobs >/dev/null && ${ipcmk} -q -n /outer >/dev/null && mktemp -d`,
        );
        expect(made.status).toBe(0);
        const inner = await ns.run('unshare', ['--ipc', 'sh', '-c', script], {
          cwd: made.stdout.trim(),
          env: { PATH: `${join(ROOT, 'bin')}:${process.env.PATH}` },
        });
        const at = inner.stdout.indexOf('\nstatus ');
        const report = JSON.parse(inner.stdout.slice(0, at));
        const rest = inner.stdout.slice(at + '\nstatus '.length);
        expect(report.removed).toEqual([]);
        expect(
          report.skipped
            .map((entry: { name: string; reason: string; what?: string }) => [
              entry.name,
              entry.reason,
              entry.what,
            ])
            .sort(),
        ).toEqual([
          ['/jobs', 'changed', 'file'],
          ['/outer', 'gone', undefined],
        ]);
        expect(rest).toBe(
          [
            '0',
            "ipcrm: skipped POSIX message queue `/jobs': it changed since it was selected (file)",
            'status 0',
            'inner /jobs is there',
            '',
          ].join('\n'),
        );
        expect(await remaining(ns)).toEqual(['pmsg:/jobs', 'pmsg:/outer']);
      },
      { pid: true },
    );
  });

  it('processes an unprivileged user may not inspect leave the answer in doubt, and nothing is selected', async () => {
    await withNamespace(
      async (ns) => {
        const dead = await start(ns, ['pshm:dead:map']);
        await kill(ns, dead);
        expect(await selected(ns, ['-M', '--orphaned'])).toEqual(['pshm:dead']);
        // Root's processes (the namespace's init among them) hide their maps and descriptors from nobody.
        // Not judged is said out loud: counted on stderr, listed in --typed-json (issue #12).
        expect(await lsipc(ns, ['-M', '--orphaned', '-o', 'NAME'], NOBODY)).toEqual({
          stdout: '',
          stderr: 'lsipc: could not judge 1 object (not listed): processes we may not inspect could use it\n',
          status: 0,
        });
        const doubt = await lsipc(ns, ['-M', '--orphaned', '-o', 'NAME', '--typed-json'], NOBODY);
        expect(JSON.parse(doubt.stdout)).toEqual({
          'posix-sharedmemory': [],
          undetermined: [
            expect.objectContaining({
              type: 'pshm',
              name: '/dead',
              owner: 'root',
              uid: 0,
              judgement: {
                verdict: 'undetermined',
                reason: 'processes-uninspectable',
                evidence: { idle_seconds: expect.any(Number), holders: [], holders_complete: false },
              },
            }),
          ],
        });
        const shown = await lsipc(ns, ['-M', '-o', 'NAME,HOLDERS', '--raw', '--noheadings'], NOBODY);
        expect(shown).toEqual({ stdout: 'dead ?\n', stderr: '', status: 0 });
        const typed = await lsipc(ns, ['-M', '-o', 'NAME,HOLDERS', '--typed-json'], NOBODY);
        expect(JSON.parse(typed.stdout)).toEqual({
          'posix-sharedmemory': [{ name: '/dead', holders: [], holders_complete: false }],
        });
        // Not judged is said out loud, with its own exit status (issue #12: no silent skips).
        expect(await ipcrm(ns, ['--orphaned'], NOBODY)).toEqual({
          stdout: '',
          stderr:
            "ipcrm: not removing POSIX shared memory `dead': cannot tell whether it is in use: processes we may not inspect could use it\n",
          status: 2,
        });
        expect(await remaining(ns)).toEqual(['pshm:dead']);
        // The holders nobody may see are shown, then the doubt.
        const seen = await start(ns, ['pshm:seen:map'], NOBODY);
        const held = await lsipc(ns, ['-M', '-o', 'NAME,HOLDERS', '--raw', '--noheadings'], NOBODY);
        expect(held.stdout.split('\n').sort()).toEqual(['', 'dead ?', `seen ${seen.pid}(node),?`]);
      },
      { pid: true },
    );
  });
});

describe('an unprivileged user', () => {
  it("removes its own orphans and reports root's as permission denied, naming the kind, exit 1", async () => {
    await withNamespace(
      async (ns) => {
        const mine = await start(ns, ['shm:0x6001:attach', 'sem:0x6002:op', 'msg:0x6003:send'], NOBODY);
        const roots = await start(ns, ['shm:0x6101:attach', 'sem:0x6102:op']);
        const alive = await start(ns, ['shm:0x6201:attach'], NOBODY);
        await kill(ns, mine);
        await kill(ns, roots);
        const rootShm = roots.ids['shm:0x6101:attach']!;
        const rootSem = roots.ids['sem:0x6102:op']!;
        const myQueue = mine.ids['msg:0x6003:send']!;
        // Live processes run as both owners: only an idle age condemns the semaphore sets.
        const result = await ipcrm(ns, ['--orphaned', '--older-than', '0s', '-v'], NOBODY);
        expect(result.status).toBe(1);
        // Kinds in ipcrm's order, each by id: nobody's objects were made first. The queue holds
        // a message: data, never orphaned.
        expect(result.stdout).toBe(
          [
            `removing shared memory segment id \`${mine.ids['shm:0x6001:attach']}'`,
            `removing shared memory segment id \`${rootShm}'`,
            `removing semaphore id \`${mine.ids['sem:0x6002:op']}'`,
            `removing semaphore id \`${rootSem}'`,
            '',
          ].join('\n'),
        );
        expect(result.stderr).toBe(
          `ipcrm: permission denied for shared memory segment id \`${rootShm}'\n` +
            `ipcrm: permission denied for semaphore id \`${rootSem}'\n`,
        );
        expect(await remaining(ns)).toEqual(
          [
            `shm:${rootShm}`,
            `sem:${rootSem}`,
            `msg:${myQueue}`,
            `shm:${alive.ids['shm:0x6201:attach']}`,
          ].sort(),
        );
        const report = JSON.parse(
          (await ipcrm(ns, ['--orphaned', '--older-than', '0s', '--json'], NOBODY)).stdout,
        );
        expect(report.removed).toEqual([]);
        expect(report.failed).toEqual([
          expect.objectContaining({
            type: 'shm',
            id: rootShm,
            uid: 0,
            error: { code: 'EPERM', message: 'Operation not permitted' },
          }),
          expect.objectContaining({
            type: 'sem',
            id: rootSem,
            uid: 0,
            error: { code: 'EPERM', message: 'Operation not permitted' },
          }),
        ]);
        // Root removes them.
        expect(await ipcrm(ns, ['--orphaned', '--older-than', '0s'])).toEqual({
          stdout: '',
          stderr: '',
          status: 0,
        });
        expect(await remaining(ns)).toEqual(
          [`msg:${myQueue}`, `shm:${alive.ids['shm:0x6201:attach']}`].sort(),
        );
      },
      { pid: true },
    );
  });
});

/** What `ipcrm --dry-run --json` with these arguments would remove, in the form of selected(). */
async function wouldRemove(ns: IpcNamespace, args: readonly string[]): Promise<string[]> {
  const result = await ipcrm(ns, [...args, '--dry-run', '--json']);
  expect(result.status).toBe(0);
  const report = JSON.parse(result.stdout) as { selected: { type: string; id?: number; name?: string }[] };
  return report.selected.map((object) =>
    object.type === 'pmsg' || object.name === undefined
      ? `${object.type}:${object.id ?? object.name}`
      : `${object.type}:${object.name.replace(/^\//, '')}`,
  );
}

describe('every verdict explained (issue #12, item 4)', () => {
  it('--explain gives each candidate its verdict and evidence, in text and in JSON', async () => {
    await withNamespace(
      async (ns) => {
        const live = await start(ns, ['shm:0x8001:attach', 'pshm:held:map', 'msg:0x8003:send']);
        const dead = await start(ns, ['shm:0x8002:attach', 'pshm:dropped:map']);
        await kill(ns, dead);
        const heldShm = live.ids['shm:0x8001:attach']!;
        const deadShm = dead.ids['shm:0x8002:attach']!;
        const queue = live.ids['msg:0x8003:send']!;
        const text = await ipcrm(ns, ['--orphaned', '--dry-run', '--explain']);
        expect(text.status).toBe(0);
        const verdicts = text.stdout.split('\n').filter((line) => line.includes(': '));
        const idle = / idle \d+s\)$/;
        expect(verdicts.map((line) => line.replace(idle, ' idle Ns)')).sort()).toEqual(
          [
            `shared memory segment id \`${heldShm}': in-use: attached (nattch 1; idle Ns)`,
            `shared memory segment id \`${deadShm}': orphaned: nothing uses it (nattch 0; creator ${dead.pid} gone; last-operation ${dead.pid} gone; idle Ns)`,
            `POSIX shared memory \`held': in-use: a process maps it or holds it open (holders ${live.pid}(node); idle Ns)`,
            "POSIX shared memory `dropped': orphaned: nothing uses it (holders none; idle Ns)",
            `message queue id \`${queue}': in-use: it holds messages (--with-messages removes them too) (queued 1; idle Ns)`,
          ].sort(),
        );
        const report = JSON.parse(
          (await ipcrm(ns, ['--orphaned', '--dry-run', '--explain', '--json'])).stdout,
        );
        const judged = new Map<
          string,
          { verdict: string; reason: string; evidence: Record<string, unknown> }
        >(
          report.judged.map((object: { type: string; id?: number; name?: string; judgement: never }) => [
            `${object.type}:${object.id ?? object.name}`,
            object.judgement,
          ]),
        );
        expect(judged.get(`shm:${heldShm}`)).toMatchObject({
          verdict: 'in-use',
          reason: 'attached',
          evidence: { nattch: 1 },
        });
        expect(judged.get(`shm:${deadShm}`)).toMatchObject({
          verdict: 'orphaned',
          reason: 'unused',
          evidence: {
            nattch: 0,
            pids: [
              { role: 'creator', pid: dead.pid, state: 'gone' },
              { role: 'last-operation', pid: dead.pid, state: 'gone' },
            ],
          },
        });
        expect(judged.get('pshm:/held')).toMatchObject({
          verdict: 'in-use',
          reason: 'held',
          evidence: { holders: [{ pid: live.pid, command: 'node' }], holders_complete: true },
        });
        expect(judged.get(`msg:${queue}`)).toMatchObject({
          verdict: 'in-use',
          reason: 'queued-messages',
          evidence: { queued: 1 },
        });
        for (const judgement of judged.values())
          expect(judgement.evidence.idle_seconds).toEqual(expect.any(Number));
        expect(report.selected.map((object: { type: string }) => object.type).sort()).toEqual([
          'pshm',
          'shm',
        ]);
      },
      { pid: true },
    );
  });
});

describe('protect and target (issue #12, item 5): lsipc and ipcrm select alike', () => {
  it('exclusions by owner, key and name pattern; selection by name pattern', async () => {
    await withNamespace(
      async (ns) => {
        const roots = await start(ns, ['shm:0x9001:attach', 'pshm:keep.a:map', 'pshm:drop.b:map']);
        const owners = await start(ns, ['shm:0x9002:attach', 'pshm:drop.c:map'], OWNER);
        await kill(ns, roots);
        await kill(ns, owners);
        const rootShm = `shm:${roots.ids['shm:0x9001:attach']}`;
        const ownerShm = `shm:${owners.ids['shm:0x9002:attach']}`;
        const cases: [string[], string[]][] = [
          [[], [rootShm, ownerShm, 'pshm:keep.a', 'pshm:drop.b', 'pshm:drop.c']],
          [
            ['--exclude-key', '0x9001'],
            [ownerShm, 'pshm:keep.a', 'pshm:drop.b', 'pshm:drop.c'],
          ],
          [
            ['--exclude-owner', String(OWNER.uid)],
            [rootShm, 'pshm:keep.a', 'pshm:drop.b'],
          ],
          [
            ['--exclude-name', 'keep.*'],
            [rootShm, ownerShm, 'pshm:drop.b', 'pshm:drop.c'],
          ],
          [
            ['--exclude-name', 'keep.*', '--exclude-name', '*.c'],
            [rootShm, ownerShm, 'pshm:drop.b'],
          ],
          [
            ['--name-pattern', 'drop.*'],
            ['pshm:drop.b', 'pshm:drop.c'],
          ],
          [['--name-pattern', 'drop.*', '--exclude-owner', String(OWNER.uid)], ['pshm:drop.b']],
        ];
        for (const [args, expected] of cases) {
          expect((await selected(ns, ['--orphaned', ...args])).sort(), `lsipc ${args.join(' ')}`).toEqual(
            [...expected].sort(),
          );
          expect((await wouldRemove(ns, ['--orphaned', ...args])).sort(), `ipcrm ${args.join(' ')}`).toEqual(
            [...expected].sort(),
          );
        }
        expect(
          await ipcrm(ns, ['--orphaned', '--exclude-name', 'keep.*', '--exclude-key', '0x9002']),
        ).toEqual({
          stdout: '',
          stderr: '',
          status: 0,
        });
        expect(await remaining(ns)).toEqual([ownerShm, 'pshm:keep.a'].sort());
      },
      { pid: true },
    );
  });

  it('an exclusion without another filter still protects: ipcrm -a removes, and lsipc lists, all but the excluded', async () => {
    await withNamespace(async (ns) => {
      const ipcmk = join(ROOT, 'bin', 'ipcmk');
      const made = await ns.sh(
        `${ipcmk} -M 100 --key 0x9101 && ${ipcmk} -m 64 -n /pg.stats && ${ipcmk} -m 64 -n /scratch`,
      );
      expect(made.status).toBe(0);
      await ns.run(ipcmk, ['-M', '200', '--key', '0x9102'], { user: OWNER });
      const excluded = ['--exclude-owner', String(OWNER.uid), '--exclude-name', 'pg.*'];
      const listed = await lsipc(ns, [
        '-m',
        '-M',
        ...excluded,
        '-o',
        'TYPE,KEY,NAME',
        '--raw',
        '--noheadings',
      ]);
      expect(listed).toEqual({ stdout: 'shm 0x00009101 \npshm  scratch\n', stderr: '', status: 0 });
      const planned = await ipcrm(ns, ['-a', ...excluded, '--dry-run']);
      expect(planned.status).toBe(0);
      const removed = await ipcrm(ns, ['-a', ...excluded, '-v']);
      expect(removed).toEqual({
        stdout: planned.stdout.replaceAll('would remove', 'removing'),
        stderr: '',
        status: 0,
      });
      expect((await remaining(ns)).filter((object) => object.startsWith('pshm'))).toEqual(['pshm:pg.stats']);
      expect((await ns.run('cat', ['/proc/sysvipc/shm'])).stdout).toContain(' 37122 ');
      // Alone, an exclusion still names nothing to remove.
      expect(await ipcrm(ns, excluded)).toMatchObject({
        status: 1,
        stderr: expect.stringContaining('bad usage'),
      });
    });
  });
});

describe('/dev/mqueue not the mqueue filesystem', () => {
  it('ipcrm --orphaned says POSIX queues were not looked at, as ipcrm -a does when the directory is missing', async () => {
    await withNamespace(
      async (ns) => {
        const warning =
          "ipcrm: /dev/mqueue does not seem to be mounted. Use 'mount -t mqueue none /dev/mqueue' to mount it.\n";
        expect(await ipcrm(ns, ['--orphaned', '--all=pmsg', '--dry-run'])).toEqual({
          stdout: '',
          stderr: warning,
          status: 0,
        });
        const report = await ipcrm(ns, ['--orphaned', '--json']);
        expect(report).toMatchObject({ stderr: warning, status: 0 });
        expect(JSON.parse(report.stdout).selected).toEqual([]);
      },
      { noMqueue: true },
    );
  });
});

describe('several kinds at once (issue #12, item 6)', () => {
  it('lsipc -m -q --orphaned lists, and ipcrm --all=shm --all=msg removes, the union of the kinds', async () => {
    await withNamespace(
      async (ns) => {
        const dead = await start(ns, ['shm:0xa001:attach', 'msg:0xa002', 'sem:0xa003:op', 'pshm:other:map']);
        await kill(ns, dead);
        const shm = `shm:${dead.ids['shm:0xa001:attach']}`;
        const msg = `msg:${dead.ids['msg:0xa002']}`;
        const sem = `sem:${dead.ids['sem:0xa003:op']}`;
        const idle = ['--orphaned', '--older-than', '0s'];
        expect((await selected(ns, [...idle, '-m', '-q'])).sort()).toEqual([msg, shm].sort());
        expect((await selected(ns, [...idle, '-s', '-M'])).sort()).toEqual([sem, 'pshm:other'].sort());
        expect((await wouldRemove(ns, [...idle, '--all=shm', '--all=msg'])).sort()).toEqual(
          [msg, shm].sort(),
        );
        const removal = await ipcrm(ns, [...idle, '--all=shm', '--all=msg', '-v']);
        expect(removal.status).toBe(0);
        expect(removal.stdout.split('\n').filter(Boolean).sort()).toEqual(
          [
            `removing shared memory segment id \`${dead.ids['shm:0xa001:attach']}'`,
            `removing message queue id \`${dead.ids['msg:0xa002']}'`,
          ].sort(),
        );
        expect(await remaining(ns)).toEqual([sem, 'pshm:other'].sort());
      },
      { pid: true },
    );
  });
});
