/**
 * Readiness of descriptors, for the waits of POSIX message queues: on Linux an mqd is pollable
 * (POLLIN while a message is queued, POLLOUT while there is room), but Node exposes no way to
 * poll an arbitrary descriptor, and mq_notify cannot be used safely (packages/core/README.md).
 * One worker thread, started on the first wait that needs it, blocks in poll(2) over the armed
 * descriptors and a wake pipe and posts each descriptor that became ready; the event loop then
 * retries that wait's non-blocking call at once. Nothing runs on the libuv threadpool and no
 * timer polls. An arming is one-shot; a spurious report only costs one failed attempt. When the
 * thread cannot run, arm() returns undefined and the waits fall back to src/wait.ts's backoff.
 */
import { writeSync } from 'node:fs';
import { Worker } from 'node:worker_threads';
import * as libc from '../ffi/libc.js';
import { arrayParam, ffiBindingFile, POLL_LIBRARY, types } from '../ffi/native.js';
import { pipe } from '../pipe.js';

export const POLLIN = 0x1;
export const POLLOUT = 0x4;

/** Armed descriptors at most; past that a wait falls back to the backoff. */
const SLOTS = 1024;
// A slot is four Int32 words: fd, events, state, generation. Word SLOTS * 4 is the stop flag, the
// next one the thread's "stopped" flag.
const FREE = 0;
const ARMED = 1;
const FIRED = 2;
const STOP = SLOTS * 4;
const STOPPED = STOP + 1;
/**
 * How long exit waits for the thread to leave its poll(2) call. Node terminates worker threads
 * at exit; one terminated inside an ffi-rs call (reading its arguments, or writing pollfds back)
 * makes ffi-rs panic on the pending exception and abort the whole process (exit 134, seen when
 * `ipcctl mq follow` was interrupted). Woken, the thread leaves within microseconds.
 */
const EXIT_WAIT_MS = 1000;
/** poll(2)'s timeout in the thread: only a backstop, a wake byte ends each poll. */
const POLL_BACKSTOP_MS = 1000;

/**
 * The thread's loop: poll(2) over the wake pipe and the armed slots; a ready slot goes from ARMED
 * (1) to FIRED (2) and is posted with its generation. The worker evaluates its source text: it
 * uses nothing but its parameters and literals.
 */
function pollLoop(
  binding: { load(params: Record<string, unknown>): unknown },
  data: {
    slots: SharedArrayBuffer;
    wakeFd: number;
    slotCount: number;
    backstopMs: number;
    library: string;
    types: { I32: number; U64: number };
    array: { type: number; length: number; ffiTypeTag: number };
  },
  post: (message: [number, number]) => void,
  drainWake: (fd: number) => void,
): void {
  const slots = new Int32Array(data.slots);
  const pollfds = Buffer.alloc(8 * (data.slotCount + 1));
  const indexes: number[] = [];
  const array = { ...data.array };
  const call = {
    library: data.library,
    funcName: 'poll',
    retType: data.types.I32,
    paramsType: [array, data.types.U64, data.types.I32],
    paramsValue: [pollfds, 0, data.backstopMs],
    freeResultMemory: false,
  };
  while (Atomics.load(slots, data.slotCount * 4) === 0) {
    pollfds.writeInt32LE(data.wakeFd, 0);
    pollfds.writeInt32LE(1, 4);
    indexes.length = 0;
    for (let i = 0; i < data.slotCount; i++) {
      if (Atomics.load(slots, i * 4 + 2) !== 1) continue;
      const at = 8 * (indexes.length + 1);
      pollfds.writeInt32LE(Atomics.load(slots, i * 4), at);
      // events (short), revents (short) cleared.
      pollfds.writeInt32LE(Atomics.load(slots, i * 4 + 1) & 0xffff, at + 4);
      indexes.push(i);
    }
    const count = indexes.length + 1;
    array.length = 8 * count;
    call.paramsValue[1] = count;
    const ready = binding.load(call) as number;
    if (ready <= 0) continue;
    if (pollfds.readInt16LE(6) !== 0) drainWake(data.wakeFd);
    for (let k = 0; k < indexes.length; k++) {
      if (pollfds.readInt16LE(8 * (k + 1) + 6) === 0) continue;
      const i = indexes[k] as number;
      if (Atomics.compareExchange(slots, i * 4 + 2, 1, 2) === 1) post([i, Atomics.load(slots, i * 4 + 3)]);
    }
  }
  // Out of ffi-rs for good: exit may now terminate the thread.
  Atomics.store(slots, data.slotCount * 4 + 1, 1);
  Atomics.notify(slots, data.slotCount * 4 + 1);
}

const WORKER_SOURCE = `'use strict';
const { workerData, parentPort } = require('node:worker_threads');
const { readSync } = require('node:fs');
const binding = require(workerData.bindingFile);
const pollLoop = ${pollLoop.toString()};
const scratch = Buffer.alloc(64);
const drainWake = (fd) => {
  try { while (readSync(fd, scratch, 0, 64, null) > 0); } catch {}
};
pollLoop(binding, workerData, (message) => parentPort.postMessage(message), drainWake);
`;

