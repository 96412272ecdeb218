/**
 * System V semaphore sets: create, look up, stat, change and remove sets, read and set values,
 * and semop. A semop that may wait runs on the libuv threadpool so the event loop keeps going.
 */
import { check } from '../ffi/call.js';
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
import {
  decodeSemidDs,
  type IpcPermChanges,
  SEMBUF,
  SEMID_DS,
  timeoutOf,
  writeIpcPermChanges,
} from '../ffi/layout.js';
import * as libc from '../ffi/libc.js';
import type { SemElement, SemSet } from '../types.js';

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

export interface SemopOptions {
  /** Give up with EAGAIN after this many milliseconds of waiting (semtimedop's relative timeout). */
  timeoutMs?: number;
}

/** Creates a set (or opens the existing one with that key) and returns its id. */
export function createSemSet(options: CreateSemSetOptions): number {
  const key = options.key ?? IPC_PRIVATE;
  const flags = IPC_CREAT | (options.exclusive ? IPC_EXCL : 0) | ((options.mode ?? 0o600) & 0o777);
  return check(libc.semget(key, options.nsems, flags), 'semget', keyRef(key));
}

/** The id of the existing set with this key; ENOENT when there is none. */
export function getSemSet(key: number): number {
  return check(libc.semget(key, 0, 0), 'semget', { key });
}

export function statSemSet(id: number): SemSet {
  return decodeSemidDs(readSemidDs(id), id);
}

/** Changes owner and permission bits (IPC_STAT, then IPC_SET of the patched record). */
export function setSemSet(id: number, changes: SemSetChanges): void {
  const ds = readSemidDs(id);
  writeIpcPermChanges(ds, changes);
  check(libc.semctl(id, 0, IPC_SET, ds), 'semctl', { id });
}

/** Removes the set at once; processes waiting in semop wake with EIDRM. */
export function removeSemSet(id: number): void {
  // Removal is what bulk cleanup does most: the errno is fetched only for a failure.
  if (libc.removeIpcIdFast('sem', id) === 0) return;
  check(libc.semctl(id, 0, IPC_RMID), 'semctl', { id });
}

export function getSemValue(id: number, num: number): number {
  return check(libc.semctl(id, num, GETVAL), 'semctl', { id });
}

/** SETVAL: 0..SEMVMX (32767, else ERANGE); clears every process's undo entry for this semaphore. */
export function setSemValue(id: number, num: number, value: number): void {
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
 * Performs `ops` atomically (all or none). When any op may wait, the call runs on a libuv
 * threadpool thread (4 by default, shared with fs and dns): it holds that thread until the ops
 * succeed, `timeoutMs` passes (EAGAIN), or the set is removed (EIDRM); a signal cannot cut it
 * short. When every op has `nowait`, it runs synchronously and fails at once with EAGAIN.
 */
export async function semop(
  id: number,
  ops: readonly SemOperation[],
  options: SemopOptions = {},
): Promise<void> {
  const sops = encodeSembufs(ops, false);
  if (ops.every((op) => op.flags?.nowait)) {
    check(libc.semtimedop(id, sops, ops.length), 'semtimedop', { id });
    return;
  }
  const timeout = options.timeoutMs === undefined ? undefined : timeoutOf(checkTimeout(options.timeoutMs));
  const raw = await libc.semtimedopInThread(id, sops, ops.length, timeout);
  check(raw, 'semtimedop', { id });
}

/**
 * semop on the calling thread with IPC_NOWAIT added to every op, so it never blocks: where
 * `semop` would wait, this fails with EAGAIN.
 */
export function semopSync(id: number, ops: readonly SemOperation[]): void {
  check(libc.semtimedop(id, encodeSembufs(ops, true), ops.length), 'semtimedop', { id });
}

function encodeSembufs(ops: readonly SemOperation[], forceNowait: boolean): Buffer {
  // nsops 0 is EINVAL in the kernel; one spare byte keeps ffi-rs from seeing an empty array.
  const sops = Buffer.alloc(Math.max(ops.length * SEMBUF.size, 1));
  ops.forEach((op, n) => {
    const base = n * SEMBUF.size;
    const nowait = forceNowait || op.flags?.nowait === true;
    const flags = (op.flags?.undo ? SEM_UNDO : 0) | (nowait ? IPC_NOWAIT : 0);
    sops.writeUInt16LE(op.num, base + SEMBUF.num);
    sops.writeInt16LE(op.op, base + SEMBUF.op);
    sops.writeInt16LE(flags, base + SEMBUF.flg);
  });
  return sops;
}

function checkTimeout(ms: number): number {
  if (!Number.isFinite(ms) || ms < 0) throw new RangeError(`timeoutMs must be >= 0 (got ${ms})`);
  return ms;
}

function readSemidDs(id: number): Buffer {
  const ds = Buffer.alloc(SEMID_DS.size);
  check(libc.semctl(id, 0, IPC_STAT, ds), 'semctl', { id });
  return ds;
}

function keyRef(key: number): { key: number } | undefined {
  return key === IPC_PRIVATE ? undefined : { key };
}
