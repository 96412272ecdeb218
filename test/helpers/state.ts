/**
 * The RICH state inside a private namespace: the System V and POSIX objects that
 * reference/samples/README.md describes (the state behind the captured util-linux outputs), with
 * the processes that keep some of them busy. Reused by the ipcs, lsipc, ipcrm and cleanup tests.
 *
 *   const state = await buildRichState(ns);
 *   try { ... ns.run('ipcs', ['-m', '-i', String(state.shm.d)]) ... } finally { await state.dispose(); }
 *
 * Objects are created by a bundled node script (test/helpers/script.ts) run inside the namespace,
 * as root or, for other owners, as that user (setpriv), so uid and cuid are both that user's.
 * `createObjects` and `withExtraNames` are the building blocks for states of your own.
 */
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type IpcNamespace, type User, waitForLine } from './namespace.js';
import { buildScript } from './script.js';

/** Owner of shm C and sem B: a passwd name longer than the 10 columns ipcs gives owners. */
export const LONG_NAME_USER = {
  uid: 4242,
  gid: 4242,
  name: 'averyveryverylongusername',
  group: 'averyverylonggroupname',
} as const;

/** Owner of shm E and msg B: neither the uid nor the gid has a passwd or group entry. */
export const NAMELESS_USER: User = { uid: 12345, gid: 23456 };

/** One object for createObjects; keys are random and non-zero unless `private` (IPC_PRIVATE). */
export type ObjectSpec =
  | {
      type: 'shm';
      size: number;
      mode: number;
      private?: boolean;
      /** SHM_LOCK it (status "locked"). */
      lock?: boolean;
      /** Attach, write a byte and detach once, so atime, dtime and lpid are set. */
      touch?: boolean;
    }
  | {
      type: 'msg';
      mode: number;
      private?: boolean;
      messages?: string[];
      /** Receive this many of them back, so rtime and lrpid are set. */
      receive?: number;
    }
  | {
      type: 'sem';
      nsems: number;
      mode: number;
      private?: boolean;
      /** Initial values, set by semop (so otime and the pids are set, as a user's semop would). */
      values?: number[];
    }
  | { type: 'pshm'; name: string; size: number; mode: number }
  | { type: 'pmq'; name: string; mode: number; messages?: string[] }
  | { type: 'psem'; name: string; mode: number; value?: number };

/** The id of each created System V object (POSIX objects give -1), in spec order. */
export type CreatedIds = number[];

export interface RichState {
  /** A 4096 B 0644 attached, written once; B 1 MiB 0600 locked; C 100 B long-name user; D private 0666 attached then removed (dest); E 5000 B 0640 nameless user. */
  shm: { a: number; b: number; c: number; d: number; e: number };
  /** A 0644 with 2 messages left (50 bytes) after one was received; B 0660 nameless user; C private 0600. */
  msg: { a: number; b: number; c: number };
  /** A 3 semaphores 0644, sem0 = 5 with a process waiting for zero, sem1 with one waiting to decrement; B 1 semaphore 0600 long-name user; C private, 2 semaphores. */
  sem: { a: number; b: number; c: number };
  /** POSIX objects as lsipc names them (shm and sem without "/", queues with it). */
  posix: {
    shm: readonly ['pshm_a', 'pshm_b'];
    mqueue: readonly ['/pmq_a', '/pmq_b'];
    sem: readonly ['psem_a', 'psem_b'];
  };
  /** Host pids of the helpers: the shm attacher and the two blocked semop callers. */
  pids: { attacher: number; zeroWaiter: number; decrementWaiter: number };
  /** Kills the helper processes (the objects stay until the namespace goes). */
  dispose(): Promise<void>;
}

