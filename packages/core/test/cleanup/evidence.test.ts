/**
 * The orphan judgement on real processes, each scenario in its own IPC, mount and pid namespace
 * (its own /proc, so only its processes count): a parent that keeps a semaphore set and a queue
 * while short-lived workers use them, processes blocked on a set or a queue, and processes an
 * unprivileged user may not inspect. A probe inside the namespace runs selectObjects and prints
 * what it decided.
 */
import type { ChildProcess } from 'node:child_process';
import { beforeAll, describe, expect, it } from 'vitest';
import { type IpcNamespace, NOBODY, type User, withNamespace } from '../../../../test/helpers/namespace.js';
import { buildScript } from '../../../../test/helpers/script.js';

// Each argument an action; prints {"pid": …} and "ready", then stays until killed (unless "exit").
//   create:SEM:MSG  work:SEM:MSG  workers:SEM:MSG  wait:SEM:MSG  pshm:NAME[:map]  exit
const ACTOR = `
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import {
  createMsgQueue, createSemSet, getMsgQueue, getSemElements, getSemSet, openPosixShm,
  receiveMessageSync, semopSync, sendMessageSync,
} from '@ipcutils/core';

const keep = [];
let exit = false;
for (const action of process.argv.slice(2)) {
  const [what, a, b] = action.split(':');
  if (what === 'create') {
    createSemSet({ key: Number(a), nsems: 2, mode: 0o666, exclusive: true });
    createMsgQueue({ key: Number(b), mode: 0o666, exclusive: true });
  } else if (what === 'work') {
    semopSync(getSemSet(Number(a)), [{ num: 0, op: 1 }]);
    const queue = getMsgQueue(Number(b));
    sendMessageSync(queue, { type: 1, data: 'job' });
    receiveMessageSync(queue);
  } else if (what === 'workers') {
    for (let n = 0; n < 2; n++) {
      const worker = spawnSync(process.execPath, [process.argv[1], 'work:' + a + ':' + b, 'exit']);
      if (worker.status !== 0) throw new Error('worker failed: ' + worker.stderr);
    }
  } else if (what === 'wait') {
    // Waiters the kernel sees (semncnt, a task in msgrcv): @ipcutils/core waits from the event
    // loop, so these block in semop(2) and msgrcv(2) on ffi-rs threadpool threads instead.
    const set = getSemSet(Number(a));
    const sops = Buffer.alloc(6);
    sops.writeUInt16LE(1, 0);
    sops.writeInt16LE(-1, 2);
    blockIn('semop', [set, sops, 1], 6);
    blockIn('msgrcv', [getMsgQueue(Number(b)), Buffer.alloc(8 + 64), 64, 0, 0], 8 + 64);
    while (getSemElements(set)[1].ncount === 0) await new Promise((resolve) => setTimeout(resolve, 20));
    await new Promise((resolve) => setTimeout(resolve, 300));
  } else if (what === 'pshm') {
    const handle = openPosixShm('/' + a, { create: true, mode: 0o666, size: 4096 });
    if (b === 'map') keep.push(handle.map());
    handle.close();
  } else if (what === 'exit') exit = true;
  else throw new Error('unknown action ' + action);
}
console.log(JSON.stringify({ pid: process.pid }));
console.log('ready');

function blockIn(funcName, values, bufferLength) {
  const ffi = createRequire(import.meta.url)('ffi-rs');
  ffi.open({ library: 'libc', path: 'libc.so.6' });
  const { DataType } = ffi;
  const buffer = ffi.arrayConstructor({ type: DataType.U8Array, length: bufferLength });
  const paramsType =
    funcName === 'semop'
      ? [DataType.I32, buffer, DataType.U64]
      : [DataType.I32, buffer, DataType.U64, DataType.I64, DataType.I32];
  ffi.load({
    library: 'libc', funcName, retType: DataType.I64, paramsType, paramsValue: values,
    errno: true, freeResultMemory: false, runInNewThread: true,
  }).catch(() => {});
}
if (!exit) setInterval(() => {}, 1 << 30);
`;

