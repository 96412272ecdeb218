import { spawn } from 'node:child_process';
import { setTimeout as delay } from 'node:timers/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { NOBODY, waitForLine } from '../../../../test/helpers/namespace.js';
import { buildScript, runScript, runScriptAs, startScript } from '../../../../test/helpers/script.js';
import {
  createSemSet,
  getAllSemValues,
  getSemElements,
  getSemSet,
  getSemValue,
  removeSemSet,
  semop,
  semopSync,
  setAllSemValues,
  setSemSet,
  setSemValue,
  statSemSet,
} from '../../src/sysv/sem.js';

// Keys of this file only (test files share one namespace): 0x5345xxxx ("SE").
const keyOf = (n: number) => 0x53450000 + ((process.pid & 0xfff) << 4) + n;

const created: number[] = [];

function track(id: number): number {
  created.push(id);
  return id;
}

afterEach(() => {
  for (const id of created.splice(0)) {
    try {
      removeSemSet(id);
    } catch {
      // already removed by the test
    }
  }
});

const SEM = "'../packages/core/src/sysv/sem.ts'";

describe('System V semaphore sets', () => {
  it('creates a set and stats it', () => {
    const id = track(createSemSet({ nsems: 3, mode: 0o640 }));
    const set = statSemSet(id);
    expect(set).toMatchObject({ id, key: 0, nsems: 3, mode: 0o640, uid: 0, cuid: 0, otime: 0 });
    expect(Math.abs(set.ctime - Date.now() / 1000)).toBeLessThan(5);
    expect(statSemSet(track(createSemSet({ nsems: 1 }))).mode).toBe(0o600);
  });

  it('finds a set by key, refuses an exclusive create with EEXIST, and reports ENOENT and EINVAL', () => {
    const key = keyOf(1);
    const id = track(createSemSet({ nsems: 2, key, exclusive: true }));
    expect(getSemSet(key)).toBe(id);
    expect(() => createSemSet({ nsems: 2, key, exclusive: true })).toThrow(
      expect.objectContaining({ name: 'IpcError', code: 'EEXIST', syscall: 'semget', key }),
    );
    expect(() => getSemSet(keyOf(2))).toThrow(expect.objectContaining({ code: 'ENOENT', key: keyOf(2) }));
    removeSemSet(id);
    expect(() => statSemSet(id)).toThrow(expect.objectContaining({ code: 'EINVAL', syscall: 'semctl', id }));
    expect(() => semopSync(id, [{ num: 0, op: 1 }])).toThrow(
      expect.objectContaining({ code: 'EINVAL', syscall: 'semtimedop' }),
    );
  });

  it('changes owner and mode with IPC_SET', () => {
    const id = track(createSemSet({ nsems: 1 }));
    setSemSet(id, { uid: 1000, gid: 2000, mode: 0o666 });
    expect(statSemSet(id)).toMatchObject({ uid: 1000, gid: 2000, mode: 0o666, cuid: 0, nsems: 1 });
  });

  it('sets and gets single values and the whole set', () => {
    const id = track(createSemSet({ nsems: 3 }));
    expect(getAllSemValues(id)).toEqual([0, 0, 0]);
    setAllSemValues(id, [7, 32767, 1]);
    expect(getAllSemValues(id)).toEqual([7, 32767, 1]);
    setSemValue(id, 1, 5);
    expect(getSemValue(id, 1)).toBe(5);
    expect(getAllSemValues(id)).toEqual([7, 5, 1]);
  });

  it('rejects values over SEMVMX (ERANGE), a wrong count for SETALL, and a semaphore out of range', () => {
    const id = track(createSemSet({ nsems: 2 }));
    expect(() => setSemValue(id, 0, 32768)).toThrow(expect.objectContaining({ code: 'ERANGE' }));
    expect(() => setAllSemValues(id, [1, 40000])).toThrow(expect.objectContaining({ code: 'ERANGE' }));
    expect(() => setAllSemValues(id, [1])).toThrow(RangeError);
    expect(() => getSemValue(id, 2)).toThrow(expect.objectContaining({ code: 'EINVAL' }));
    expect(getAllSemValues(id)).toEqual([0, 0]);
  });

  it('reports value, waiters and last pid per semaphore', () => {
    const id = track(createSemSet({ nsems: 2 }));
    setSemValue(id, 1, 4);
    expect(getSemElements(id)).toEqual([
      { semval: 0, ncount: 0, zcount: 0, pid: 0 },
      { semval: 4, ncount: 0, zcount: 0, pid: process.pid },
    ]);
  });
});

