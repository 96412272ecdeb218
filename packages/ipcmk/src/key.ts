/**
 * System V keys for new objects: random ones (util-linux reads them from getrandom), a chosen
 * one, or ftok(3) of a file.
 */
import { closeSync, openSync, readSync } from 'node:fs';
import { ftok, IpcError, PATH_DEV_URANDOM } from '@ipcutils/core';
import type { KeySource } from './request.js';

/** How createResource picks keys: `random` draws a new one per attempt. */
export type KeyChoice = { kind: 'random' } | { kind: 'chosen'; key: number };

export interface KeyFailure {
  path: string;
  reason: string;
}

/** Resolves --key / --ftok once, before anything is created; ftok fails when the file cannot be stat'ed. */
export function resolveKey(source: KeySource): KeyChoice | KeyFailure {
  switch (source.kind) {
    case 'random':
      return { kind: 'random' };
    case 'fixed':
      return { kind: 'chosen', key: source.key };
    case 'ftok':
      try {
        return { kind: 'chosen', key: ftok(source.path, source.projectId) };
      } catch (error) {
        if (error instanceof IpcError) return { path: source.path, reason: error.reason };
        throw error;
      }
  }
}

const POOL_BYTES = 256;
let pool: Buffer | undefined;
let offset = POOL_BYTES;

/**
 * A random non-zero key_t: 0 is IPC_PRIVATE, which would create an object no one can look up.
 * /dev/urandom rather than crypto.getRandomValues, which costs ~2 ms of start-up to load.
 */
export function randomKey(): number {
  for (;;) {
    if (pool === undefined || offset >= POOL_BYTES) {
      pool = readRandomBytes(POOL_BYTES);
      offset = 0;
    }
    const key = pool.readInt32LE(offset);
    offset += 4;
    if (key !== 0) return key;
  }
}

function readRandomBytes(length: number): Buffer {
  const buffer = Buffer.alloc(length);
  try {
    const fd = openSync(PATH_DEV_URANDOM, 'r');
    try {
      readSync(fd, buffer, 0, length, null);
    } finally {
      closeSync(fd);
    }
  } catch {
    // No /dev/urandom (a minimal chroot): keys need to be unpredictable only enough to rarely collide.
    for (let i = 0; i < length; i++) buffer[i] = Math.floor(Math.random() * 256);
  }
  return buffer;
}
