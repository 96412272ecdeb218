/**
 * POSIX named semaphores (sem_overview(7)): glibc keeps each one in /dev/shm/sem.NAME and maps it;
 * names work with or without a leading "/". A wait tries sem_trywait, then waits as src/wait.ts
 * says (never in a threadpool thread).
 *
 * glibc maps the file without checking it: a `sem.*` file another user planted empty or short
 * (or a fifo, a directory) would kill this process with SIGBUS on the first access. The file is
 * therefore checked (a regular file of at least a sem_t) before sem_open, checked to be the one
 * glibc mapped after it, and its size checked again before every operation; the listing's values
 * are read with pread(2) and never mapped. The owner of a semaphore file can still truncate it
 * between that check and the access (a few microseconds): use semaphores owned by users you trust.
 */
import {
  closeSync,
  constants as fsConstants,
  fstatSync,
  openSync,
  readSync,
  type Stats,
  statSync,
} from 'node:fs';
import { constants } from 'node:os';
import { join } from 'node:path';
import { ClosedHandleError, IpcError } from '../errors.js';
import * as args from '../ffi/arguments.js';
import { assertCString, check, checkPointer, errorFrom } from '../ffi/call.js';
import { O_CREAT, O_EXCL } from '../ffi/constants.js';
import type { Raw } from '../ffi/libc.js';
import * as libc from '../ffi/libc.js';
import { fsPath } from '../names.js';
import { PATH_DEV_SHM } from '../paths.js';
import { type WaitOptions, WOULD_BLOCK, waitFor, wakeWaiters } from '../wait.js';

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

export type PosixSemWaitOptions = WaitOptions;

export interface PosixSemHandle extends Disposable, AsyncDisposable {
  readonly name: string;
  /** Increments the value, waking one waiter in any process. */
  post(): void;
  /** Decrements the value, waiting (see src/wait.ts) while it is 0. */
  wait(options?: PosixSemWaitOptions): Promise<void>;
  /** Decrements the value without waiting: EAGAIN if it is 0. */
  tryWait(): void;
  value(): number;
  /** Unmaps the semaphore; pending waits fail with ClosedHandleError. Idempotent. */
  close(): void;
}

const { EAGAIN, EINVAL, EINTR } = constants.errno;
/** INT_MAX on Linux. */
const SEM_VALUE_MAX = 0x7fffffff;
/** sizeof(sem_t) on LP64 glibc: what sem_open maps and every sem_* call touches. */
const SEM_T_SIZE = 32;

export function openPosixSem(name: string, options: OpenPosixSemOptions = {}): PosixSemHandle {
  args.text(name, 'name');
  assertCString(name, 'sem_open', { name });
  let flags = args.flag(options.create, 'create') ? O_CREAT : 0;
  if (args.flag(options.exclusive, 'exclusive')) flags |= O_EXCL;
  const mode = args.mode(options.mode ?? 0o600, 'mode', 0o7777);
  // glibc fails with EINVAL above SEM_VALUE_MAX; ffi-rs would wrap a negative unsigned int.
  const value = args.integerIn(options.value ?? 0, 'value', 0, SEM_VALUE_MAX);
  const path = semaphorePath(name);
  // What glibc would map must be a semaphore: refuse anything else before sem_open touches it.
  if (path !== undefined) assertSemaphoreFile(path, name, { missingIsFine: true });
  const sem = checkPointer(libc.semOpen(name, flags, mode, value), 'sem_open', { name });
  if (path === undefined) return new SemHandle(name, sem, undefined);
  let guard: number | undefined;
  try {
    guard = openGuard(path, name);
    // The file checked may have been swapped since: the one guarded is the one glibc mapped.
    const mapped = statSync(path);
    const guarded = fstatSync(guard);
    if (mapped.ino !== guarded.ino || mapped.dev !== guarded.dev)
      throw notASemaphore(name, 'replaced while opening');
    return new SemHandle(name, sem, guard);
  } catch (error) {
    if (guard !== undefined) closeSync(guard);
    libc.semClose(sem);
    throw error;
  }
}

export function unlinkPosixSem(name: string): void {
  args.text(name, 'name');
  assertCString(name, 'sem_unlink', { name });
  check(libc.semUnlink(name), 'sem_unlink', { name });
}

/**
 * The value of a semaphore, as lsipc shows it; undefined when it cannot be opened (as sem_open
 * would fail: no read and write permission) or its file is no semaphore (a fifo, a directory, a
 * symlink, a file shorter than a sem_t). Read with pread(2), never mapped, so no file kills us.
 */