describe('semop', () => {
  it('applies several operations atomically, or none of them', () => {
    const id = track(createSemSet({ nsems: 2 }));
    expect(() =>
      semopSync(id, [
        { num: 0, op: 2 },
        { num: 1, op: -1 },
      ]),
    ).toThrow(expect.objectContaining({ code: 'EAGAIN', id }));
    expect(getAllSemValues(id)).toEqual([0, 0]);
    semopSync(id, [
      { num: 0, op: 2 },
      { num: 1, op: 3 },
    ]);
    semopSync(id, [
      { num: 0, op: -2 },
      { num: 1, op: -1 },
    ]);
    expect(getAllSemValues(id)).toEqual([0, 2]);
    expect(statSemSet(id).otime).toBeGreaterThan(0);
  });

  it('fails with EAGAIN at once when every op is nowait, without a thread', async () => {
    const id = track(createSemSet({ nsems: 1 }));
    await expect(semop(id, [{ num: 0, op: -1, flags: { nowait: true } }])).rejects.toMatchObject({
      code: 'EAGAIN',
      syscall: 'semtimedop',
      id,
    });
    await semop(id, [{ num: 0, op: 1, flags: { nowait: true } }]);
    expect(getSemValue(id, 0)).toBe(1);
  });

  it('rejects an empty operation list with EINVAL, as the kernel does', async () => {
    const id = track(createSemSet({ nsems: 1 }));
    expect(() => semopSync(id, [])).toThrow(expect.objectContaining({ code: 'EINVAL' }));
    await expect(semop(id, [])).rejects.toMatchObject({ code: 'EINVAL' });
  });

  it('times out with IpcTimeoutError (ETIMEDOUT) while the event loop keeps running', async () => {
    const id = track(createSemSet({ nsems: 1 }));
    let ticks = 0;
    const timer = setInterval(() => ticks++, 10);
    const started = Date.now();
    try {
      await expect(semop(id, [{ num: 0, op: -1 }], { timeoutMs: 300 })).rejects.toMatchObject({
        name: 'IpcTimeoutError',
        code: 'ETIMEDOUT',
        timeout: 300,
      });
    } finally {
      clearInterval(timer);
    }
    expect(Date.now() - started).toBeGreaterThanOrEqual(280);
    expect(ticks).toBeGreaterThanOrEqual(5);
  });

  it('waits until the value allows the operation', async () => {
    const id = track(createSemSet({ nsems: 1 }));
    const waiting = semop(id, [{ num: 0, op: -2 }]);
    // The wait polls from the event loop (src/wait.ts): the kernel's ncount does not count it.
    await delay(30);
    semopSync(id, [{ num: 0, op: 1 }]);
    await delay(30);
    expect(getSemElements(id)[0]).toMatchObject({ semval: 1 });
    semopSync(id, [{ num: 0, op: 1 }]);
    await waiting;
    expect(getSemElements(id)[0]).toMatchObject({ semval: 0, ncount: 0 });
  });

  it('wakes a waiter for zero (zcount) when the value drops to 0', async () => {
    const id = track(createSemSet({ nsems: 1 }));
    setSemValue(id, 0, 1);
    const waiting = semop(id, [{ num: 0, op: 0 }]);
    await delay(30);
    semopSync(id, [{ num: 0, op: -1 }]);
    await waiting;
    expect(getSemElements(id)[0]?.zcount).toBe(0);
  });

  it('rejects a waiting semop with EIDRM when the set is removed', async () => {
    const id = createSemSet({ nsems: 1 });
    const waiting = semop(id, [{ num: 0, op: -1 }]);
    await delay(30);
    removeSemSet(id);
    await expect(waiting).rejects.toMatchObject({ name: 'IpcError', code: 'EIDRM', id });
  });

  it('rejects a bad timeout before calling the kernel', async () => {
    const id = track(createSemSet({ nsems: 1 }));
    await expect(semop(id, [{ num: 0, op: -1 }], { timeoutMs: -1 })).rejects.toThrow(RangeError);
  });
});

describe('semaphores across processes', () => {
  it('wakes a waiter in another process, which then shows as the last pid', async () => {
    const id = track(createSemSet({ nsems: 1 }));
    const script = await buildScript(`
      import { semop } from ${SEM};
      console.log('waiting');
      await semop(Number(process.argv[2]), [{ num: 0, op: -1 }]);
      console.log('woke');
    `);
    const child = startScript(script, [String(id)]);
    const woke = waitForLine(child, 'woke');
    await waitForLine(child, 'waiting');
    await delay(30);
    await semop(id, [{ num: 0, op: 1 }]);
    await woke;
    expect(getSemElements(id)[0]).toEqual({ semval: 0, ncount: 0, zcount: 0, pid: child.pid });
  });

  it('is woken here by a semop in another process', async () => {
    const id = track(createSemSet({ nsems: 2 }));
    const waiting = semop(id, [
      { num: 0, op: -1 },
      { num: 1, op: -1 },
    ]);
    const script = await buildScript(`
      import { semopSync } from ${SEM};
      semopSync(Number(process.argv[2]), [{ num: 0, op: 1 }, { num: 1, op: 1 }]);
    `);
    await runScript(script, [String(id)]);
    await waiting;
    expect(getAllSemValues(id)).toEqual([0, 0]);
  });

  it('undoes SEM_UNDO operations when the process exits, and keeps the others', async () => {
    const id = track(createSemSet({ nsems: 2 }));
    const script = await buildScript(`
      import { getAllSemValues, semop } from ${SEM};
      const id = Number(process.argv[2]);
      await semop(id, [{ num: 0, op: 3, flags: { undo: true } }, { num: 1, op: 2 }]);
      console.log(getAllSemValues(id).join(','));
    `);
    expect(await runScript(script, [String(id)])).toBe('3,2\n');
    expect(getAllSemValues(id)).toEqual([0, 2]);
  });
});

