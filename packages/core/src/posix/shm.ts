/**
 * POSIX shared memory (shm_overview(7)): glibc's shm_open opens /dev/shm/NAME (a leading "/" is
 * optional). Mapped memory is only reached through bounded copies, never a Buffer over it, so a
 * stale or out-of-range access throws instead of crashing the process.
 */
import { fstatSync } from 'node:fs';
import { constants } from 'node:os';
import { ClosedHandleError, IpcError } from '../errors.js';
import { assertCString, check } from '../ffi/call.js';
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

export interface PosixShmHandle {
  readonly name: string;
  /** The descriptor (close-on-exec: glibc opens with O_CLOEXEC). */
  readonly fd: number;
  /** The object's current size in bytes (fstat; another process may have resized it). */
  readonly size: number;
  /** ftruncate: grows with zeros or shrinks the object. */
  resize(size: number): void;
  /** Maps the whole object as it is now, shared; read-only by default for a read-only handle. */
  map(options?: { readOnly?: boolean }): PosixShmMapping;
  /** Closes the descriptor; mappings stay usable. Idempotent. */
  close(): void;
}

export interface PosixShmMapping {
  /** Bytes mapped. */
  readonly size: number;
  readonly readOnly: boolean;
  read(offset: number, length: number): Buffer;
  write(offset: number, data: Uint8Array | string): void;
  /** munmap; idempotent. */
  unmap(): void;
}

const { EACCES, EFAULT } = constants.errno;

export function openPosixShm(name: string, options: OpenPosixShmOptions = {}): PosixShmHandle {
  assertCString(name, 'shm_open', { name });
  let flags = options.readOnly ? O_RDONLY : O_RDWR;
  if (options.create) flags |= O_CREAT;
  if (options.exclusive) flags |= O_EXCL;
  const fd = check(libc.shmOpen(name, flags, options.mode ?? 0o600), 'shm_open', { name });
  const handle = new ShmHandle(name, fd, options.readOnly === true);
  if (options.size !== undefined) {
    try {
      handle.resize(options.size);
    } catch (error) {
      handle.close();
      throw error;
    }
  }
  return handle;
}

export function unlinkPosixShm(name: string): void {
  assertCString(name, 'shm_unlink', { name });
  check(libc.shmUnlink(name), 'shm_unlink', { name });
}

class ShmHandle implements PosixShmHandle {
  private closed = false;
  /** Live mappings keep the descriptor open: they fstat it before every access (see ShmMapping). */
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
    return fstatSync(this.open()).size;
  }

  resize(size: number): void {
    if (!Number.isSafeInteger(size) || size < 0) throw new RangeError(`invalid size: ${size}`);
    check(libc.ftruncate(this.open(), size), 'ftruncate', { name: this.name });
  }

  map(options: { readOnly?: boolean } = {}): PosixShmMapping {
    const readOnly = options.readOnly ?? this.readOnly;
    const size = this.size;
    const protection = readOnly ? PROT_READ : PROT_READ | PROT_WRITE;
    const raw = libc.mmap(size, protection, MAP_SHARED, this.descriptor, 0);
    const address = check(raw, 'mmap', { name: this.name });
    const mapping = new ShmMapping(this.name, address, size, readOnly, this.descriptor, () => {
      this.mappings.delete(mapping);
      this.release();
    });
    this.mappings.add(mapping);
    return mapping;
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.release();
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

class ShmMapping implements PosixShmMapping {
  private mapped = true;

  constructor(
    private readonly name: string,
    private readonly address: number,
    readonly size: number,
    readonly readOnly: boolean,
    private readonly fd: number,
    private readonly onUnmap: () => void,
  ) {}

  read(offset: number, length: number): Buffer {
    this.reach(offset, length, 'read');
    const target = Buffer.alloc(length);
    if (length > 0) libc.copyFromAddress(target, this.address + offset);
    return target;
  }

  write(offset: number, data: Uint8Array | string): void {
    const source = typeof data === 'string' ? Buffer.from(data) : toBuffer(data);
    this.reach(offset, source.length, 'write');
    // A store into a PROT_READ page is SIGSEGV: refuse it here as the kernel's write(2) would.
    if (this.readOnly) {
      throw new IpcError({
        errno: EACCES,
        syscall: 'memcpy',
        object: { name: this.name },
        message: 'Permission denied: mapped read-only',
      });
    }
    if (source.length > 0) libc.copyToAddress(this.address + offset, source);
  }

  unmap(): void {
    if (!this.mapped) return;
    this.mapped = false;
    check(libc.munmap(this.address, this.size), 'munmap', { name: this.name });
    this.onUnmap();
  }

  /** Checks an access lies within the mapping and within the object as it is now. */
  private reach(offset: number, length: number, what: string): void {
    if (!this.mapped) throw new ClosedHandleError(`shared memory ${this.name} is unmapped`);
    if (!Number.isSafeInteger(offset) || !Number.isSafeInteger(length) || offset < 0 || length < 0) {
      throw new RangeError(`invalid ${what} range: offset ${offset}, length ${length}`);
    }
    if (offset + length > this.size) {
      throw new RangeError(`${what} of ${length} bytes at ${offset} exceeds the ${this.size}-byte mapping`);
    }
    // Touching a mapped page wholly past end-of-file raises SIGBUS; the object may have shrunk since mmap.
    if (offset + length > fstatSync(this.fd).size) {
      throw new IpcError({
        errno: EFAULT,
        syscall: 'memcpy',
        object: { name: this.name },
        message: 'Bad address: the object was truncated below the mapped range',
      });
    }
  }
}

function toBuffer(data: Uint8Array): Buffer {
  return Buffer.isBuffer(data) ? data : Buffer.from(data.buffer, data.byteOffset, data.byteLength);
}
