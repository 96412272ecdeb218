/**
 * Command-line values, parsed once into typed values and range-checked against their kernel
 * types; every failure is a UsageError naming the bad value.
 */
import { ParseError, parseOctalMode, parseUlongKey } from '@ipcutils/cli';
import { nameToBytes } from '@ipcutils/core';
import { UsageError } from './result.js';

/** A System V id: what ipcs prints, a non-negative int. */
export function parseId(text: string): number {
  return parseInteger(text, 'id', 0, 0x7fff_ffff);
}

/** A key as ipcs prints it (0x…), or decimal/octal; truncated to key_t as util-linux's ipcrm does. */
export function parseKey(text: string): number {
  try {
    return parseUlongKey(text);
  } catch (error) {
    if (error instanceof ParseError) throw new UsageError(error.messageFor('invalid key'));
    throw error;
  }
}

/** Octal permission bits, at most 0777 (IPC_SET keeps only the low nine). */
export function parseMode(text: string): number {
  try {
    return parseOctalMode(text, 0o777);
  } catch (error) {
    if (error instanceof ParseError) throw new UsageError(error.messageFor('invalid mode'));
    throw error;
  }
}

/** A decimal integer within [min, max], named in the message (`invalid semnum: 'x'`). */
export function parseInteger(text: string, what: string, min: number, max: number): number {
  if (!/^[+-]?[0-9]+$/.test(text)) throw new UsageError(`invalid ${what}: '${text}'`);
  const value = Number(text);
  if (!Number.isSafeInteger(value) || value < min || value > max) {
    throw new UsageError(`${what} out of range (${min}..${max}): '${text}'`);
  }
  return value;
}

/** `on` or `off`, for the option named `what` (`invalid --nonblock value (on|off): 'maybe'`). */
export function parseSwitch(text: string, what: string): boolean {
  if (text === 'on') return true;
  if (text === 'off') return false;
  throw new UsageError(`invalid ${what} value (on|off): '${text}'`);
}

/** A System V semaphore value: SETVAL and semop results lie in 0..SEMVMX. */
export const SEMVMX = 32767;
/** sem_num is an unsigned short; a set has at most SEMMSL (<= 32000) semaphores. */
const SEMNUM_MAX = 0xffff;

export function parseSemnum(text: string): number {
  return parseInteger(text, 'semnum', 0, SEMNUM_MAX);
}

export interface SemOp {
  num: number;
  op: number;
}

/** `SEMNUM:OP[,SEMNUM:OP…]`: sem_op is a short, -32768..32767. */
export function parseSemOps(text: string): SemOp[] {
  return text.split(',').map((part) => {
    const match = /^([^:]*):(.*)$/.exec(part);
    if (!match) throw new UsageError(`invalid operation (SEMNUM:OP): '${part}'`);
    return { num: parseSemnum(match[1]!), op: parseInteger(match[2]!, 'sem_op', -32768, 32767) };
  });
}

/** The longest wait setTimeout and the kernel's timespec handle alike here: 2^31 - 1 ms (~24.8 days). */
const MAX_TIMEOUT_MS = 0x7fff_ffff;
const UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, '': 1000 };

/** A duration for --timeout: `1.5`, `2s`, `500ms`, `1m`, `1h` (a bare number is seconds, as timeout(1)). */
export function parseDuration(text: string): number {
  const match = /^([0-9]+(?:\.[0-9]*)?|\.[0-9]+)(ms|s|m|h)?$/.exec(text);
  if (!match) throw new UsageError(`invalid duration: '${text}'`);
  const ms = Number(match[1]) * UNITS[match[2] ?? '']!;
  if (!(ms <= MAX_TIMEOUT_MS)) throw new UsageError(`duration out of range (at most 24d): '${text}'`);
  return Math.ceil(ms);
}

/** A POSIX object: `/NAME`, one component of at most NAME_MAX (255) bytes. */
export function parsePosixName(text: string): string {
  const bytes = nameToBytes(text).length;
  // glibc refuses "/." and "/.." (EINVAL): they name the directory, not an object in it.
  const bare = text.slice(1);
  if (
    !text.startsWith('/') ||
    bare === '' ||
    bare === '.' ||
    bare === '..' ||
    bare.includes('/') ||
    text.includes('\0')
  ) {
    throw new UsageError(`invalid POSIX name (/NAME): '${text}'`);
  }
  if (bytes - 1 > 255) throw new UsageError(`POSIX name longer than 255 bytes: '${text}'`);
  return text;
}