describe('4 blocked receives (once a full libuv threadpool)', () => {
  it('hold back neither a semop, which times out on time, nor a send, across garbage collections', async () => {
    const script = await buildScript(`
      import { createMsgQueue, receiveMessage, removeMsgQueue, sendMessage, sendMessageSync } from '../packages/core/src/sysv/msg.ts';
      import { createSemSet, removeSemSet, semop } from ${SEM};
      const gc = (globalThis as { gc: () => void }).gc;
      const blocker = createMsgQueue();
      const queue = createMsgQueue();
      const set = createSemSet({ nsems: 1 });
      // libuv's default pool has 4 threads: these take all of them until a message arrives.
      const blocked = Array.from({ length: 4 }, () => receiveMessage(blocker, { maxSize: 16 }));
      const started = Date.now();
      // Its timeout counts from the call: no pool thread has to free up first.
      const timedOut = semop(set, [{ num: 0, op: -1 }], { timeoutMs: 300 }).then(
        () => ['ok', Date.now() - started],
        (error) => [error.code, Date.now() - started],
      );
      const payload = 'payload-' + 'x'.repeat(1000);
      const sent = sendMessage(queue, { type: 1, data: payload });
      for (let round = 0; round < 20; round++) {
        void Array.from({ length: 2000 }, () => Buffer.alloc(1024, 0xee));
        gc();
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
      for (let n = 0; n < 4; n++) sendMessageSync(blocker, { type: 1, data: 'go' });
      await Promise.all(blocked);
      const [code, waited] = await timedOut;
      await sent;
      const received = await receiveMessage(queue);
      removeMsgQueue(blocker);
      removeMsgQueue(queue);
      removeSemSet(set);
      console.log(JSON.stringify({ code, onTime: waited >= 290 && waited < 390, intact: received.data.toString() === payload }));
    `);
    const child = spawn(process.execPath, ['--expose-gc', script], { stdio: ['ignore', 'pipe', 'inherit'] });
    let stdout = '';
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
    });
    expect(await new Promise((resolve) => child.once('close', resolve))).toBe(0);
    expect(JSON.parse(stdout)).toEqual({ code: 'ETIMEDOUT', onTime: true, intact: true });
  });
});

describe('semaphore permissions (as nobody)', () => {
  it('gives EACCES to read or alter a 0600 set, EPERM to change or remove one, and allows reads of 0644', async () => {
    const privateId = track(createSemSet({ nsems: 1, mode: 0o600 }));
    const readableId = track(createSemSet({ nsems: 2, mode: 0o644 }));
    setAllSemValues(readableId, [3, 4]);
    const script = await buildScript(`
      import { getAllSemValues, getSemValue, removeSemSet, semopSync, setSemSet, setSemValue, statSemSet } from ${SEM};
      const codeOf = (f: () => unknown) => {
        try { const value = f(); return value === undefined ? 'ok' : value; }
        catch (error) { return (error as { code?: string }).code ?? String(error); }
      };
      const [privateId, readableId] = process.argv.slice(2).map(Number);
      console.log(JSON.stringify({
        statPrivate: codeOf(() => statSemSet(privateId)),
        getPrivate: codeOf(() => getSemValue(privateId, 0)),
        opPrivate: codeOf(() => semopSync(privateId, [{ num: 0, op: 1 }])),
        setPrivate: codeOf(() => setSemSet(privateId, { mode: 0o666 })),
        setReadable: codeOf(() => setSemSet(readableId, { mode: 0o666 })),
        removePrivate: codeOf(() => removeSemSet(privateId)),
        readReadable: codeOf(() => getAllSemValues(readableId)),
        alterReadable: codeOf(() => setSemValue(readableId, 0, 1)),
        opReadable: codeOf(() => semopSync(readableId, [{ num: 0, op: -1 }])),
      }));
    `);
    const result = await runScriptAs(NOBODY, script, [String(privateId), String(readableId)]);
    expect(result.status).toBe(0);
    expect(JSON.parse(result.stdout)).toEqual({
      statPrivate: 'EACCES',
      getPrivate: 'EACCES',
      opPrivate: 'EACCES',
      // setSemSet reads the record first: IPC_STAT needs read permission, IPC_SET ownership.
      setPrivate: 'EACCES',
      setReadable: 'EPERM',
      removePrivate: 'EPERM',
      readReadable: [3, 4],
      alterReadable: 'EACCES',
      opReadable: 'EACCES',
    });
    expect(getAllSemValues(readableId)).toEqual([3, 4]);
  });
});