// Prints what selectObjects decides for every object, with the filter given as JSON.
const PROBE = `
import { judgeObjects, listIpcObjects, selectObjects } from '@ipcutils/core';

const filter = JSON.parse(process.argv[2]);
const { objects } = listIpcObjects(['shm', 'pshm', 'sem', 'msg']);
const selection = selectObjects(objects, filter);
const name = ({ object }) => object.kind + ':' + (object.record.key ?? object.record.name);
console.log(JSON.stringify({
  selected: selection.selected.map(name),
  undetermined: (selection.undetermined ?? []).map(name),
  judged: Object.fromEntries((selection.judged ?? []).map((entry) => [name(entry), entry.judgement])),
  explained: Object.fromEntries(judgeObjects(objects, filter).map((entry) => [name(entry), entry.judgement])),
}));
`;

interface Outcome {
  selected: string[];
  undetermined: string[];
  judged: Record<string, Judgement>;
  /** judgeObjects: every piece of evidence, not only what the selection needed. */
  explained: Record<string, Judgement>;
}

interface Judgement {
  verdict: string;
  reason: string;
  evidence: Record<string, unknown>;
}

const SEM_KEY = 0x4a500001;
const MSG_KEY = 0x4a500002;
const OWNER: User = { uid: 40_000, gid: 40_000 };

let actor: string;
let probe: string;

beforeAll(async () => {
  [actor, probe] = await Promise.all([buildScript(ACTOR), buildScript(PROBE)]);
}, 60_000);

/** Starts the actor inside the namespace and waits until it has done its actions. */
function start(
  ns: IpcNamespace,
  actions: string[],
  user?: User,
): Promise<{ pid: number; child: ChildProcess }> {
  const child = ns.spawn('node', [actor, ...actions], user ? { user } : {});
  return new Promise((resolve, reject) => {
    let stdout = '';
    let stderr = '';
    child.stderr?.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    child.stdout?.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      const lines = stdout.split('\n');
      if (lines.includes('ready'))
        resolve({ pid: (JSON.parse(lines[0] ?? '') as { pid: number }).pid, child });
    });
    child.once('exit', (code) => {
      if (!stdout.includes('ready')) reject(new Error(`actor exited (${code}) before ready: ${stderr}`));
    });
  });
}

async function judge(ns: IpcNamespace, filter: object, user?: User): Promise<Outcome> {
  const result = await ns.run('node', [probe, JSON.stringify(filter)], user ? { user } : {});
  if (result.status !== 0) throw new Error(`probe failed: ${result.stderr}`);
  return JSON.parse(result.stdout) as Outcome;
}

const SEM = `sem:${SEM_KEY}`;
const MSG = `msg:${MSG_KEY}`;
const keys = `${SEM_KEY}:${MSG_KEY}`;

describe('a live parent whose short-lived workers use its set and queue', () => {
  it('keeps both while the parent runs as their owner; they are orphaned once it is gone', async () => {
    await withNamespace(
      async (ns) => {
        const parent = await start(ns, [`create:${keys}`, `workers:${keys}`], OWNER);
        const running = await judge(ns, { orphaned: true });
        expect(running.selected).toEqual([]);
        expect(running.judged[SEM]).toMatchObject({
          verdict: 'unproven',
          reason: 'owner-running',
          evidence: { ownerProcesses: [parent.pid] },
        });
        expect(running.judged[MSG]).toMatchObject({ verdict: 'unproven', reason: 'owner-running' });
        // Every pid the workers left is gone: that alone proves nothing.
        expect(running.explained[SEM]).toMatchObject({ verdict: 'unproven', reason: 'owner-running' });
        const pids = running.explained[SEM]?.evidence.pids as { state: string }[];
        expect(pids.length).toBeGreaterThan(0);
        expect(pids.every((entry) => entry.state === 'gone')).toBe(true);

        const exited = new Promise((resolve) => parent.child.once('exit', resolve));
        await ns.run('kill', ['-KILL', String(parent.pid)]);
        await exited;
        const dead = await judge(ns, { orphaned: true });
        expect(dead.selected.sort()).toEqual([MSG, SEM].sort());
      },
      { pid: true },
    );
  }, 60_000);
});

