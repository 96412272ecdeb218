// Every ipcctl wait in-process, on real objects (the runner's private namespace): --timeout is the
// core's own deadline (exact, not rounded to a polling step), and the interrupt trap's signal
// ends a wait at once with 128+N, having taken or sent nothing.
import {
  createMsgQueue,
  createSemSet,
  getAllSemValues,
  getPosixSemValue,
  openMqueue,
  openPosixSem,
  removeMsgQueue,
  removeSemSet,
  sendMessageSync,
  setMsgQueue,
  statMsgQueue,
  unlinkMqueue,
  unlinkPosixSem,
} from '@ipcutils/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ipcctl, testSide } from './helpers/side.js';

let queue: number;
let fullQueue: number;
let set: number;

beforeAll(() => {
  queue = createMsgQueue();
  fullQueue = createMsgQueue();
  setMsgQueue(fullQueue, { qbytes: 4 });
  sendMessageSync(fullQueue, { type: 1, data: 'full' });
  set = createSemSet({ nsems: 2 });
  openMqueue('/waits-empty', { create: true, maxMessages: 1, messageSize: 16 }).close();
  const full = openMqueue('/waits-full', { create: true, maxMessages: 1, messageSize: 16 });
  full.sendSync('one');
  full.close();
  openPosixSem('/waits-sem', { create: true, value: 0 }).close();
});

afterAll(() => {
  removeMsgQueue(queue);
  removeMsgQueue(fullQueue);
  removeSemSet(set);
  unlinkMqueue('/waits-empty');
  unlinkMqueue('/waits-full');
  unlinkPosixSem('/waits-sem');
});

const WAITS = () => [
  { argv: ['msg', 'recv', String(queue)], label: `msg ${queue}` },
  { argv: ['msg', 'send', String(fullQueue), 'more'], label: `msg ${fullQueue}` },
  { argv: ['sem', 'wait', String(set), '1'], label: `sem ${set}` },
  { argv: ['sem', 'op', String(set), '0:1,1:-1'], label: `sem ${set}` },
  { argv: ['mq', 'recv', '/waits-empty'], label: 'mq /waits-empty' },
  { argv: ['mq', 'send', '/waits-full', 'two'], label: 'mq /waits-full' },
  { argv: ['psem', 'wait', '/waits-sem'], label: 'psem /waits-sem' },
  { argv: ['sem', 'run', String(set), '1', '--', 'cmd'], label: `sem ${set}` },
  { argv: ['psem', 'run', '/waits-sem', '--', 'cmd'], label: 'psem /waits-sem' },
];

/** Nothing taken, nothing sent: the objects as beforeAll left them. */
function expectUntouched() {
  expect(statMsgQueue(queue).qnum).toBe(0);
  expect(statMsgQueue(fullQueue).qnum).toBe(1);
  expect(getAllSemValues(set)).toEqual([0, 0]);
  expect(getPosixSemValue('/waits-sem')).toBe(0);
  const full = openMqueue('/waits-full', { readOnly: true });
  expect(full.getAttributes().currentMessages).toBe(1);
  full.close();
}

describe('ipcctl waits', () => {
  it('--timeout 250ms gives up after 250 ms, not a polling step later, with status 2', async () => {
    for (const { argv, label } of WAITS()) {
      // Warm: the first call loads ffi-rs and compiles the path (~100 ms on a loaded machine).
      expect((await ipcctl([...argv.slice(0, 3), '--nowait', ...argv.slice(3)], testSide())).status).toBe(2);
      const began = performance.now();
      const result = await ipcctl([...argv.slice(0, 3), '--timeout', '250ms', ...argv.slice(3)], testSide());
      const took = performance.now() - began;
      expect(result, argv.join(' ')).toEqual({
        status: 2,
        stdout: '',
        stderr: `ipcctl: ${label}: timed out\n`,
      });
      expect(took, argv.join(' ')).toBeGreaterThanOrEqual(249);
      // A timer can be late on a loaded machine; a polling step would add up to its length on top.
      expect(took, argv.join(' ')).toBeLessThan(250 + 150);
    }
    expectUntouched();
  });

  it('an interrupt ends the wait at once with 128+2 and leaves every object as it was', async () => {
    for (const { argv } of WAITS()) {
      const controller = new AbortController();
      const side = testSide({ trapInterrupts: () => ({ signal: controller.signal, release() {} }) });
      // Aborted after 100 ms: the wait ends then, not at the end of a polling step (a timer can be late).
      setTimeout(() => controller.abort('SIGINT'), 100);
      const began = performance.now();
      expect(await ipcctl(argv, side), argv.join(' ')).toEqual({ status: 130, stdout: '', stderr: '' });
      expect(performance.now() - began, argv.join(' ')).toBeLessThan(100 + 120);
    }
    expectUntouched();
  });
});
