/**
 * System V shared memory: create, look up, stat, change, lock and remove segments, and attach
 * them. Attached memory is only reachable through ShmAttachment, which copies bytes in and out
 * with memcpy and checks every access, so a stale or out-of-range access throws instead of
 * crashing the process.
 */
import { constants } from 'node:os';
import { ClosedHandleError, IpcError } from '../errors.js';
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
import type { ShmSegment } from '../types.js';

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
  const key = options.key ?? IPC_PRIVATE;
  const flags = IPC_CREAT | (options.exclusive ? IPC_EXCL : 0) | ((options.mode ?? 0o600) & 0o777);
  return check(libc.shmget(key, options.size, flags), 'shmget', keyRef(key));
}

/** The id of the existing segment with this key; ENOENT when there is none. */
export function getShm(key: number): number {
  return check(libc.shmget(key, 0, 0), 'shmget', { key });
}

/** shmctl(IPC_STAT): needs read permission on the segment. */
export function statShm(id: number): ShmSegment {
  return decodeShmidDs(readShmidDs(id), id);
}

/** Changes owner and permission bits (IPC_STAT, then IPC_SET of the patched record). */
export function setShm(id: number, changes: ShmChanges): void {
  const ds = readShmidDs(id);
  writeIpcPermChanges(ds, changes);
  check(libc.shmctl(id, IPC_SET, ds), 'shmctl', { id });
}

/** Marks the segment for removal; it goes away when the last process detaches (mode gains SHM_DEST). */
export function removeShm(id: number): void {
  // Removal is what bulk cleanup does most: the errno is fetched only for a failure.
  if (libc.removeIpcIdFast('shm', id) === 0) return;
  check(libc.shmctl(id, IPC_RMID), 'shmctl', { id });
}

/** Keeps the segment's pages in RAM (CAP_IPC_LOCK, or the owner within RLIMIT_MEMLOCK). */
export function lockShm(id: number): void {
  check(libc.shmctl(id, SHM_LOCK), 'shmctl', { id });
}

export function unlockShm(id: number): void {
  check(libc.shmctl(id, SHM_UNLOCK), 'shmctl', { id });
}

/** Attaches the segment to this process; detach() the result when done. */
export function attachShm(id: number, options: AttachShmOptions = {}): ShmAttachment {
  return new ShmAttachment(id, options);
}

/**
 * A segment attached to this process. The address never leaves this object: reads and writes
 * copy through memcpy, bounded by the segment's size, and fail with ClosedHandleError once
 * detached (a Buffer over the mapping would segfault, or silently hit other memory, after shmdt).
 */
export class ShmAttachment {
  readonly id: number;
  /** The segment's size in bytes (shm_segsz), the bound of every read and write. */
  readonly size: number;
  readonly readOnly: boolean;
  #address: number | undefined;

  constructor(id: number, options: AttachShmOptions = {}) {
    this.id = id;
    this.readOnly = options.readOnly === true;
    const address = check(libc.shmat(id, this.readOnly ? SHM_RDONLY : 0), 'shmat', { id });
    // Stat after attaching: an attached segment cannot be destroyed, so the size is this segment's.
    try {
      this.size = statShm(id).size;
    } catch (error) {
      libc.shmdt(address);
      throw error;
    }
    this.#address = address;
  }

  get attached(): boolean {
    return this.#address !== undefined;
  }

  /** Copies `length` bytes starting at `offset` out of the segment. */
  read(offset: number, length: number): Buffer {
    const address = this.#addressOf(offset, length);
    const target = Buffer.alloc(length);
    if (length > 0) libc.copyFromAddress(target, address);
    return target;
  }

  /** Copies `data` (a string is written as UTF-8) into the segment at `offset`. */
  write(offset: number, data: Buffer | string): void {
    const source = typeof data === 'string' ? Buffer.from(data) : data;
    const address = this.#addressOf(offset, source.length);
    // SHM_RDONLY maps the pages without PROT_WRITE: a store would be SIGSEGV, not an errno.
    if (this.readOnly) {
      throw new IpcError({ errno: constants.errno.EACCES, syscall: 'write', object: { id: this.id } });
    }
    if (source.length > 0) libc.copyToAddress(address, source);
  }

  /** Detaches (shmdt); every later use of this object throws ClosedHandleError. */
  detach(): void {
    const address = this.#attachedAddress();
    this.#address = undefined;
    check(libc.shmdt(address), 'shmdt', { id: this.id });
  }

  #attachedAddress(): number {
    if (this.#address === undefined) {
      throw new ClosedHandleError(`shared memory segment ${this.id} is detached`);
    }
    return this.#address;
  }

  /** The address of [offset, offset + length), which must lie inside the segment. */
  #addressOf(offset: number, length: number): number {
    const address = this.#attachedAddress();
    if (!Number.isSafeInteger(offset) || !Number.isSafeInteger(length) || offset < 0 || length < 0) {
      throw new RangeError(`offset and length must be non-negative integers (got ${offset}, ${length})`);
    }
    if (offset + length > this.size) {
      throw new RangeError(
        `bytes ${offset}..${offset + length} lie outside segment ${this.id} of ${this.size} bytes`,
      );
    }
    return address + offset;
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
