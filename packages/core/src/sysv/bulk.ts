/**
 * Bulk IPC_RMID, for `ipcrm -a` over tens of thousands of objects. Each ffi-rs call spends about
 * 3 µs marshalling its arguments on the calling thread, more than the kernel spends removing the
 * object; a second thread halves that. A worker thread, started before the caller lists what to
 * remove (it takes ~25 ms to boot, overlapping the /proc reads), starts on each list the caller
 * add()s at once, from its back, while the caller goes on listing; finish() then takes chunks from
 * the front of each list until the two meet. Output stays the caller's: this only reports which
 * removals failed.
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

// The remover's control words: the worker's state and how many targets it took.
const WORKER_STATE = 0;
const WORKER_COUNT = 1;
/** Waiting for a job (or none has come yet). */
const WORKER_IDLE = 0;
/** Taking chunks of a job: finish() waits for it. */
const WORKER_RUNNING = 1;
/** Takes no more jobs: finish() has run, or the worker failed. */
const WORKER_DONE = 2;

/**
 * One add()ed list, shared by both threads: the targets, their statuses (0 untried, 1 removed,
 * 2 failed) and its own control words: a lock, the next index from the front, and the end of
 * what is left at the back (drain() spells them as literals).
 */
interface Job {
  ids: Int32Array;
  types: Uint8Array;
  statuses: Uint8Array;
  control: Int32Array;
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
  fromFront: boolean,
): number {
  const control = job.control;
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
const stop = () => { Atomics.store(control, ${WORKER_STATE}, ${WORKER_DONE}); Atomics.notify(control, ${WORKER_STATE}); };
try {
  const binding = require(workerData.bindingFile);
  parentPort.postMessage('ready');
  let done = 0;
  parentPort.on('message', (job) => {
    if (Atomics.compareExchange(control, ${WORKER_STATE}, ${WORKER_IDLE}, ${WORKER_RUNNING}) !== ${WORKER_IDLE}) {
      parentPort.close();
      return;
    }
    try {
      done += drain(binding, workerData.library, workerData.calls, job, false);
    } catch {
      // What it claimed and never tried is left untried: the calling thread does it.
      stop();
      parentPort.close();
      return;
    }
    Atomics.store(control, ${WORKER_COUNT}, done);
    Atomics.store(control, ${WORKER_STATE}, ${WORKER_IDLE});
    Atomics.notify(control, ${WORKER_STATE});
  });
} catch {
  stop();
}
`;

/**
 * Removes many System V objects by id, with a worker thread when there are many. Between the
 * first add() and finish(), this thread may call libc through ffi-rs only for shmctl, msgctl and
 * semctl (the symbols the constructor has looked up), as listing /proc/sysvipc and IPC_STAT do.
 */
export class SysvBulkRemover {
  readonly #control = new Int32Array(new SharedArrayBuffer(2 * Int32Array.BYTES_PER_ELEMENT));
  readonly #jobs: Job[] = [];
  #worker: Worker | undefined;

  constructor(options: BulkRemoverOptions = {}) {
    // ffi-rs caches each symbol in an unlocked map on its first call: make those calls here,
    // before the worker calls anything (an id of -1 fails with EINVAL and touches nothing).
    for (const type of TYPES) removeIpcIdFast(type, -1);
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
    // Never keep the process alive for it: a worker with no job left just ends with the process.
    this.#worker.unref();
    // Its failures end up as untried targets; nothing it throws may take this thread down.
    this.#worker.on('error', () => {});
  }

  /**
   * Resolves once the worker can take work (false without one, or if it failed to start).
   * Nothing needs it; it tells whether the worker can help from the first chunk.
   */
  ready(): Promise<boolean> {
    const worker = this.#worker;
    if (worker === undefined) return Promise.resolve(false);
    return new Promise((resolve) => {
      worker.once('message', () => resolve(true));
      worker.once('exit', () => resolve(false));
    });
  }

  /** Queues targets for removal; the worker starts on them at once. */
  add(targets: readonly SysvObjectRef[]): void {
    const shared = (bytes: number) => new SharedArrayBuffer(bytes);
    const job: Job = {
      ids: new Int32Array(shared(targets.length * Int32Array.BYTES_PER_ELEMENT)),
      types: new Uint8Array(shared(targets.length)),
      statuses: new Uint8Array(shared(targets.length)),
      control: new Int32Array(shared(3 * Int32Array.BYTES_PER_ELEMENT)),
    };
    targets.forEach((target, index) => {
      job.ids[index] = target.id;
      job.types[index] = TYPE_CODES[target.type];
    });
    job.control[2] = targets.length;
    this.#jobs.push(job);
    if (targets.length > 0) this.#worker?.postMessage(job);
  }

  /**
   * Removes what is left of every add()ed list on this thread, waits for the worker's last chunk,
   * and says how each removal went, in the order the targets were added.
   */
  finish(): BulkRemoval {
    const calls = rmidCalls();
    const ordered = TYPES.map((type) => calls[type]);
    for (const job of this.#jobs) drain(ffi(), LIBRARY, ordered, job, true);
    const byWorker = this.#join();
    const removed: boolean[] = [];
    for (const job of this.#jobs) {
      job.statuses.forEach((status, index) => {
        // What a failed worker claimed but never tried.
        if (status === 0) {
          status =
            removeIpcIdFast(TYPES[job.types[index] as number] as SysvType, job.ids[index] as number) === 0
              ? 1
              : 2;
        }
        removed.push(status === 1);
      });
    }
    this.#jobs.length = 0;
    return { removed, byWorker };
  }

  /** add() and finish() in one. */
  remove(targets: readonly SysvObjectRef[]): BulkRemoval {
    this.add(targets);
    return this.finish();
  }

  /** Ends the worker without removing anything more. */
  close(): void {
    void this.#worker?.terminate();
    this.#worker = undefined;
  }

  /** Stops the worker taking jobs, once it has finished the chunk it is on; how many it removed. */
  #join(): number {
    const control = this.#control;
    const worker = this.#worker;
    if (worker === undefined) return 0;
    this.#worker = undefined;
    for (;;) {
      const state = Atomics.compareExchange(control, WORKER_STATE, WORKER_IDLE, WORKER_DONE);
      if (state !== WORKER_RUNNING) break;
      Atomics.wait(control, WORKER_STATE, WORKER_RUNNING, 1000);
    }
    // Any message now ends it (the state is DONE): its thread goes away with the remover's use.
    worker.postMessage('end');
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
