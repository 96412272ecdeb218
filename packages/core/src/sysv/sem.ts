/**
 * System V semaphore sets: create, look up, stat, change and remove sets, read and set values,
 * and semop. A semop that may wait runs on the libuv threadpool so the event loop keeps going.
 */
import { constants } from 'node:os';
import * as args from '../ffi/arguments.js';
import { check, errorFrom, removedWhileWaiting } from '../ffi/call.js';
import {
  GETALL,
  GETNCNT,
  GETPID,
  GETVAL,
  GETZCNT,
  IPC_CREAT,
  IPC_EXCL,
  IPC_NOWAIT,
  IPC_PRIVATE,
  IPC_RMID,
  IPC_SET,
  IPC_STAT,
  SEM_UNDO,
  SETALL,
  SETVAL,
} from '../ffi/constants.js';
import { decodeSemidDs, type IpcPermChanges, SEMBUF, SEMID_DS, writeIpcPermChanges } from '../ffi/layout.js';
import * as libc from '../ffi/libc.js';
import type { SemElement, SemSet } from '../types.js';
import { type WaitOptions, WOULD_BLOCK, waitFor, wakeWaiters } from '../wait.js';
import { SysvHandle } from './handle.js';

const { EAGAIN, EINTR } = constants.errno;

export interface CreateSemSetOptions {
  /** Number of semaphores, 1..SEMMSL; all start at 0. */
  nsems: number;
  /** Default IPC_PRIVATE (0). */
  key?: number;
  /** Permission bits, default 0o600 (semaphores use only read and "alter" = write). */
  mode?: number;
  /** Fail with EEXIST when a set with this key exists (IPC_EXCL). */
  exclusive?: boolean;
}

export type SemSetChanges = IpcPermChanges;

/** One struct sembuf. */
export interface SemOperation {
  /** Index of the semaphore in the set. */
  num: number;
  /** > 0 adds, < 0 waits until the value can be decreased by |op|, 0 waits until the value is 0. */
  op: number;
  flags?: {
    /** SEM_UNDO: the kernel reverts the operation when this process exits. */
    undo?: boolean;
    /** IPC_NOWAIT: fail with EAGAIN instead of waiting. */
    nowait?: boolean;
  };
}

/** `timeout` (ms) and `signal` bound the wait (see src/wait.ts). */
export type SemopOptions = WaitOptions;

/** Creates a set (or opens the existing one with that key) and returns its id. */
export function createSemSet(options: CreateSemSetOptions): number {
  const key = args.ipcKey(options.key ?? IPC_PRIVATE);
  const nsems = args.int32(options.nsems, 'nsems');
  const flags =
    IPC_CREAT |
    (args.flag(options.exclusive, 'exclusive') ? IPC_EXCL : 0) |
    (args.mode(options.mode ?? 0o600, 'mode', 0o7777) & 0o777);
  return check(libc.semget(key, nsems, flags), 'semget', keyRef(key));
}

/** The id of the existing set with this key; ENOENT when there is none. */
export function getSemSet(key: number): number {
  const checked = args.ipcKey(key);
  return check(libc.semget(checked, 0, 0), 'semget', { key: checked });
}

export function statSemSet(id: number): SemSet {
  return decodeSemidDs(readSemidDs(args.ipcId(id)), id);
}

/** Changes owner and permission bits (IPC_STAT, then IPC_SET of the patched record). */
export function setSemSet(id: number, changes: SemSetChanges): void {
  args.ipcId(id);
  args.permChanges(changes);
  const ds = readSemidDs(id);
  writeIpcPermChanges(ds, changes);
  check(libc.semctl(id, 0, IPC_SET, ds), 'semctl', { id });
}

/** Removes the set at once; processes waiting in semop wake with EIDRM. */
export function removeSemSet(id: number): void {
  args.ipcId(id);
  // Removal is what bulk cleanup does most: the errno is fetched only for a failure.
  if (libc.removeIpcIdFast('sem', id) === 0) return;
  check(libc.semctl(id, 0, IPC_RMID), 'semctl', { id });
}

export function getSemValue(id: number, num: number): number {
  args.ipcId(id);
  semnum(num);
  return check(libc.semctl(id, num, GETVAL), 'semctl', { id });
}

