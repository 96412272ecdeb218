/**
 * System V shared memory: create, look up, stat, change, lock and remove segments, and attach
 * them. Attached memory is only reachable through ShmAttachment, which checks every access, so a
 * stale or out-of-range access throws instead of crashing the process.
 */
import { constants } from 'node:os';
import { ClosedHandleError, IpcError } from '../errors.js';
import * as args from '../ffi/arguments.js';
import { check } from '../ffi/call.js';
import {
  IPC_CREAT,
  IPC_EXCL,
  IPC_PRIVATE,
  IPC_RMID,
  IPC_SET,
  IPC_STAT,
  SHM_LOCK,
  SHM_RDONLY,
  SHM_UNLOCK,
} from '../ffi/constants.js';
import { decodeShmidDs, type IpcPermChanges, SHMID_DS, writeIpcPermChanges } from '../ffi/layout.js';
import * as libc from '../ffi/libc.js';
import { externalBuffer } from '../ffi/native.js';
import type { ShmSegment } from '../types.js';
import { SysvHandle } from './handle.js';

export interface CreateShmOptions {
  /** Size in bytes; the kernel rounds the mapping up to whole pages but records this size. */
  size: number;
  /** Default IPC_PRIVATE (0): a new segment no other process can look up by key. */
  key?: number;
  /** Permission bits, default 0o600. */
  mode?: number;
  /** Fail with EEXIST when a segment with this key exists (IPC_EXCL). */
  exclusive?: boolean;
}

/** The fields IPC_SET may change. */
export type ShmChanges = IpcPermChanges;

export interface AttachShmOptions {
  /** Attach with SHM_RDONLY: needs only read permission, and writes through it are refused. */
  readOnly?: boolean;
}

/** Creates a segment (or opens the existing one with that key) and returns its id. */
export function createShm(options: CreateShmOptions): number {
  const key = args.ipcKey(options.key ?? IPC_PRIVATE);
  // size_t: the kernel refuses what exceeds shmmax (EINVAL), as util-linux lets it.
  const size = args.integerIn(options.size, 'size', 0, 2 ** 63);
  const flags =
    IPC_CREAT |
    (args.flag(options.exclusive, 'exclusive') ? IPC_EXCL : 0) |
    (args.mode(options.mode ?? 0o600, 'mode', 0o7777) & 0o777);
  return check(libc.shmget(key, size, flags), 'shmget', keyRef(key));
}

/** The id of the existing segment with this key; ENOENT when there is none. */
export function getShm(key: number): number {
  const checked = args.ipcKey(key);
  return check(libc.shmget(checked, 0, 0), 'shmget', { key: checked });
}

/** shmctl(IPC_STAT): needs read permission on the segment. */
export function statShm(id: number): ShmSegment {
  return decodeShmidDs(readShmidDs(args.ipcId(id)), id);
}

/** Changes owner and permission bits (IPC_STAT, then IPC_SET of the patched record). */
export function setShm(id: number, changes: ShmChanges): void {
  args.permChanges(changes);
  const ds = readShmidDs(args.ipcId(id));
  writeIpcPermChanges(ds, changes);
  check(libc.shmctl(id, IPC_SET, ds), 'shmctl', { id });
}

/** Marks the segment for removal; it goes away when the last process detaches (mode gains SHM_DEST). */
export function removeShm(id: number): void {
  args.ipcId(id);
  // Removal is what bulk cleanup does most: the errno is fetched only for a failure.
  if (libc.removeIpcIdFast('shm', id) === 0) return;
  check(libc.shmctl(id, IPC_RMID), 'shmctl', { id });
}

/** Keeps the segment's pages in RAM (CAP_IPC_LOCK, or the owner within RLIMIT_MEMLOCK). */
export function lockShm(id: number): void {
  check(libc.shmctl(args.ipcId(id), SHM_LOCK), 'shmctl', { id });
}

export function unlockShm(id: number): void {
  check(libc.shmctl(args.ipcId(id), SHM_UNLOCK), 'shmctl', { id });
}

/** Attaches the segment to this process; detach() the result when done. */
export function attachShm(id: number, options: AttachShmOptions = {}): ShmAttachment {
  return new ShmAttachment(id, options);
}

/**
 * A System V segment as an object (Python sysv_ipc's SharedMemory, without the implicit attach).
 * The handle holds no kernel resource: close() and Symbol.dispose only make later use throw
 * ClosedHandleError; attachments live on until detached.
 */
export class SysvSharedMemory extends SysvHandle {
  /** Creates a segment (or opens the one with that key). */
  static create(options: CreateShmOptions): SysvSharedMemory {
    return new SysvSharedMemory(createShm(options));
  }

  /** The existing segment with this key. */
  static open(key: number): SysvSharedMemory {
    return new SysvSharedMemory(getShm(key));
  }

  constructor(id: number) {
    super(id, 'shared memory segment');
  }

  attach(options?: AttachShmOptions): ShmAttachment {
    return attachShm(this.open(), options);
  }

  stat(): ShmSegment {
    return statShm(this.open());
  }

  set(changes: ShmChanges): void {
    setShm(this.open(), changes);
  }

  /** IPC_RMID (the segment goes once the last process detaches), then closes the handle. */
  remove(): void {
    this.removeWith(removeShm);
  }
}

/**
 * A Buffer is at most 4 GiB (buffer.constants.MAX_LENGTH on Node 20) and a segment may be far
 * larger: an attachment reaches its memory through Buffers over 1 GiB windows of it.
 */
