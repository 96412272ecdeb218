/**
 * Bulk IPC_RMID, for `ipcrm -a` over tens of thousands of objects. Each ffi-rs call spends about
 * 3 µs marshalling its arguments on the calling thread, more than the kernel spends removing the
 * object; a second thread halves that. A worker thread, started before the caller lists what to
 * remove (it takes ~25 ms to boot, overlapping the /proc reads), takes chunks from the back of the
 * list while this thread takes them from the front, so the two mostly remove different types and
 * meet wherever the work runs out. Output stays the caller's: this only reports which removals failed.
 */
import { Worker } from 'node:worker_threads';
import { type RmidCall, removeIpcIdFast, rmidCalls } from '../ffi/libc.js';
import { ffi, ffiBindingFile, LIBRARY } from '../ffi/native.js';
import { msgSummary, semSummary, shmSummary } from './info.js';

export type SysvType = 'shm' | 'msg' | 'sem';

export interface SysvObjectRef {
  type: SysvType;
  id: number;
}

export interface BulkRemoval {
  /** Per target, in order: whether IPC_RMID succeeded. A failure is for the caller to repeat with errno. */
  removed: boolean[];
  /** How many of the targets the worker thread handled (0 without one). */
  byWorker: number;
}

export interface BulkRemoverOptions {
  /**
   * Use a worker thread: true, false, or (default) when the namespace holds at least
   * WORKER_THRESHOLD objects of `types`, counted with XXX_INFO.
   */
  worker?: boolean;
  /** The types about to be removed, for the default decision. */
  types?: readonly SysvType[];
}

/** Below this many objects this thread is done before a worker has booted. */
export const WORKER_THRESHOLD = 4096;

const TYPE_CODES: Record<SysvType, number> = { shm: 0, msg: 1, sem: 2 };
const TYPES: readonly SysvType[] = ['shm', 'msg', 'sem'];

// control: a lock, the next index from the front, the end of what is left at the back, the
// worker's state and how many targets it took (drain() spells the first three as literals).
const WORKER_STATE = 3;
const WORKER_COUNT = 4;
const WORKER_IDLE = 0;
const WORKER_RUNNING = 1;
const WORKER_DONE = 2;

/** What both threads share: the targets, their statuses (0 untried, 1 removed, 2 failed) and the control words. */
interface Job {
  ids: Int32Array;
  types: Uint8Array;
  statuses: Uint8Array;
}

/**
 * Takes chunks of the job until none is left and removes them. It runs on both threads: the
 * worker evaluates its source text, so it uses nothing but its parameters and literals.
 */
function drain(
  binding: { load(params: Record<string, unknown>): unknown },
  library: string,
  calls: readonly RmidCall[],
  job: Job,
  control: Int32Array,
  fromFront: boolean,
): number {
  let done = 0;
  for (;;) {
    while (Atomics.compareExchange(control, 0, 0, 1) !== 0) {
      // The other thread holds the lock for a few instructions.
    }
    const front = Atomics.load(control, 1);
    const back = Atomics.load(control, 2);
    let start = front;
    let end = front;
    if (front < back && fromFront) {
      end = Math.min(front + 256, back);
      Atomics.store(control, 1, end);
    } else if (front < back) {
      start = Math.max(back - 256, front);
      end = back;
      Atomics.store(control, 2, start);
    }
    Atomics.store(control, 0, 0);
    if (start === end) return done;
    for (let index = start; index < end; index++) {
      const call = calls[job.types[index] as number] as RmidCall;
      const result = binding.load({
        library,
        funcName: call.funcName,
        retType: call.retType,
        paramsType: call.paramsType,
        paramsValue: [job.ids[index], ...call.rest],
        freeResultMemory: false,
      });
      job.statuses[index] = result === 0 ? 1 : 2;
    }
    done += end - start;
  }
}

const WORKER_SOURCE = `'use strict';
const { workerData, parentPort } = require('node:worker_threads');
const control = new Int32Array(workerData.control);
const drain = ${drain.toString()};
const finish = (state) => { Atomics.store(control, ${WORKER_STATE}, state); Atomics.notify(control, ${WORKER_STATE}); };
try {
  const binding = require(workerData.bindingFile);
  parentPort.postMessage('ready');
  parentPort.once('message', (job) => {
    if (Atomics.compareExchange(control, ${WORKER_STATE}, ${WORKER_IDLE}, ${WORKER_RUNNING}) === ${WORKER_IDLE}) {
      let done = 0;
      try {
        done = drain(binding, workerData.library, workerData.calls, job, control, false);
      } catch {
        // What it claimed and never tried is left untried: the calling thread does it.
      }
      Atomics.store(control, ${WORKER_COUNT}, done);
      finish(${WORKER_DONE});
    }
    parentPort.close();
  });
} catch {
  finish(${WORKER_DONE});
}
`;

