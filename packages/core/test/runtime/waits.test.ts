/**
 * Issue #13 items 1 and 2: waits never hold libuv threadpool threads, and every wait can be
 * bounded (one IpcTimeoutError) and cancelled (AbortSignal), without keeping the process alive.
 * The scenarios run in child processes: on a binding that blocks pool threads they hang, and the
 * child is killed instead of this test process.
 */
import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { collect } from '../../../../test/helpers/namespace.js';
import { buildScript } from '../../../../test/helpers/script.js';
import { IpcTimeoutError } from '../../src/errors.js';
import { openMqueue, unlinkMqueue } from '../../src/posix/mqueue.js';
import { openPosixSem, unlinkPosixSem } from '../../src/posix/sem.js';
import { createMsgQueue, receiveMessage, removeMsgQueue, sendMessage } from '../../src/sysv/msg.js';
import { createSemSet, removeSemSet, semop } from '../../src/sysv/sem.js';

const CORE = `'../packages/core/src/index.ts'`;

/** Runs a built script with a deadline; a child still running then is killed (status null). */
async function runWithDeadline(
  source: string,
  ms: number,
): Promise<{ status: number | null; stdout: string; stderr: string; elapsed: number }> {
  const script = await buildScript(source);
  const started = Date.now();
  const child = spawn(process.execPath, [script], { stdio: ['ignore', 'pipe', 'pipe'] });
  const timer = setTimeout(() => child.kill('SIGKILL'), ms);
  const result = await collect(child);
  clearTimeout(timer);
  return {
    status: result.status,
    stdout: result.stdout,
    stderr: result.stderr,
    elapsed: Date.now() - started,
  };
}

describe('pending waits and the libuv threadpool', () => {
  it('with 16 pending waits of each kind, fs.readFile, crypto.pbkdf2 and the waking calls all complete', async () => {
    const result = await runWithDeadline(
      `
      import { pbkdf2 } from 'node:crypto';
      import { readFile } from 'node:fs/promises';
      import { promisify } from 'node:util';
      import { createMsgQueue, createSemSet, openMqueue, openPosixSem, receiveMessage, removeMsgQueue,
        removeSemSet, semop, sendMessage, unlinkMqueue, unlinkPosixSem } from ${CORE};
      const N = 16;
      const queue = createMsgQueue();
      const set = createSemSet({ nsems: 1 });
      const mqName = '/pool-' + process.pid;
      const semName = 'pool-' + process.pid;
      const mq = openMqueue(mqName, { create: true, maxMessages: 8, messageSize: 64 });
      const sem = openPosixSem(semName, { create: true });
      const waits = [];
      for (let n = 0; n < N; n++) {
        waits.push(receiveMessage(queue, { maxSize: 64 }), semop(set, [{ num: 0, op: -1 }]), mq.receive(), sem.wait());
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
      const t0 = Date.now();
      await readFile('/proc/self/status');
      const fsMs = Date.now() - t0;
      await promisify(pbkdf2)('secret', 'salt', 1000, 32, 'sha256');
      const cryptoMs = Date.now() - t0;
      // The waking calls, from this process: each queues behind the waits if they hold the pool.
      for (let n = 0; n < N; n++) await sendMessage(queue, { type: 1, data: 'm' + n });
      await semop(set, [{ num: 0, op: N }]);
      for (let n = 0; n < N; n++) await mq.send('q' + n);
      for (let n = 0; n < N; n++) sem.post();
      const settled = await Promise.all(waits);
      removeMsgQueue(queue);
      removeSemSet(set);
      mq.close();
      unlinkMqueue(mqName);
      sem.close();
      unlinkPosixSem(semName);
      console.log(JSON.stringify({ fsMs, cryptoMs, settled: settled.length }));
      `,
      30_000,
    );
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    const report = JSON.parse(result.stdout);
    expect(report.settled).toBe(64);
    expect(report.cryptoMs).toBeLessThan(10_000);
  });
});

describe('timeouts', () => {
  it('gives one IpcTimeoutError (code ETIMEDOUT) for every kind of wait', async () => {
    const queue = createMsgQueue();
    const set = createSemSet({ nsems: 1 });
    const mqName = `/timeout-${process.pid}`;
    const mq = openMqueue(mqName, { create: true, maxMessages: 1, messageSize: 16 });
    const semName = `timeout-${process.pid}`;
    const sem = openPosixSem(semName, { create: true });
    try {
      mq.sendSync('full');
      const started = Date.now();
      const outcomes = await Promise.all(
        [
          receiveMessage(queue, { timeout: 150 }),
          semop(set, [{ num: 0, op: -1 }], { timeout: 150 }),
          mq.send('more', { timeout: 150 }),
          sem.wait({ timeout: 150 }),
        ].map((wait) =>
          wait.then(
            () => 'resolved',
            (error: unknown) => error,
          ),
        ),
      );
      expect(Date.now() - started).toBeGreaterThanOrEqual(140);
      for (const outcome of outcomes) {
        expect(outcome).toBeInstanceOf(IpcTimeoutError);
        expect(outcome).toMatchObject({ code: 'ETIMEDOUT', timeout: 150 });
      }
      expect((outcomes as IpcTimeoutError[]).map((error) => error.syscall)).toEqual([
        'msgrcv',
        'semtimedop',
        'mq_timedsend',
        'sem_timedwait',
      ]);
      // timeout 0 tries once.
      await expect(receiveMessage(queue, { timeout: 0 })).rejects.toBeInstanceOf(IpcTimeoutError);
      await expect(receiveMessage(queue, { timeout: -1 })).rejects.toThrow(RangeError);
      await sendMessage(queue, { type: 1, data: 'x' }, { timeout: 0 });
      expect((await receiveMessage(queue, { timeout: 0 })).data.toString()).toBe('x');
    } finally {
      removeMsgQueue(queue);
      removeSemSet(set);
      mq.close();
      unlinkMqueue(mqName);
      sem.close();
      unlinkPosixSem(semName);
    }
  });
});