const WINDOW = 2 ** 30;

/**
 * A segment attached to this process. The memory is reached only through this object's methods,
 * bounded by the segment's size (a System V segment never shrinks while attached), and not at all
 * once detached: the Buffer over the mapping never leaves the object (one kept after shmdt would
 * segfault, or silently hit whatever is mapped there next). Symbol.dispose detaches.
 */
export class ShmAttachment implements Disposable, AsyncDisposable {
  readonly id: number;
  /** The segment's size in bytes (shm_segsz), the bound of every read and write. */
  readonly size: number;
  readonly readOnly: boolean;
  #address: number | undefined;
  /** Buffers over consecutive WINDOW-byte ranges of the segment, made on first use. */
  #windows: (Buffer | undefined)[] | undefined;

  constructor(id: number, options: AttachShmOptions = {}) {
    this.id = args.ipcId(id);
    this.readOnly = args.flag(options.readOnly, 'readOnly');
    const address = check(libc.shmat(id, this.readOnly ? SHM_RDONLY : 0), 'shmat', { id });
    // Stat after attaching: an attached segment cannot be destroyed, so the size is this segment's.
    try {
      this.size = statShm(id).size;
      this.#windows = new Array(Math.ceil(this.size / WINDOW)).fill(undefined);
      this.#address = address;
      if (this.size > 0) this.#window(0);
    } catch (error) {
      this.#address = undefined;
      this.#windows = undefined;
      libc.shmdt(address);
      throw error;
    }
  }

  get attached(): boolean {
    return this.#address !== undefined;
  }

  /** Copies `length` bytes starting at `offset` out of the segment. */
  read(offset: number, length: number): Buffer {
    this.#range(offset, length);
    const out = Buffer.allocUnsafe(length);
    this.#each(offset, length, (window, start, count, done) => window.copy(out, done, start, start + count));
    return out;
  }

  /**
   * Copies bytes starting at `offset` into the caller's `target` (no allocation): `length`
   * bytes, default target.byteLength. Returns the number copied.
   */
  readInto(offset: number, target: ArrayBufferView, length?: number): number {
    const into = args.target(target, 'target');
    const count = length === undefined ? into.length : args.integerIn(length, 'length', 0, into.length);
    this.#range(offset, count);
    this.#each(offset, count, (window, start, part, done) => window.copy(into, done, start, start + part));
    return count;
  }

  /** Copies `data` (a string as UTF-8, any ArrayBufferView as its bytes) into the segment at `offset`. */
  write(offset: number, data: ArrayBufferView | string): void {
    const source = args.bytes(data);
    this.#range(offset, source.length);
    // SHM_RDONLY maps the pages without PROT_WRITE: a store would be SIGSEGV, not an errno.
    if (this.readOnly) {
      throw new IpcError({ errno: constants.errno.EACCES, syscall: 'write', object: { id: this.id } });
    }
    this.#each(offset, source.length, (window, start, count, done) =>
      source.copy(window, start, done, done + count),
    );
  }

  /** Detaches (shmdt); every later use of this object throws ClosedHandleError. */
  detach(): void {
    const address = this.#attachedAddress();
    this.#address = undefined;
    this.#windows = undefined;
    check(libc.shmdt(address), 'shmdt', { id: this.id });
  }

  [Symbol.dispose](): void {
    if (this.attached) this.detach();
  }

  /** The same as Symbol.dispose, for `await using`. */
  async [Symbol.asyncDispose](): Promise<void> {
    this[Symbol.dispose]();
  }

  #attachedAddress(): number {
    if (this.#address === undefined) {
      throw new ClosedHandleError(`shared memory segment ${this.id} is detached`);
    }
    return this.#address;
  }

  /** Checks that the segment is attached and [offset, offset + length) lies inside it. */
  #range(offset: number, length: number): void {
    this.#attachedAddress();
    args.size(offset, 'offset');
    args.size(length, 'length');
    if (offset + length > this.size) {
      throw new RangeError(
        `bytes ${offset}..${offset + length} lie outside segment ${this.id} of ${this.size} bytes`,
      );
    }
  }

  /** Calls `copy` for each window [offset, offset + length) overlaps: where in it, how many bytes, how many before. */
  #each(
    offset: number,
    length: number,
    copy: (window: Buffer, start: number, count: number, done: number) => void,
  ): void {
    for (let done = 0; done < length; ) {
      const at = offset + done;
      const index = Math.floor(at / WINDOW);
      const start = at - index * WINDOW;
      const window = this.#window(index);
      const count = Math.min(length - done, window.length - start);
      copy(window, start, count, done);
      done += count;
    }
  }

  /** The Buffer over window `index`, made once. */
  #window(index: number): Buffer {
    const windows = this.#windows as (Buffer | undefined)[];
    let window = windows[index];
    if (window === undefined) {
      const start = index * WINDOW;
      const address = (this.#address as number) + start;
      window = externalBuffer(libc.pointerTo(address), Math.min(WINDOW, this.size - start));
      windows[index] = window;
    }
    return window;
  }
}

function readShmidDs(id: number): Buffer {
  const ds = Buffer.alloc(SHMID_DS.size);
  check(libc.shmctl(id, IPC_STAT, ds), 'shmctl', { id });
  return ds;
}

/** IPC_PRIVATE names no object, so an error about it names none either. */
function keyRef(key: number): { key: number } | undefined {
  return key === IPC_PRIVATE ? undefined : { key };
}
