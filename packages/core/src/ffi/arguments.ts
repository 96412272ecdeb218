/**
 * Every number handed to libc is checked against its C type here, before any call: ffi-rs
 * converts a JS number to an int by wrapping it (2**32 + 1 becomes 1, NaN becomes 0, 1.7
 * becomes 1), which would silently act on another object. A wrong type is a TypeError naming
 * the argument, a number out of range a RangeError; nothing is called either way.
 */
import { nameToBytes } from '../names.js';

/** The value as a number, or a TypeError naming the argument. */
function numberArgument(value: unknown, name: string): number {
  if (typeof value !== 'number') {
    throw new TypeError(`${name} must be a number (got ${describe(value)})`);
  }
  return value;
}

/** An integer in [min, max]. */
export function integerIn(value: unknown, name: string, min: number, max: number): number {
  const number = numberArgument(value, name);
  if (!Number.isInteger(number) || number < min || number > max) {
    throw new RangeError(`${name} must be an integer from ${min} to ${max} (got ${number})`);
  }
  return number;
}

const INT32_MAX = 0x7fffffff;

/** C int. */
export const int32 = (value: unknown, name: string): number => integerIn(value, name, -0x80000000, INT32_MAX);
/** C unsigned int. */
export const uint32 = (value: unknown, name: string): number => integerIn(value, name, 0, 0xffffffff);
/** C unsigned short (sem_num, a semaphore value in SETALL). */
export const uint16 = (value: unknown, name: string): number => integerIn(value, name, 0, 0xffff);
/** C short (sem_op). */
export const int16 = (value: unknown, name: string): number => integerIn(value, name, -0x8000, 0x7fff);
/** size_t, off_t and friends: what a JS number holds exactly. */
export const size = (value: unknown, name: string): number =>
  integerIn(value, name, 0, Number.MAX_SAFE_INTEGER);
/** C long (a message type): what a JS number holds exactly. */
export const long = (value: unknown, name: string): number =>
  integerIn(value, name, Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER);
/** A System V id: an int the kernel never makes negative. */
export const ipcId = (value: unknown, name = 'id'): number => integerIn(value, name, 0, INT32_MAX);
/** A descriptor. */
export const fd = (value: unknown, name = 'fd'): number => integerIn(value, name, 0, INT32_MAX);

/**
 * A key_t (an int): keys are written in hex as unsigned (0xdeadbeef), so [2**31, 2**32) is taken
 * as the same 32 bits, as ipcs prints them; anything else out of range is refused.
 */
export function ipcKey(value: unknown, name = 'key'): number {
  return integerIn(value, name, -0x80000000, 0xffffffff) | 0;
}

/** Permission bits: 0..0o777 (System V keeps nine bits) or 0..0o7777 (files). */
export function mode(value: unknown, name = 'mode', max = 0o777): number {
  return integerIn(value, name, 0, max);
}

/** The owner and mode changes of an IPC_SET, checked: uid and gid are uid_t/gid_t, mode 0..0o7777 (nine bits kept). */
export function permChanges<T extends { uid?: number; gid?: number; mode?: number }>(changes: T): T {
  if (typeof changes !== 'object' || changes === null) {
    throw new TypeError(`changes must be an object (got ${describe(changes)})`);
  }
  if (changes.uid !== undefined) uint32(changes.uid, 'uid');
  if (changes.gid !== undefined) uint32(changes.gid, 'gid');
  if (changes.mode !== undefined) mode(changes.mode, 'mode', 0o7777);
  return changes;
}

/** An optional boolean option. */
export function flag(value: unknown, name: string): boolean {
  if (value === undefined || typeof value === 'boolean') return value === true;
  throw new TypeError(`${name} must be a boolean (got ${describe(value)})`);
}

/** A name or path argument. */
export function text(value: unknown, name: string): string {
  if (typeof value === 'string') return value;
  throw new TypeError(`${name} must be a string (got ${describe(value)})`);
}

/**
 * Data to send or write: a string (as UTF-8, a byte that is not UTF-8 kept as that byte, see
 * names.ts: an argument's bytes) or any ArrayBufferView (a Buffer, a typed array of any element
 * size, a DataView), taken as its bytes (byteLength of them), without copying.
 */
export function bytes(value: unknown, name = 'data'): Buffer {
  if (typeof value === 'string') return nameToBytes(value);
  if (Buffer.isBuffer(value)) return value;
  if (ArrayBuffer.isView(value)) return Buffer.from(value.buffer, value.byteOffset, value.byteLength);
  throw new TypeError(`${name} must be a string or an ArrayBufferView (got ${describe(value)})`);
}

/** A caller's buffer to read into, as a Buffer over the same memory. */
export function target(value: unknown, name = 'buffer'): Buffer {
  if (Buffer.isBuffer(value)) return value;
  if (ArrayBuffer.isView(value)) return Buffer.from(value.buffer, value.byteOffset, value.byteLength);
  throw new TypeError(`${name} must be an ArrayBufferView (got ${describe(value)})`);
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (typeof value === 'string') return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value);
  if (typeof value === 'object') return value.constructor?.name ?? 'object';
  if (typeof value === 'bigint') return `${value}n`;
  return typeof value === 'number' ? String(value) : typeof value;
}