/** Removes many System V objects by id, with a worker thread when there are many. */
export class SysvBulkRemover {
  readonly #control = new Int32Array(new SharedArrayBuffer(5 * Int32Array.BYTES_PER_ELEMENT));
  #worker: Worker | undefined;

  constructor(options: BulkRemoverOptions = {}) {
    const useWorker = options.worker ?? countObjects(options.types ?? TYPES) >= WORKER_THRESHOLD;
    if (!useWorker) return;
    const calls = rmidCalls();
    try {
      this.#worker = new Worker(WORKER_SOURCE, {
        eval: true,
        workerData: {
          control: this.#control.buffer,
          bindingFile: ffiBindingFile(),
          library: LIBRARY,
          calls: TYPES.map((type) => calls[type]),
        },
      });
    } catch {
      // No thread to be had (resource limits): this thread does it all.
      return;
    }
    // Never keep the process alive for it: a worker that has not taken the job just ends with it.
    this.#worker.unref();
    // Its failures end up as untried targets; nothing it throws may take this thread down.
    this.#worker.on('error', () => {});
  }

  /**
   * Resolves once the worker can take work (false without one, or if it failed to start). remove()
   * does not need it; it only tells whether the worker can help from the first chunk.
   */
  ready(): Promise<boolean> {
    const worker = this.#worker;
    if (worker === undefined) return Promise.resolve(false);
    return new Promise((resolve) => {
      worker.once('message', () => resolve(true));
      worker.once('exit', () => resolve(false));
    });
  }

  /** IPC_RMID on every target; blocks until both threads are done. One call per remover. */
  remove(targets: readonly SysvObjectRef[]): BulkRemoval {
    const job: Job = {
      ids: new Int32Array(new SharedArrayBuffer(targets.length * Int32Array.BYTES_PER_ELEMENT)),
      types: new Uint8Array(new SharedArrayBuffer(targets.length)),
      statuses: new Uint8Array(new SharedArrayBuffer(targets.length)),
    };
    targets.forEach((target, index) => {
      job.ids[index] = target.id;
      job.types[index] = TYPE_CODES[target.type];
    });
    const control = this.#control;
    Atomics.store(control, 1, 0);
    Atomics.store(control, 2, targets.length);
    // ffi-rs caches each symbol in an unlocked map on its first call: make those calls here,
    // before the worker calls anything (an id of -1 fails with EINVAL and touches nothing).
    for (const type of TYPES) removeIpcIdFast(type, -1);
    this.#worker?.postMessage(job);
    const calls = rmidCalls();
    drain(
      ffi(),
      LIBRARY,
      TYPES.map((type) => calls[type]),
      job,
      control,
      true,
    );
    const byWorker = this.#join();
    // What a failed worker claimed but never tried.
    targets.forEach((target, index) => {
      if (job.statuses[index] === 0)
        job.statuses[index] = removeIpcIdFast(target.type, target.id) === 0 ? 1 : 2;
    });
    return { removed: Array.from(job.statuses, (status) => status === 1), byWorker };
  }

  /** Ends the worker if the job never came. */
  close(): void {
    void this.#worker?.terminate();
    this.#worker = undefined;
  }

  /** Waits for the worker's last chunk; a worker that has not started never will. */
  #join(): number {
    const control = this.#control;
    if (this.#worker === undefined) return 0;
    this.#worker = undefined;
    if (Atomics.compareExchange(control, WORKER_STATE, WORKER_IDLE, WORKER_DONE) === WORKER_IDLE) return 0;
    while (Atomics.load(control, WORKER_STATE) === WORKER_RUNNING) {
      Atomics.wait(control, WORKER_STATE, WORKER_RUNNING, 1000);
    }
    return Atomics.load(control, WORKER_COUNT);
  }
}

/** Objects of these types in the namespace (XXX_INFO); a kernel without System V IPC has none. */
function countObjects(types: readonly SysvType[]): number {
  const counters: Record<SysvType, () => number> = {
    shm: () => shmSummary().usedIds,
    msg: () => msgSummary().queues,
    sem: () => semSummary().arrays,
  };
  let count = 0;
  for (const type of new Set(types)) {
    try {
      count += counters[type]();
    } catch {
      // ENOSYS or EINVAL: nothing of this type to remove.
    }
  }
  return count;
}