describe('AbortSignal', () => {
  it('rejects every kind of wait with the signal reason and takes nothing afterwards', async () => {
    const queue = createMsgQueue();
    const set = createSemSet({ nsems: 1 });
    const mqName = `/abort-${process.pid}`;
    const mq = openMqueue(mqName, { create: true, maxMessages: 4, messageSize: 16 });
    const semName = `abort-${process.pid}`;
    const sem = openPosixSem(semName, { create: true });
    try {
      const controller = new AbortController();
      const { signal } = controller;
      const waits = [
        receiveMessage(queue, { signal }),
        semop(set, [{ num: 0, op: -1 }], { signal }),
        mq.receive({ signal }),
        sem.wait({ signal }),
      ].map((wait) =>
        wait.then(
          () => 'resolved',
          (error: unknown) => error,
        ),
      );
      await new Promise((resolve) => setTimeout(resolve, 30));
      controller.abort(new Error('stop'));
      for (const outcome of await Promise.all(waits)) expect(outcome).toMatchObject({ message: 'stop' });
      // What arrives afterwards stays for the next reader.
      await sendMessage(queue, { type: 1, data: 'kept' });
      mq.sendSync('kept');
      sem.post();
      await new Promise((resolve) => setTimeout(resolve, 30));
      expect((await receiveMessage(queue, { nowait: true })).data.toString()).toBe('kept');
      expect(mq.receiveSync().data.toString()).toBe('kept');
      expect(sem.value()).toBe(1);
      // An already aborted signal rejects before any call.
      await expect(semop(set, [{ num: 0, op: 1 }], { signal: AbortSignal.abort() })).rejects.toMatchObject({
        name: 'AbortError',
      });
      await expect(receiveMessage(queue, { signal: 'no' as unknown as AbortSignal })).rejects.toThrow(
        TypeError,
      );
    } finally {
      removeMsgQueue(queue);
      removeSemSet(set);
      mq.close();
      unlinkMqueue(mqName);
      sem.close();
      unlinkPosixSem(semName);
    }
  });

  it('waits out a timeout longer than a timer can take (2**31 ms) in steps, without a warning', async () => {
    const result = await runWithDeadline(
      `
      import { createMsgQueue, openMqueue, receiveMessage, removeMsgQueue, unlinkMqueue } from ${CORE};
      // setTimeout makes a longer delay 1 ms (a wait woken every millisecond) and emits this warning.
      process.on('warning', (warning) => console.log('warning', warning.name));
      const name = '/long-' + process.pid;
      const mq = openMqueue(name, { create: true });
      const queue = createMsgQueue();
      const signal = AbortSignal.timeout(300);
      const waits = [mq.receive({ timeout: 2 ** 31, signal }), mq.receive({ timeout: Number.MAX_SAFE_INTEGER, signal }),
        receiveMessage(queue, { timeout: 2 ** 40, signal })];
      for (const wait of waits) console.log(await wait.catch((error) => error.name));
      mq.close();
      unlinkMqueue(name);
      removeMsgQueue(queue);
      `,
      10_000,
    );
    expect(result.stdout.split('\n').filter(Boolean)).toEqual(Array(3).fill('TimeoutError'));
  });

  it('lets the process exit once the signal of its pending waits is aborted', async () => {
    const result = await runWithDeadline(
      `
      import { createMsgQueue, createSemSet, openMqueue, openPosixSem, receiveMessage, removeMsgQueue, removeSemSet,
        semop, unlinkMqueue, unlinkPosixSem } from ${CORE};
      const controller = new AbortController();
      const { signal } = controller;
      const queue = createMsgQueue();
      const set = createSemSet({ nsems: 1 });
      const mq = openMqueue('/exit-' + process.pid, { create: true });
      const sem = openPosixSem('exit-' + process.pid, { create: true });
      for (const wait of [receiveMessage(queue, { signal }), semop(set, [{ num: 0, op: -1 }], { signal }),
        mq.receive({ signal }), sem.wait({ signal })]) {
        wait.catch((error) => console.log(error.name));
      }
      setTimeout(() => {
        controller.abort();
        removeMsgQueue(queue);
        removeSemSet(set);
        mq.close();
        unlinkMqueue('/exit-' + process.pid);
        sem.close();
        unlinkPosixSem('exit-' + process.pid);
      }, 50);
      `,
      10_000,
    );
    expect(result.status).toBe(0);
    expect(result.stdout.split('\n').filter(Boolean)).toEqual(Array(4).fill('AbortError'));
    expect(result.elapsed).toBeLessThan(8_000);
  });
});