// Runs inside the namespace. Commands: create SPECS_JSON | attach ID... | semop ID NUM OP.
const STATE_SCRIPT = `
import { randomInt } from 'node:crypto';
import { createRequire } from 'node:module';
import {
  attachShm, createMsgQueue, createSemSet, createShm, lockShm, openMqueue, openPosixSem,
  openPosixShm, receiveMessageSync, semopSync, sendMessageSync,
} from '@ipcutils/core';

const [command, ...args] = process.argv.slice(2);
// Helpers end with their parent: when the test's pipe closes, and on SIGTERM.
const untilStdinCloses = () => {
  process.stdin.resume();
  process.stdin.on('end', () => process.exit(0));
};
const randomKey = () => randomInt(1, 0x7fffffff) * (randomInt(2) ? 1 : -1);

function create(spec) {
  const key = spec.private ? 0 : randomKey();
  switch (spec.type) {
    case 'shm': {
      const id = createShm({ key, size: spec.size, mode: spec.mode, exclusive: key !== 0 });
      if (spec.touch) {
        const attachment = attachShm(id);
        attachment.write(0, 'x');
        attachment.detach();
      }
      if (spec.lock) lockShm(id);
      return id;
    }
    case 'msg': {
      const id = createMsgQueue({ key, mode: spec.mode, exclusive: key !== 0 });
      (spec.messages ?? []).forEach((data, n) => sendMessageSync(id, { type: n + 1, data }));
      for (let n = 0; n < (spec.receive ?? 0); n++) receiveMessageSync(id);
      return id;
    }
    case 'sem': {
      const id = createSemSet({ key, nsems: spec.nsems, mode: spec.mode, exclusive: key !== 0 });
      const ops = (spec.values ?? []).map((op, num) => ({ num, op })).filter(({ op }) => op !== 0);
      if (ops.length > 0) semopSync(id, ops);
      return id;
    }
    case 'pshm':
      openPosixShm(spec.name, { create: true, exclusive: true, mode: spec.mode, size: spec.size }).close();
      return -1;
    case 'pmq': {
      const queue = openMqueue(spec.name, { create: true, exclusive: true, mode: spec.mode });
      for (const data of spec.messages ?? []) queue.sendSync(data);
      queue.close();
      return -1;
    }
    case 'psem':
      openPosixSem(spec.name, { create: true, exclusive: true, mode: spec.mode, value: spec.value ?? 0 }).close();
      return -1;
  }
  throw new Error('unknown object type ' + spec.type);
}

process.umask(0);
if (command === 'create') {
  console.log(JSON.stringify(JSON.parse(args[0]).map(create)));
} else if (command === 'attach') {
  const attachments = args.map((id) => attachShm(Number(id)));
  console.log('attached');
  untilStdinCloses();
  process.on('exit', () => attachments.forEach((attachment) => attachment.detach()));
} else if (command === 'semop') {
  // A waiter the kernel counts (semncnt/semzcnt) for ipcs -s -i: @ipcutils/core's semop waits from
  // the event loop and is never queued in the kernel, so this blocks in semop(2) on an ffi-rs
  // threadpool thread instead.
  const [id, num, op] = args.map(Number);
  const ffi = createRequire(import.meta.url)('ffi-rs');
  ffi.open({ library: 'libc', path: 'libc.so.6' });
  const sops = Buffer.alloc(6);
  sops.writeUInt16LE(num, 0);
  sops.writeInt16LE(op, 2);
  const { DataType } = ffi;
  ffi.load({
    library: 'libc', funcName: 'semop', retType: DataType.I32,
    paramsType: [DataType.I32, ffi.arrayConstructor({ type: DataType.U8Array, length: 6 }), DataType.U64],
    paramsValue: [id, sops, 1], errno: true, freeResultMemory: false, runInNewThread: true,
  }).then((result) => {
    if (result.value === -1) {
      console.error('semop: ' + result.errnoMessage);
      process.exit(1);
    }
  });
  console.log('waiting');
  untilStdinCloses();
} else {
  console.error('unknown command ' + command);
  process.exit(2);
}
`;

let scriptPath: Promise<string> | undefined;

/** The bundled state script (built once per test process). */
function stateScript(): Promise<string> {
  scriptPath ??= buildScript(STATE_SCRIPT);
  return scriptPath;
}

/** Creates `specs` in order inside the namespace, as root or as `user`; returns their ids. */
export async function createObjects(
  ns: IpcNamespace,
  specs: readonly ObjectSpec[],
  user?: User,
): Promise<CreatedIds> {
  const script = await stateScript();
  const result = await ns.run('node', [script, 'create', JSON.stringify(specs)], user ? { user } : {});
  if (result.status !== 0) throw new Error(`creating ${JSON.stringify(specs)} failed: ${result.stderr}`);
  return JSON.parse(result.stdout) as CreatedIds;
}

/** Starts a helper process inside the namespace and waits for its ready line. */
async function startHelper(ns: IpcNamespace, args: readonly string[], ready: string): Promise<ChildProcess> {
  const child = ns.spawn('node', [await stateScript(), ...args]);
  await waitForLine(child, ready);
  return child;
}

/**
 * Adds passwd and group entries inside the namespace only: copies of /etc/passwd and /etc/group
 * with the extra lines are bind-mounted over the originals in its private mount namespace.
 */
export async function withExtraNames(
  ns: IpcNamespace,
  entries: { passwd?: readonly string[]; group?: readonly string[] },
): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'ipcutils-names-'));
  const mounts: string[] = [];
  for (const database of ['passwd', 'group'] as const) {
    const lines = entries[database];
    if (!lines?.length) continue;
    const copy = join(dir, database);
    writeFileSync(copy, `${readFileSync(`/etc/${database}`, 'utf8')}${lines.join('\n')}\n`, { mode: 0o644 });
    mounts.push(`mount --bind ${copy} /etc/${database}`);
  }
  if (mounts.length === 0) return;
  const result = await ns.sh(mounts.join(' && '));
  if (result.status !== 0) throw new Error(`bind-mounting names failed: ${result.stderr}`);
}

