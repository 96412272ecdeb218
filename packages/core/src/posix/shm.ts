/**
 * POSIX shared memory (shm_overview(7)): glibc's shm_open opens /dev/shm/NAME (a leading "/" is
 * optional). Its bytes are only reached through pread/pwrite on the descriptor, never by touching
 * a mapping, so neither a stale access nor another process truncating the object can crash this one.
 */
import { fstatSync, readSync, writeSync } from 'node:fs';
import { constants } from 'node:os';
import { ClosedHandleError, IpcError } from '../errors.js';
import * as args from '../ffi/arguments.js';
import { assertCString, check, fsCall } from '../ffi/call.js';
import { MAP_SHARED, O_CREAT, O_EXCL, O_RDONLY, O_RDWR, PROT_READ, PROT_WRITE } from '../ffi/constants.js';
import * as libc from '../ffi/libc.js';

export interface OpenPosixShmOptions {
  /** O_CREAT: create the object if it does not exist. */
  create?: boolean;
  /** O_EXCL: with `create`, fail with EEXIST if it exists. */
  exclusive?: boolean;
  /** Permission bits of a new object (the umask applies); default 0o600. */
  mode?: number;
  /** ftruncate the object to this many bytes after opening (a new object is empty). */
  size?: number;
  /** O_RDONLY, enough for read-only mappings; the default is O_RDWR. */
  readOnly?: boolean;
}

export interface PosixShmHandle extends Disposable, AsyncDisposable {
  readonly name: string;
  /** The descriptor (close-on-exec: glibc opens with O_CLOEXEC). */
  readonly fd: number;
  /** The object's current size in bytes (fstat; another process may have resized it). */
  readonly size: number;
  /** ftruncate: grows with zeros or shrinks the object. */
  resize(size: number): void;
  /** Copies bytes at `position` of the object (pread(2)); fewer than asked at its end. */
  read(position: number, length: number): Buffer;
  /** pread(2) into the caller's buffer, no allocation: returns the bytes read (fewer at the end). */
  readInto(position: number, target: ArrayBufferView): number;
  /** pwrite(2): writes `data` at `position`, growing the object if it ends before. */
  write(position: number, data: ArrayBufferView | string): void;
  /**
   * Maps the object, shared: from `offset` (a multiple of the page size, else EINVAL), `length`
   * bytes (default: to the end as it is now); read-only by default for a read-only handle.
   */
  map(options?: PosixShmMapOptions): PosixShmMapping;
  /** Closes the descriptor once every mapping is unmapped; using the handle throws from now on. Idempotent. */
  close(): void;
}

export interface PosixShmMapOptions {
  readOnly?: boolean;
  offset?: number;
  length?: number;
}

/**
 * A mapped range of the object. Its bytes are read and written with pread/pwrite on the object's
 * descriptor at the mapped offsets, never by touching the mapping: when another process
 * truncates the object, touching a page past its end would kill this process with SIGBUS, and no
 * check beforehand can close that race; pread/pwrite at the same offsets reach the same pages.
 */
export interface PosixShmMapping extends Disposable, AsyncDisposable {
  /** Bytes mapped. */
  readonly size: number;
  /** Where the mapping starts in the object. */
  readonly offset: number;
  readonly readOnly: boolean;
  /** Copies `length` bytes at `offset` of the mapping; EFAULT if the object now ends before them. */
  read(offset: number, length: number): Buffer;
  /** The same into the caller's buffer (target.byteLength bytes), no allocation; returns the count. */
  readInto(offset: number, target: ArrayBufferView): number;
  /** Writes `data` (a string as UTF-8, any ArrayBufferView as its bytes) at `offset` of the mapping. */
  write(offset: number, data: ArrayBufferView | string): void;
  /** msync(MS_SYNC, or MS_ASYNC with `async`): a no-op for tmpfs, kept for files mapped alike. */
  sync(options?: { async?: boolean }): void;
  /** munmap; idempotent. */
  unmap(): void;
}