describe('processes blocked on a set or a queue right now', () => {
  it('are proof of use, even when an idle age is given', async () => {
    await withNamespace(
      async (ns) => {
        await start(ns, [`create:${keys}`, 'exit'], OWNER);
        await start(ns, [`wait:${keys}`]);
        const outcome = await judge(ns, { orphaned: true, olderThan: 0 });
        expect(outcome.selected).toEqual([]);
        expect(outcome.judged[SEM]).toMatchObject({
          verdict: 'in-use',
          reason: 'waiters',
          evidence: { waiters: 1 },
        });
        expect(outcome.judged[MSG]).toMatchObject({
          verdict: 'in-use',
          reason: 'waiters',
          evidence: { waiters: 1 },
        });
      },
      { pid: true },
    );
  }, 60_000);
});

describe('a queue that holds messages', () => {
  it('is data: never orphaned unless withMessages says so', async () => {
    await withNamespace(
      async (ns) => {
        await start(ns, [`create:${keys}`, 'exit'], OWNER);
        // A worker that sends and leaves, and nobody to receive.
        const sender = `
          import { getMsgQueue, sendMessageSync } from '@ipcutils/core';
          sendMessageSync(getMsgQueue(${MSG_KEY}), { type: 1, data: 'unread' });
        `;
        const result = await ns.run('node', [await buildScript(sender)], { user: OWNER });
        expect(result.status).toBe(0);
        const kept = await judge(ns, { orphaned: true, olderThan: 0 });
        expect(kept.selected).not.toContain(MSG);
        expect(kept.judged[MSG]).toMatchObject({
          verdict: 'in-use',
          reason: 'queued-messages',
          evidence: { queued: 1 },
        });
        expect((await judge(ns, { orphaned: true, olderThan: 0, withMessages: true })).selected).toContain(
          MSG,
        );
      },
      { pid: true },
    );
  }, 60_000);
});

describe('--older-than measures idleness', () => {
  it('a set created long ago but operated on a second ago is not idle', async () => {
    await withNamespace(async (ns) => {
      await start(ns, [`create:${keys}`, 'exit'], OWNER);
      await new Promise((resolve) => setTimeout(resolve, 2100));
      expect((await judge(ns, { olderThan: 2 })).selected.sort()).toEqual([MSG, SEM].sort());
      await start(ns, [`work:${keys}`, 'exit'], OWNER);
      expect((await judge(ns, { olderThan: 2 })).selected).toEqual([]);
    });
  }, 60_000);
});

describe('processes the user may not inspect', () => {
  it('make POSIX objects undetermined, and the holders that could be seen are still shown', async () => {
    await withNamespace(
      async (ns) => {
        // root's process: nobody may not read its maps or descriptors.
        await start(ns, []);
        await start(ns, ['pshm:dead', 'exit'], NOBODY);
        const holder = await start(ns, ['pshm:mine:map'], NOBODY);
        const outcome = await judge(ns, { orphaned: true }, NOBODY);
        expect(outcome.selected).toEqual([]);
        expect(outcome.undetermined).toEqual(['pshm:dead']);
        expect(outcome.judged['pshm:dead']).toMatchObject({
          verdict: 'undetermined',
          reason: 'processes-uninspectable',
          evidence: { holders: { holders: [], complete: false } },
        });
        expect(outcome.judged['pshm:mine']).toMatchObject({
          verdict: 'in-use',
          reason: 'held',
          evidence: { holders: { holders: [{ pid: holder.pid, command: 'node' }], complete: false } },
        });
        // root inspects every process: the same objects are judged.
        const asRoot = await judge(ns, { orphaned: true });
        expect(asRoot.selected).toEqual(['pshm:dead']);
        expect(asRoot.undetermined).toEqual([]);
      },
      { pid: true },
    );
  }, 60_000);
});
