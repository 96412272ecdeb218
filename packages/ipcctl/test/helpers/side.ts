// A ProcessSide for calling ipcctl's main in-process: nothing on stdin, a trap whose controller
// the test holds, and CMD replaced by a function.
import { collect, streams, testContext } from '@ipcutils/cli';
import { main, type ProcessSide } from '../../src/main.js';

export function testSide(overrides: Partial<ProcessSide> = {}): ProcessSide {
  return {
    readInput: () => Buffer.alloc(0),
    trapInterrupts: () => ({ signal: new AbortController().signal, release() {} }),
    runCommand: async () => 0,
    startCommand: () => ({ pid: undefined, exited: Promise.resolve(0) }),
    runIsolated: async () => 0,
    signalNumber: (name) => (name === 'SIGINT' ? 2 : 15),
    ...overrides,
  };
}

/** ipcctl's output and status for `argv`. */
export async function ipcctl(argv: string[], side: ProcessSide) {
  return streams(await collect(main(argv, testContext({ programName: 'ipcctl' }), side)));
}