const { EACCES, EFAULT } = constants.errno;
const MS_ASYNC = 1;
const MS_SYNC = 4;

export function openPosixShm(name: string, options: OpenPosixShmOptions = {}): PosixShmHandle {
  args.text(name, 'name');
  assertCString(name, 'shm_open', { name });
  const readOnly = args.flag(options.readOnly, 'readOnly');
  let flags = readOnly ? O_RDONLY : O_RDWR;
  if (args.flag(options.create, 'create')) flags |= O_CREAT;
  if (args.flag(options.exclusive, 'exclusive')) flags |= O_EXCL;
  const mode = args.mode(options.mode ?? 0o600, 'mode', 0o7777);
  const size = options.size === undefined ? undefined : args.size(options.size, 'size');
  const fd = check(libc.shmOpen(name, flags, mode), 'shm_open', { name });
  const handle = new ShmHandle(name, fd, readOnly);
  if (size !== undefined) {
    try {
      handle.resize(size);
    } catch (error) {
      handle.close();
      throw error;
    }
  }
  return handle;
}

export function unlinkPosixShm(name: string): void {
  args.text(name, 'name');
  assertCString(name, 'shm_unlink', { name });
  check(libc.shmUnlink(name), 'shm_unlink', { name });
}

class ShmHandle implements PosixShmHandle {
  private closed = false;
  /** Live mappings keep the descriptor open: their reads and writes go through it. */
  private readonly mappings = new Set<ShmMapping>();

  constructor(
    readonly name: string,
    private readonly descriptor: number,
    private readonly readOnly: boolean,
  ) {}

  get fd(): number {
    return this.open();
  }

  get size(): number {
    const fd = this.open();
    return fsCall(() => fstatSync(fd).size, 'fstat', { name: this.name });
  }

  resize(size: number): void {
    check(libc.ftruncate(this.open(), args.size(size, 'size')), 'ftruncate', { name: this.name });
  }

  read(position: number, length: number): Buffer {
    const target = Buffer.allocUnsafe(args.size(length, 'length'));
    const count = this.readInto(position, target);
    return count === target.length ? target : target.subarray(0, count);
  }

  readInto(position: number, target: ArrayBufferView): number {
    const into = args.target(target, 'target');
    const fd = this.open();
    const at = args.size(position, 'position');
    return fsCall(() => readSync(fd, into, 0, into.length, at), 'pread', { name: this.name });
  }

  write(position: number, data: ArrayBufferView | string): void {
    const source = args.bytes(data);
    writeFully(this.open(), source, args.size(position, 'position'), this.name);
  }

  map(options: PosixShmMapOptions = {}): PosixShmMapping {
    const readOnly = options.readOnly === undefined ? this.readOnly : args.flag(options.readOnly, 'readOnly');
    const offset = args.size(options.offset ?? 0, 'offset');
    const length =
      options.length === undefined ? Math.max(this.size - offset, 0) : args.size(options.length, 'length');
    const protection = readOnly ? PROT_READ : PROT_READ | PROT_WRITE;
    const raw = libc.mmap(length, protection, MAP_SHARED, this.open(), offset);
    const address = check(raw, 'mmap', { name: this.name });
    const mapping = new ShmMapping(
      { name: this.name, address, size: length, offset, readOnly, fd: this.descriptor },
      () => {
        this.mappings.delete(mapping);
        this.release();
      },
    );
    this.mappings.add(mapping);
    return mapping;
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.release();
  }

  [Symbol.dispose](): void {
    this.close();
  }

  /** The same as Symbol.dispose, for `await using`. */
  async [Symbol.asyncDispose](): Promise<void> {
    this[Symbol.dispose]();
  }

  private release(): void {
    if (this.closed && this.mappings.size === 0) {
      check(libc.close(this.descriptor), 'close', { name: this.name });
    }
  }

