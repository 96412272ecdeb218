// `sem run` and `psem run` through main with a recording host, on real semaphores (the runner's
// private namespace): the interrupt trap covers the whole time the unit is held, so no signal
// ever finds it taken with its default action in place, and the unit is given back on every path.
import {
  createSemSet,
  getPosixSemValue,
  getSemValue,
  openPosixSem,
  removeSemSet,
  setSemValue,
  unlinkPosixSem,
} from '@ipcutils/core';
import { afterEach, describe, expect, it } from 'vitest';
import type { ProcessSide } from '../src/main.js';
import { ipcctl, testSide } from './helpers/side.js';

const NAME = '/ipcctl-run-test';

afterEach(() => {
  try {
    unlinkPosixSem(NAME);
  } catch {
    // not created by this test
  }
});

/**
 * A host that records, at each step, whether an interrupt trap is held and the semaphore's value.
 * `abortOnTrap` aborts the trap's signal in the microtask after it is set up: it is seen only
 * once a take that succeeds at once has resolved, as a signal arriving just after the take.
 */
function recordingSide(value: () => number, run: () => Promise<number>, abortOnTrap = false) {
  const log: string[] = [];
  let trapped = 0;
  const side: ProcessSide = testSide({
    trapInterrupts() {
      trapped++;
      log.push(`trap (value ${value()})`);
      const controller = new AbortController();
      if (abortOnTrap) queueMicrotask(() => controller.abort('SIGINT'));
      return {
        signal: controller.signal,
        release() {
          trapped--;
          log.push(`release (value ${value()})`);
        },
      };
    },
    async runCommand() {
      log.push(`run (${trapped} trap held, value ${value()})`);
      return run();
    },
  });
  return { log, side };
}

describe.each([
  {
    kind: 'psem run',
    setUp: () => {
      openPosixSem(NAME, { create: true, value: 1 }).close();
      return { argv: ['psem', 'run', NAME], value: () => getPosixSemValue(NAME) ?? -1, tearDown: () => {} };
    },
  },
  {
    kind: 'sem run',
    setUp: () => {
      const id = createSemSet({ nsems: 1 });
      setSemValue(id, 0, 1);
      return {
        argv: ['sem', 'run', String(id)],
        value: () => getSemValue(id, 0),
        tearDown: () => removeSemSet(id),
      };
    },
  },
])('$kind', ({ setUp }) => {
  it('holds the interrupt trap from before the take until after the give', async () => {
    const { argv, value, tearDown } = setUp();
    try {
      const { log, side } = recordingSide(value, async () => 3);
      expect(await ipcctl([...argv, '--', 'cmd'], side)).toEqual({ status: 3, stdout: '', stderr: '' });
      expect(log).toEqual(['trap (value 1)', 'run (1 trap held, value 0)', 'release (value 1)']);
    } finally {
      tearDown();
    }
  });

  it('gives the unit back when CMD cannot be run, before the trap goes', async () => {
    const { argv, value, tearDown } = setUp();
    try {
      const { log, side } = recordingSide(value, () => Promise.reject(new Error('spawn failed')));
      await expect(ipcctl([...argv, '--', 'cmd'], side)).rejects.toThrow('spawn failed');
      expect(log).toEqual(['trap (value 1)', 'run (1 trap held, value 0)', 'release (value 1)']);
    } finally {
      tearDown();
    }
  });

  it('a signal that arrives as the take succeeds: the unit goes back, CMD never runs, 128+2', async () => {
    const { argv, value, tearDown } = setUp();
    try {
      const { log, side } = recordingSide(value, async () => 0, true);
      expect(await ipcctl([...argv, '--', 'cmd'], side)).toEqual({ status: 130, stdout: '', stderr: '' });
      expect(log).toEqual(['trap (value 1)', 'release (value 1)']);
    } finally {
      tearDown();
    }
  });
});