/** Builds the RICH state (ids as in samples/ids.txt when the namespace starts empty). */
export async function buildRichState(ns: IpcNamespace): Promise<RichState> {
  const { uid, gid, name, group } = LONG_NAME_USER;
  await withExtraNames(ns, {
    passwd: [`${name}:x:${uid}:${gid}:long name:/nonexistent:/usr/sbin/nologin`],
    group: [`${group}:x:${gid}:`],
  });

  // Interleaved by owner so that each type's ids come out in the samples' order.
  const [shmA, shmB, msgA, semA] = await createObjects(ns, [
    { type: 'shm', size: 4096, mode: 0o644, touch: true },
    { type: 'shm', size: 1 << 20, mode: 0o600, lock: true },
    {
      type: 'msg',
      mode: 0o644,
      messages: ['a message received at once', 'first message, 25 bytes..', 'second message, 25 bytes.'],
      receive: 1,
    },
    { type: 'sem', nsems: 3, mode: 0o644, values: [5] },
  ]);
  const [shmC, semB] = await createObjects(
    ns,
    [
      { type: 'shm', size: 100, mode: 0o644 },
      { type: 'sem', nsems: 1, mode: 0o600 },
    ],
    LONG_NAME_USER,
  );
  const [shmD] = await createObjects(ns, [{ type: 'shm', size: 2048, mode: 0o666, private: true }]);
  const [shmE, msgB] = await createObjects(
    ns,
    [
      { type: 'shm', size: 5000, mode: 0o640 },
      { type: 'msg', mode: 0o660 },
    ],
    NAMELESS_USER,
  );
  const [msgC, semC] = await createObjects(ns, [
    { type: 'msg', mode: 0o600, private: true },
    { type: 'sem', nsems: 2, mode: 0o644, private: true },
    { type: 'pshm', name: 'pshm_a', size: 8192, mode: 0o644 },
    { type: 'pshm', name: 'pshm_b', size: 1 << 20, mode: 0o600 },
    { type: 'pmq', name: '/pmq_a', mode: 0o644, messages: ['hello posix', 'second one'] },
    { type: 'pmq', name: '/pmq_b', mode: 0o600 },
    { type: 'psem', name: 'psem_a', mode: 0o644, value: 3 },
    { type: 'psem', name: 'psem_b', mode: 0o600 },
  ]);

  const helpers: ChildProcess[] = [];
  const dispose = async () => {
    await Promise.all(helpers.map(stop));
  };
  try {
    const attacher = await startHelper(ns, ['attach', String(shmA), String(shmD)], 'attached');
    helpers.push(attacher);
    await removeShmInNamespace(ns, shmD!);
    const zeroWaiter = await startHelper(ns, ['semop', String(semA), '0', '0'], 'waiting');
    helpers.push(zeroWaiter);
    const decrementWaiter = await startHelper(ns, ['semop', String(semA), '1', '-1'], 'waiting');
    helpers.push(decrementWaiter);
    await waitForSemWaiters(ns, semA!, [
      { num: 0, zcount: 1 },
      { num: 1, ncount: 1 },
    ]);
    return {
      shm: { a: shmA!, b: shmB!, c: shmC!, d: shmD!, e: shmE! },
      msg: { a: msgA!, b: msgB!, c: msgC! },
      sem: { a: semA!, b: semB!, c: semC! },
      posix: { shm: ['pshm_a', 'pshm_b'], mqueue: ['/pmq_a', '/pmq_b'], sem: ['psem_a', 'psem_b'] },
      pids: { attacher: attacher.pid!, zeroWaiter: zeroWaiter.pid!, decrementWaiter: decrementWaiter.pid! },
      dispose,
    };
  } catch (error) {
    await dispose();
    throw error;
  }
}

/** IPC_RMID with util-linux's ipcrm (the segment stays while attached, as "dest" with key 0). */
async function removeShmInNamespace(ns: IpcNamespace, id: number): Promise<void> {
  const result = await ns.run('ipcrm', ['-m', String(id)]);
  if (result.status !== 0) throw new Error(`ipcrm -m ${id} failed: ${result.stderr}`);
}

/**
 * Waits until the blocked semop calls are queued in the kernel (a helper says "waiting" just
 * before its threadpool thread enters semop): polls ncount/zcount through util-linux's ipcs.
 */
async function waitForSemWaiters(
  ns: IpcNamespace,
  id: number,
  expected: readonly { num: number; ncount?: number; zcount?: number }[],
): Promise<void> {
  for (let attempt = 0; attempt < 500; attempt++) {
    const { stdout } = await ns.run('/usr/bin/ipcs', ['-s', '-i', String(id)]);
    const rows = new Map(
      stdout
        .split('\n')
        .map((line) => line.trim().split(/\s+/).map(Number))
        .filter((fields) => fields.length === 5 && fields.every(Number.isInteger))
        .map(([num, , ncount, zcount]) => [num, { ncount, zcount }] as const),
    );
    const ready = expected.every(
      (want) =>
        (want.ncount === undefined || rows.get(want.num)?.ncount === want.ncount) &&
        (want.zcount === undefined || rows.get(want.num)?.zcount === want.zcount),
    );
    if (ready) return;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  throw new Error(`semaphore set ${id} never got its waiters`);
}

/** Kills a helper and waits for it to be gone. */
function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    child.kill('SIGKILL');
  });
}