/** SETVAL: 0..SEMVMX (32767, else ERANGE); clears every process's undo entry for this semaphore. */
export function setSemValue(id: number, num: number, value: number): void {
  args.ipcId(id);
  semnum(num);
  args.int32(value, 'value');
  check(libc.semctl(id, num, SETVAL, value), 'semctl', { id });
}

/** GETALL: every value of the set, in order. */
export function getAllSemValues(id: number): number[] {
  const values = Buffer.alloc(statSemSet(id).nsems * 2);
  check(libc.semctl(id, 0, GETALL, values), 'semctl', { id });
  return Array.from({ length: values.length / 2 }, (_, n) => values.readUInt16LE(n * 2));
}

/** SETALL: one value per semaphore; the kernel reads exactly nsems unsigned shorts. */
export function setAllSemValues(id: number, values: readonly number[]): void {
  if (!Array.isArray(values)) throw new TypeError('values must be an array of numbers');
  for (const [n, value] of values.entries()) args.uint16(value, `values[${n}]`);
  const { nsems } = statSemSet(id);
  if (values.length !== nsems) {
    throw new RangeError(`semaphore set ${id} has ${nsems} semaphores, got ${values.length} values`);
  }
  const buffer = Buffer.alloc(nsems * 2);
  values.forEach((value, n) => {
    buffer.writeUInt16LE(value, n * 2);
  });
  check(libc.semctl(id, 0, SETALL, buffer), 'semctl', { id });
}

/** semctl's semnum: an int, never negative. */
function semnum(num: number): number {
  return args.integerIn(num, 'num', 0, 0x7fffffff);
}

/** Value, waiter counts and last pid of each semaphore, as `ipcs -s -i` prints them. */
export function getSemElements(id: number): SemElement[] {
  const { nsems } = statSemSet(id);
  const get = (num: number, cmd: number) => check(libc.semctl(id, num, cmd), 'semctl', { id });
  return Array.from({ length: nsems }, (_, num) => ({
    semval: get(num, GETVAL),
    ncount: get(num, GETNCNT),
    zcount: get(num, GETZCNT),
    pid: get(num, GETPID),
  }));
}

/**
 * Performs `ops` atomically (all or none). When they cannot proceed now it waits (see
 * src/wait.ts, never in a threadpool thread) until they succeed, the set is removed (EIDRM),
 * `timeout` runs out (IpcTimeoutError, code ETIMEDOUT) or `signal` fires (nothing is applied then).
 * When every op has `nowait`, it fails at once with EAGAIN instead of waiting.
 */
export function semop(id: number, ops: readonly SemOperation[], options: SemopOptions = {}): Promise<void> {
  try {
    args.ipcId(id);
    const sops = encodeSembufs(ops);
    const waits = !ops.every((op) => op.flags?.nowait);
    return waitFor((retry) => tryOps(id, sops, ops.length, waits, retry), options, {
      syscall: 'semtimedop',
      object: { id },
    });
  } catch (error) {
    return Promise.reject(error);
  }
}

/**
 * semop on the calling thread with IPC_NOWAIT added to every op, so it never blocks: where
 * `semop` would wait, this fails with EAGAIN.
 */
export function semopSync(id: number, ops: readonly SemOperation[]): void {
  args.ipcId(id);
  tryOps(id, encodeSembufs(ops, syncSops), ops.length, false);
}

/**
 * A System V semaphore set as an object (Python sysv_ipc's Semaphore, for a whole set). The
 * handle holds no kernel resource: close() and Symbol.dispose only make later use throw
 * ClosedHandleError; remove() deletes the set.
 */
export class SysvSemaphoreSet extends SysvHandle {
  /** Creates a set (or opens the one with that key). */
  static create(options: CreateSemSetOptions): SysvSemaphoreSet {
    return new SysvSemaphoreSet(createSemSet(options));
  }

  /** The existing set with this key. */
  static open(key: number): SysvSemaphoreSet {
    return new SysvSemaphoreSet(getSemSet(key));
  }

  constructor(id: number) {
    super(id, 'semaphore set');
  }

  op(ops: readonly SemOperation[], options?: SemopOptions): Promise<void> {
    return semop(this.open(), ops, options);
  }

