/**
 * How every blocking call waits: never in a libuv threadpool thread. A call is first made so
 * that it cannot block (IPC_NOWAIT, an expired mq deadline, sem_trywait); when it would have
 * blocked, it is retried from a timer on the event loop with a backoff from 1 ms up to
 * POLL_MAX_MS, until it succeeds, fails otherwise, its timeout runs out (IpcTimeoutError) or its
 * AbortSignal fires (rejects with the signal's reason). A successful send, post or semop made by
 * this process retries every pending wait at once, so in-process wake-ups are immediate; a wake-up
 * from another process is seen within POLL_MAX_MS. A wait given a readiness source (POSIX queues,
 * src/posix/readiness.ts) is retried when that reports instead of by timer. A pending wait keeps
 * the process alive (its timer, or the armed readiness thread) until it settles; an aborted wait
 * stops at once and holds nothing.
 */

import type { IpcObjectRef } from './errors.js';
import { IpcTimeoutError } from './errors.js';

export interface WaitOptions {
  /** Give up after this many milliseconds with IpcTimeoutError; 0 tries once; default: no limit. */
  timeout?: number;
  /** The same as `timeout` (the earlier name). */
  timeoutMs?: number;
  /** Abandon the wait when the signal fires: the call rejects with `signal.reason`, nothing is consumed. */
  signal?: AbortSignal;
}

/** What an attempt returns when the call would have blocked. */
export const WOULD_BLOCK: unique symbol = Symbol('would block');

/** The longest pause between two attempts of a pending wait. */
export const POLL_MAX_MS = 10;

/** The longest delay setTimeout takes (2**31 - 1 ms, some 24.8 days). */
const TIMER_MAX = 0x7fffffff;

interface Waiter {
  retry(): void;
}

const pending = new Set<Waiter>();
let nudged = false;

/**
 * Retries every pending wait soon: called after this process sent, posted or raised a
 * semaphore, which may be what they wait for.
 */
export function wakeWaiters(): void {
  if (nudged || pending.size === 0) return;
  nudged = true;
  setImmediate(() => {
    nudged = false;
    for (const waiter of [...pending]) waiter.retry();
  });
}

/** The timeout of `options` in milliseconds (undefined: none), checked. */
export function timeoutOf(options: WaitOptions): number | undefined {
  const timeout = options.timeout ?? options.timeoutMs;
  if (timeout === undefined) return undefined;
  if (typeof timeout !== 'number') throw new TypeError(`timeout must be a number (got ${typeof timeout})`);
  if (Number.isNaN(timeout) || timeout < 0) throw new RangeError(`invalid timeout: ${timeout}`);
  return timeout === Number.POSITIVE_INFINITY ? undefined : timeout;
}

function signalOf(options: WaitOptions): AbortSignal | undefined {
  const { signal } = options;
  if (signal === undefined || signal instanceof AbortSignal) return signal;
  throw new TypeError('signal must be an AbortSignal');
}

/** What a wait is about, for its timeout error. */
export interface WaitSubject {
  syscall: string;
  object?: IpcObjectRef;
}

/**
 * Arms a one-shot report that the object may be ready (POSIX queues: poll(2) readiness of the
 * mqd, src/posix/readiness.ts): `onReady` is called once from the event loop. Returns the disarm
 * function, or undefined when it cannot, and the wait then polls by timer.
 */
export type ArmReadiness = (onReady: () => void) => (() => void) | undefined;

/**
 * Runs `attempt` now, and again until it returns something other than WOULD_BLOCK (see the module
 * comment). `attempt` throws for a real failure, which rejects the wait. With `arm`, a wait that
 * would block is retried when the object reports readiness instead of by timer.
 */
export function waitFor<T>(
  attempt: (retry: boolean) => T | typeof WOULD_BLOCK,
  options: WaitOptions,
  subject: WaitSubject,
  arm?: ArmReadiness,
): Promise<T> {
  const timeout = timeoutOf(options);
  const signal = signalOf(options);
  if (signal?.aborted) return Promise.reject(signal.reason);
  const first = attempt(false);
  if (first !== WOULD_BLOCK) return Promise.resolve(first);
  const timedOut = () => new IpcTimeoutError({ ...subject, timeout: timeout ?? 0 });
  if (timeout === 0) return Promise.reject(timedOut());
  const deadline = timeout === undefined ? undefined : performance.now() + timeout;
  return new Promise<T>((resolve, reject) => {
    let delay = 1;
    let timer: NodeJS.Timeout | undefined;
    let disarm: (() => void) | undefined;
    const settle = () => {
      pending.delete(waiter);
      if (timer !== undefined) clearTimeout(timer);
      timer = undefined;
      disarm?.();
      disarm = undefined;
      signal?.removeEventListener('abort', onAbort);
    };
    const onAbort = () => {
      settle();
      reject(signal?.reason);
    };
    const tick = () => {
      timer = undefined;
      let result: T | typeof WOULD_BLOCK;
      try {
        result = attempt(true);
      } catch (error) {
        settle();
        reject(error);
        return;
      }
      if (result !== WOULD_BLOCK) {
        settle();
        resolve(result);
        return;
      }
      if (deadline !== undefined && deadline - performance.now() <= 0) {
        settle();
        reject(timedOut());
        return;
      }
      next();
    };
    /** After an attempt that would block: wait for readiness (and the deadline), else the backoff. */
    const next = () => {
      const left = deadline === undefined ? Number.POSITIVE_INFINITY : deadline - performance.now();
      if (arm !== undefined && disarm === undefined) {
        disarm = arm(() => {
          // Called from the event loop already: attempt at once.
          disarm = undefined;
          if (timer !== undefined) clearTimeout(timer);
          tick();
        });
      }
      if (disarm !== undefined) {
        if (timer !== undefined) clearTimeout(timer);
        // A deadline beyond a timer's reach is met in steps: a longer delay is Node's 1 ms, and a warning.
        timer =
          left === Number.POSITIVE_INFINITY
            ? undefined
            : setTimeout(tick, Math.min(Math.max(left, 0), TIMER_MAX));
        return;
      }
      schedule(Math.min(delay, left));
      delay = Math.min(delay * 2, POLL_MAX_MS);
    };
    const schedule = (ms: number) => {
      if (timer !== undefined) clearTimeout(timer);
      timer = setTimeout(tick, ms);
    };
    const waiter: Waiter = {
      retry: () => {
        delay = 1;
        schedule(0);
      },
    };
    pending.add(waiter);
    signal?.addEventListener('abort', onAbort, { once: true });
    next();
  });
}