interface Poller {
  worker: Worker;
  slots: Int32Array;
  /** The wake pipe's write end: a byte ends the thread's poll(2), which then re-reads the slots. */
  wakeFd: number;
  callbacks: Map<number, () => void>;
}

let poller: Poller | undefined;
/** The flags of the last thread started, kept after it stops (readinessThreadStopped()). */
let lastSlots: Int32Array | undefined;
/** Set once the thread failed or could not start: every wait uses the backoff from then on. */
let unavailable = false;

/**
 * Calls `onReady` once when `fd` is ready for `events` (or in error), from the event loop.
 * Returns the disarm function, or undefined when readiness cannot be watched (then poll by timer).
 * While anything is armed the thread keeps the process alive, as a pending timer would.
 */
export function armReadiness(fd: number, events: number, onReady: () => void): (() => void) | undefined {
  const p = startPoller();
  if (p === undefined) return undefined;
  let slot = -1;
  for (let i = 0; i < SLOTS; i++) {
    if (Atomics.load(p.slots, i * 4 + 2) === FREE && !p.callbacks.has(i)) {
      slot = i;
      break;
    }
  }
  if (slot === -1) return undefined;
  const generation = (Atomics.load(p.slots, slot * 4 + 3) + 1) | 0;
  Atomics.store(p.slots, slot * 4, fd);
  Atomics.store(p.slots, slot * 4 + 1, events);
  Atomics.store(p.slots, slot * 4 + 3, generation);
  Atomics.store(p.slots, slot * 4 + 2, ARMED);
  p.callbacks.set(slot, onReady);
  if (p.callbacks.size === 1) p.worker.ref();
  wake(p);
  return () => {
    if (p.callbacks.get(slot) !== onReady) return;
    release(p, slot);
    // The thread may still poll it until it wakes: its report then finds the slot free.
    wake(p);
  };
}

function release(p: Poller, slot: number): void {
  Atomics.store(p.slots, slot * 4 + 2, FREE);
  p.callbacks.delete(slot);
  if (p.callbacks.size === 0) p.worker.unref();
}

const WAKE_BYTE = Buffer.of(1);

function wake(p: Poller): void {
  try {
    writeSync(p.wakeFd, WAKE_BYTE);
  } catch {
    // EAGAIN: the pipe is full of wake bytes, so the thread wakes anyway.
  }
}

function startPoller(): Poller | undefined {
  if (poller !== undefined || unavailable) return poller;
  let ends: ReturnType<typeof pipe> | undefined;
  try {
    // The thread calls poll under a library name of its own (POLL_LIBRARY), whose only symbol
    // is looked up here first: it never reads the table this thread fills (ffi/native.ts).
    libc.pollNow();
    ends = pipe({ nonBlocking: true });
    const slots = new Int32Array(new SharedArrayBuffer((SLOTS * 4 + 2) * Int32Array.BYTES_PER_ELEMENT));
    const t = types();
    const worker = new Worker(WORKER_SOURCE, {
      eval: true,
      workerData: {
        slots: slots.buffer,
        wakeFd: ends.readFd,
        slotCount: SLOTS,
        backstopMs: POLL_BACKSTOP_MS,
        bindingFile: ffiBindingFile(),
        library: POLL_LIBRARY,
        types: { I32: t.I32, U64: t.U64 },
        array: arrayParam(8),
      },
    });
    worker.unref();
    lastSlots = slots;
    const p: Poller = { worker, slots, wakeFd: ends.writeFd, callbacks: new Map() };
    worker.on('message', ([slot, generation]: [number, number]) => {
      const onReady = p.callbacks.get(slot);
      if (onReady === undefined || Atomics.load(slots, slot * 4 + 3) !== generation) return;
      if (Atomics.load(slots, slot * 4 + 2) !== FIRED) return;
      release(p, slot);
      onReady();
    });
    const fail = () => {
      // Every armed wait is retried now, and polls by timer from then on.
      Atomics.store(slots, STOPPED, 1);
      unavailable = true;
      poller = undefined;
      const pending = [...p.callbacks.values()];
      p.callbacks.clear();
      for (const onReady of pending) onReady();
    };
    worker.on('error', fail);
    worker.on('exit', fail);
    // Node terminates worker threads at exit: wake this one from poll(2), and let it leave the
    // ffi-rs call before it is terminated (EXIT_WAIT_MS).
    process.once('exit', () => {
      Atomics.store(slots, STOP, 1);
      wake(p);
      Atomics.wait(slots, STOPPED, 0, EXIT_WAIT_MS);
    });
    poller = p;
    return p;
  } catch {
    ends?.close();
    unavailable = true;
    return undefined;
  }
}

/** Whether the readiness thread is running (tests). */
export function readinessThreadRunning(): boolean {
  return poller !== undefined;
}

/** Whether the last readiness thread started has left poll(2) and ffi-rs for good (tests). */
export function readinessThreadStopped(): boolean {
  return lastSlots !== undefined && Atomics.load(lastSlots, STOPPED) === 1;
}