  private open(): number {
    if (this.closed) throw new ClosedHandleError(`shared memory ${this.name} is closed`);
    return this.descriptor;
  }
}

interface MappingSpec {
  name: string;
  address: number;
  size: number;
  offset: number;
  readOnly: boolean;
  fd: number;
}

class ShmMapping implements PosixShmMapping {
  private mapped = true;
  readonly size: number;
  readonly offset: number;
  readonly readOnly: boolean;

  constructor(
    private readonly spec: MappingSpec,
    private readonly onUnmap: () => void,
  ) {
    this.size = spec.size;
    this.offset = spec.offset;
    this.readOnly = spec.readOnly;
  }

  read(offset: number, length: number): Buffer {
    const target = Buffer.allocUnsafe(args.size(length, 'length'));
    this.readInto(offset, target);
    return target;
  }

  readInto(offset: number, target: ArrayBufferView): number {
    const into = args.target(target, 'target');
    this.reach(offset, into.length, 'read');
    if (into.length === 0) return 0;
    const { fd, name } = this.spec;
    const count = fsCall(() => readSync(fd, into, 0, into.length, this.spec.offset + offset), 'pread', {
      name,
    });
    // pread stops at end-of-file where the mapping would have raised SIGBUS.
    if (count < into.length) throw this.truncated();
    return count;
  }

  write(offset: number, data: ArrayBufferView | string): void {
    const source = args.bytes(data);
    this.reach(offset, source.length, 'write');
    // A store into a PROT_READ page is SIGSEGV: refuse it here as the kernel's write(2) would.
    if (this.readOnly) {
      throw new IpcError({
        errno: EACCES,
        syscall: 'pwrite',
        object: { name: this.spec.name },
        message: 'Permission denied: mapped read-only',
      });
    }
    if (source.length === 0) return;
    // A store through the mapping never grows the object; pwrite would, so it is bounded first.
    const { fd, name } = this.spec;
    const { size } = fsCall(() => fstatSync(fd), 'fstat', { name });
    if (this.spec.offset + offset + source.length > size) throw this.truncated('pwrite');
    writeFully(fd, source, this.spec.offset + offset, name);
  }

  sync(options: { async?: boolean } = {}): void {
    if (!this.mapped) throw new ClosedHandleError(`shared memory ${this.spec.name} is unmapped`);
    const flags = args.flag(options.async, 'async') ? MS_ASYNC : MS_SYNC;
    check(libc.msync(this.spec.address, this.size, flags), 'msync', { name: this.spec.name });
  }

  unmap(): void {
    if (!this.mapped) return;
    this.mapped = false;
    check(libc.munmap(this.spec.address, this.size), 'munmap', { name: this.spec.name });
    this.onUnmap();
  }

  [Symbol.dispose](): void {
    this.unmap();
  }

  /** The same as Symbol.dispose, for `await using`. */
  async [Symbol.asyncDispose](): Promise<void> {
    this[Symbol.dispose]();
  }

  /** Checks an access lies within the mapping. */
  private reach(offset: number, length: number, what: string): void {
    if (!this.mapped) throw new ClosedHandleError(`shared memory ${this.spec.name} is unmapped`);
    args.size(offset, 'offset');
    if (offset + length > this.size) {
      throw new RangeError(`${what} of ${length} bytes at ${offset} exceeds the ${this.size}-byte mapping`);
    }
  }

  private truncated(syscall = 'pread'): IpcError {
    return new IpcError({
      errno: EFAULT,
      syscall,
      object: { name: this.spec.name },
      message: 'Bad address: the object was truncated below the mapped range',
    });
  }
}

function writeFully(fd: number, source: Buffer, position: number, name: string): void {
  let done = 0;
  while (done < source.length) {
    done += fsCall(() => writeSync(fd, source, done, source.length - done, position + done), 'pwrite', {
      name,
    });
  }
}