export function getPosixSemValue(name: string): number | undefined {
  args.text(name, 'name');
  const path = semaphorePath(name);
  if (path === undefined) return undefined;
  let fd: number;
  try {
    // O_RDWR as sem_open opens it (the same permission check); O_NONBLOCK: a fifo must not block.
    fd = openSync(path, fsConstants.O_RDWR | fsConstants.O_NOFOLLOW | fsConstants.O_NONBLOCK);
  } catch {
    return undefined;
  }
  try {
    if (!isSemaphore(fstatSync(fd))) return undefined;
    const value = Buffer.alloc(4);
    if (readSync(fd, value, 0, 4, 0) !== 4) return undefined;
    // glibc's new_sem on 64-bit: the value is the low 32 bits of `data`, at offset 0.
    return value.readInt32LE(0);
  } catch {
    return undefined;
  } finally {
    closeSync(fd);
  }
}

class SemHandle implements PosixSemHandle {
  #sem: number | undefined;

  constructor(
    readonly name: string,
    sem: number,
    /** A descriptor of the mapped file, to check its size before each access. */
    private readonly guard: number | undefined,
  ) {
    this.#sem = sem;
  }

  post(): void {
    this.#check(libc.semPost(this.#open()), 'sem_post');
    wakeWaiters();
  }

  wait(options: PosixSemWaitOptions = {}): Promise<void> {
    try {
      return waitFor(() => this.#tryWait(true), options, {
        syscall: 'sem_timedwait',
        object: { name: this.name },
      });
    } catch (error) {
      return Promise.reject(error);
    }
  }

  tryWait(): void {
    this.#tryWait(false);
  }

  value(): number {
    const value = Buffer.alloc(4);
    this.#check(libc.semGetvalue(this.#open(), value), 'sem_getvalue');
    return value.readInt32LE(0);
  }

  close(): void {
    const sem = this.#sem;
    if (sem === undefined) return;
    this.#sem = undefined;
    if (this.guard !== undefined) closeSync(this.guard);
    this.#check(libc.semClose(sem), 'sem_close');
  }

  [Symbol.dispose](): void {
    this.close();
  }

  /** The same as Symbol.dispose, for `await using`. */
  async [Symbol.asyncDispose](): Promise<void> {
    this[Symbol.dispose]();
  }

  #tryWait(mayWait: boolean): undefined | typeof WOULD_BLOCK {
    for (;;) {
      const raw = libc.semTrywait(this.#open());
      if (raw.value === 0) {
        // Brought to 0 or not, nothing waits on a decrement; but sem_getvalue readers may.
        return;
      }
      if (raw.errnoCode === EINTR) continue;
      if (raw.errnoCode === EAGAIN && mayWait) return WOULD_BLOCK;
      throw errorFrom(raw, 'sem_trywait', { name: this.name });
    }
  }

  /** The sem_t, once its file is known to still cover it (a truncated one would be SIGBUS). */
  #open(): number {
    if (this.#sem === undefined) throw new ClosedHandleError(`semaphore ${this.name} is closed`);
    if (this.guard !== undefined) {
      const { size } = fstatSync(this.guard);
      if (size < SEM_T_SIZE) throw notASemaphore(this.name, `truncated to ${size} bytes`);
    }
    return this.#sem;
  }

  #check(raw: Raw, syscall: string): void {
    check(raw, syscall, { name: this.name });
  }
}

/**
 * /dev/shm/sem.NAME, as glibc builds it: leading slashes dropped; undefined for a name glibc
 * refuses. A Buffer when the name has bytes that are not UTF-8 (see names.ts).
 */
function semaphorePath(name: string): string | Buffer | undefined {
  const bare = name.replace(/^\/+/, '');
  if (bare === '' || bare.includes('/') || bare.includes('\0') || bare === '.' || bare === '..')
    return undefined;
  return fsPath(join(PATH_DEV_SHM, `sem.${bare}`));
}

function isSemaphore(stats: Stats): boolean {
  return stats.isFile() && stats.size >= SEM_T_SIZE;
}

function assertSemaphoreFile(path: string | Buffer, name: string, options: { missingIsFine: boolean }): void {
  let stats: Stats | undefined;
  try {
    stats = statSync(path, { throwIfNoEntry: !options.missingIsFine });
  } catch {
    // Unreadable: sem_open reports why.
    return;
  }
  if (stats !== undefined && !isSemaphore(stats)) throw notASemaphore(name, describeFile(stats));
}

/** A read-only descriptor of the semaphore's file, checked. */
function openGuard(path: string | Buffer, name: string): number {
  const fd = openSync(path, fsConstants.O_RDONLY | fsConstants.O_NONBLOCK);
  const stats = fstatSync(fd);
  if (!isSemaphore(stats)) {
    closeSync(fd);
    throw notASemaphore(name, describeFile(stats));
  }
  return fd;
}

function describeFile(stats: Stats): string {
  if (!stats.isFile()) return 'not a regular file';
  return `a file of ${stats.size} bytes, shorter than a sem_t`;
}

/** EINVAL, as glibc's sem_open gives for a name that is no semaphore. */
function notASemaphore(name: string, why: string): IpcError {
  return new IpcError({
    errno: EINVAL,
    syscall: 'sem_open',
    object: { name },
    message: `Invalid argument: not a semaphore (${why})`,
  });
}
