/**
 * Our auxiliary vector (/proc/self/auxv): what getauxval() and so getpagesize() and
 * sysconf(_SC_CLK_TCK) read, without native code. Pairs of 64-bit little-endian words (type,
 * value) up to AT_NULL, on the LP64 little-endian targets we support (x86_64, aarch64).
 */
import { readFileSync } from 'node:fs';
import { PATH_PROC } from '../paths.js';

// Entry types from <elf.h>.
const AT_NULL = 0n;
const AT_PAGESZ = 6n;
const AT_CLKTCK = 17n;

/** One entry's value, or undefined when the vector lacks it or cannot be read. */
export function readAuxvEntry(type: bigint, path = `${PATH_PROC}/self/auxv`): number | undefined {
  let auxv: Buffer;
  try {
    auxv = readFileSync(path);
  } catch {
    return undefined;
  }
  for (let offset = 0; offset + 16 <= auxv.length; offset += 16) {
    const entry = auxv.readBigUInt64LE(offset);
    if (entry === type) return Number(auxv.readBigUInt64LE(offset + 8));
    if (entry === AT_NULL) break;
  }
  return undefined;
}

/** getpagesize(): AT_PAGESZ, or the common 4096 without /proc. */
export function readPageSize(path?: string): number {
  return readAuxvEntry(AT_PAGESZ, path) ?? 4096;
}

/** sysconf(_SC_CLK_TCK): AT_CLKTCK (the kernel's USER_HZ), or Linux's 100 without /proc. */
export function readClockTicks(procRoot: string = PATH_PROC): number {
  return readAuxvEntry(AT_CLKTCK, `${procRoot}/self/auxv`) ?? 100;
}