  opSync(ops: readonly SemOperation[]): void {
    semopSync(this.open(), ops);
  }

  getValue(num: number): number {
    return getSemValue(this.open(), num);
  }

  setValue(num: number, value: number): void {
    setSemValue(this.open(), num, value);
  }

  values(): number[] {
    return getAllSemValues(this.open());
  }

  setValues(values: readonly number[]): void {
    setAllSemValues(this.open(), values);
  }

  stat(): SemSet {
    return statSemSet(this.open());
  }

  set(changes: SemSetChanges): void {
    setSemSet(this.open(), changes);
  }

  /** IPC_RMID (waiters in any process wake with EIDRM), then closes the handle. */
  remove(): void {
    this.removeWith(removeSemSet);
  }
}

/** The sembufs handed to the kernel, in C memory (see libc.nativeBuffer): copied in per attempt. */
let nativeSops: libc.NativeBuffer | undefined;

function tryOps(
  id: number,
  sops: Buffer,
  nsops: number,
  waits: boolean,
  retry = false,
): undefined | typeof WOULD_BLOCK {
  if (nativeSops === undefined || nativeSops.view.length < sops.length) {
    const old = nativeSops;
    nativeSops = libc.nativeBuffer(Math.max(sops.length, 64 * SEMBUF.size));
    if (old !== undefined) libc.freeNativeBuffer(old);
  }
  sops.copy(nativeSops.view, 0, 0, nsops * SEMBUF.size);
  for (;;) {
    const raw = libc.semtimedopAt(id, nativeSops.address, nsops);
    if (raw.value !== -1) {
      // Any change may be what another wait needs: a value raised, or brought to 0.
      wakeWaiters();
      return;
    }
    if (raw.errnoCode === EINTR) continue;
    if (raw.errnoCode === EAGAIN && waits) return WOULD_BLOCK;
    throw errorFrom(removedWhileWaiting(raw, retry), 'semtimedop', { id });
  }
}

/** The sembufs of synchronous semops, reused (the kernel copies them in). */
const syncSops: { buffer: Buffer } = { buffer: Buffer.alloc(8 * SEMBUF.size) };

/** struct sembuf[] with IPC_NOWAIT in every op (waiting is src/wait.ts's), checked against the C types. */
function encodeSembufs(ops: readonly SemOperation[], reuse?: { buffer: Buffer }): Buffer {
  if (!Array.isArray(ops)) throw new TypeError('ops must be an array of { num, op, flags? }');
  // nsops 0 is EINVAL in the kernel; one spare byte keeps ffi-rs from seeing an empty array.
  const length = Math.max(ops.length * SEMBUF.size, 1);
  let sops: Buffer;
  if (reuse === undefined) {
    sops = Buffer.alloc(length);
  } else {
    if (reuse.buffer.length < length) reuse.buffer = Buffer.alloc(length);
    sops = reuse.buffer;
  }
  for (let n = 0; n < ops.length; n++) {
    const op = ops[n] as SemOperation;
    if (typeof op !== 'object' || op === null) {
      throw new TypeError(
        `ops[${n}] must be an object { num, op, flags? } (got ${op === null ? 'null' : typeof op})`,
      );
    }
    const base = n * SEMBUF.size;
    const flags = (args.flag(op.flags?.undo, `ops[${n}].flags.undo`) ? SEM_UNDO : 0) | IPC_NOWAIT;
    // Read by semop to decide whether it may wait: a string 'false' must not mean true.
    args.flag(op.flags?.nowait, `ops[${n}].flags.nowait`);
    sops.writeUInt16LE(args.uint16(op.num, `ops[${n}].num`), base + SEMBUF.num);
    sops.writeInt16LE(args.int16(op.op, `ops[${n}].op`), base + SEMBUF.op);
    sops.writeInt16LE(flags, base + SEMBUF.flg);
  }
  return sops;
}

function readSemidDs(id: number): Buffer {
  const ds = Buffer.alloc(SEMID_DS.size);
  check(libc.semctl(id, 0, IPC_STAT, ds), 'semctl', { id });
  return ds;
}

function keyRef(key: number): { key: number } | undefined {
  return key === IPC_PRIVATE ? undefined : { key };
}
