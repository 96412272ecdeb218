/**
 * POSIX named semaphores (sem_overview(7)): glibc keeps each one in /dev/shm/sem.NAME and maps it;
 * names work with or without a leading "/". Blocking waits run on the libuv threadpool.
 */
import { constants } from 'node:os';
import { IpcError } from '../errors.js';
import { assertCString, check, checkPointer } from '../ffi/call.js';
import { O_CREAT, O_EXCL } from '../ffi/constants.js';
import { deadlineAfter } from '../ffi/layout.js';
import type { Raw } from '../ffi/libc.js';
import * as libc from '../ffi/libc.js';
import { assertTimeout, BlockingCalls } from './blocking.js';

export interface OpenPosixSemOptions {
  /** O_CREAT: create the semaphore if it does not exist. */
  create?: boolean;
  /** O_EXCL: with `create`, fail with EEXIST if it exists. */
  exclusive?: boolean;
  /** Permission bits of a new semaphore (the umask applies); default 0o600. */
  mode?: number;
  /** Initial value of a new semaphore, 0 (default) to SEM_VALUE_MAX (2^31 - 1). */
  value?: number;
}

export interface PosixSemWaitOptions {
  /** Give up with ETIMEDOUT after this long; default: wait indefinitely. */
  timeoutMs?: number;
}

export interface PosixSemHandle {
  readonly name: string;
  /** Increments the value, waking one waiter in any process. */
  post(): void;
  /** Decrements the value, waiting (off the event loop) while it is 0. */
  wait(options?: PosixSemWaitOptions): Promise<void>;
  /** Decrements the value without waiting: EAGAIN if it is 0. */
  tryWait(): void;
  value(): number;
  /** Unmaps the semaphore (once waits still blocked in a thread have returned); idempotent. */
  close(): void;
}

const { EAGAIN, EINVAL, ETIMEDOUT } = constants.errno;
/** INT_MAX on Linux. */
const SEM_VALUE_MAX = 0x7fffffff;

export function openPosixSem(name: string, options: OpenPosixSemOptions = {}): PosixSemHandle {
  assertCString(name, 'sem_open', { name });
  let flags = options.create ? O_CREAT : 0;
  if (options.exclusive) flags |= O_EXCL;
  const value = options.value ?? 0;
  // glibc fails with EINVAL above SEM_VALUE_MAX; checked here since ffi-rs would wrap a negative unsigned int.
  if (!Number.isInteger(value) || value < 0 || value > SEM_VALUE_MAX) {
    throw new IpcError({ errno: EINVAL, syscall: 'sem_open', object: { name } });
  }
  const sem = checkPointer(libc.semOpen(name, flags, options.mode ?? 0o600, value), 'sem_open', { name });
  return new SemHandle(name, sem);
}

export function unlinkPosixSem(name: string): void {
  assertCString(name, 'sem_unlink', { name });
  check(libc.semUnlink(name), 'sem_unlink', { name });
}

/** The value of a semaphore, as lsipc shows it; undefined when it cannot be opened. */
export function getPosixSemValue(name: string): number | undefined {
  if (name.includes('\0')) return undefined;
  const opened = libc.semOpen(name, 0, 0, 0);
  // SEM_FAILED is NULL in glibc.
  if (opened.value === 0) return undefined;
  const value = Buffer.alloc(4);
  const result = libc.semGetvalue(opened.value, value);
  libc.semClose(opened.value);
  return result.value === -1 ? undefined : value.readInt32LE(0);
}

class SemHandle implements PosixSemHandle {
  private readonly calls: BlockingCalls;

  constructor(
    readonly name: string,
    private readonly sem: number,
  ) {
    this.calls = new BlockingCalls(`semaphore ${name}`, () => libc.semClose(sem));
  }

  post(): void {
    this.check(libc.semPost(this.open()), 'sem_post');
  }

  async wait(options: PosixSemWaitOptions = {}): Promise<void> {
    const { timeoutMs } = options;
    assertTimeout(timeoutMs);
    // sem_trywait first: an available semaphore needs no threadpool round trip (~3 µs instead of ~40).
    const first = libc.semTrywait(this.open());
    if (first.value === 0) return;
    if (first.errnoCode !== EAGAIN) this.check(first, 'sem_trywait');
    if (timeoutMs === 0) {
      throw new IpcError({ errno: ETIMEDOUT, syscall: 'sem_timedwait', object: { name: this.name } });
    }
    if (timeoutMs === undefined) {
      this.check(await this.calls.run(() => libc.semWaitInThread(this.sem)), 'sem_wait');
      return;
    }
    // deadlineAfter needs whole milliseconds (it builds the timespec with BigInt).
    const deadline = deadlineAfter(Math.ceil(timeoutMs));
    this.check(await this.calls.run(() => libc.semTimedwaitInThread(this.sem, deadline)), 'sem_timedwait');
  }

  tryWait(): void {
    this.check(libc.semTrywait(this.open()), 'sem_trywait');
  }

  value(): number {
    const value = Buffer.alloc(4);
    this.check(libc.semGetvalue(this.open(), value), 'sem_getvalue');
    return value.readInt32LE(0);
  }

  close(): void {
    const raw = this.calls.close();
    if (raw) this.check(raw, 'sem_close');
  }

  private open(): number {
    this.calls.assertOpen();
    return this.sem;
  }

  private check(raw: Raw, syscall: string): void {
    check(raw, syscall, { name: this.name });
  }
}
