/** Cell formatters shared by every resource kind, each the printf/helper lsipc.c uses. */

import { formatSizeHuman } from '@ipcutils/cli';
import { SHM_DEST, SHM_LOCKED } from '@ipcutils/core';

/** xstrmode(mode & 0777) ("rw-r--r--", no file-type letter), or `%#o` with -P ("0644", "0"). */
export function formatPermsCell(mode: number, numeric: boolean): string {
  const bits = mode & 0o777;
  if (numeric) return bits === 0 ? '0' : `0${bits.toString(8)}`;
  let text = '';
  for (let shift = 6; shift >= 0; shift -= 3) {
    text += bits & (4 << shift) ? 'r' : '-';
    text += bits & (2 << shift) ? 'w' : '-';
    text += bits & (1 << shift) ? 'x' : '-';
  }
  return text;
}

/** A size: `%ju` with -b, else size_to_human_string(SIZE_SUFFIX_1LETTER). */
export function formatSize(bytes: number | bigint, inBytes: boolean): string {
  return inBytes ? BigInt(bytes).toString() : formatSizeHuman(bytes);
}

// shmget(2) flags util-linux also looks for in the mode; the kernel does not keep them there.
const SHM_HUGETLB = 0o4000;
const SHM_NORESERVE = 0o10000;

/**
 * The STATUS column. util-linux sets its comma flag only after "dest", so "locked" and the others
 * are glued together without one ("lockedhugetlb"); kept as is.
 */
export function formatShmStatus(mode: number): string {
  if ((mode & STATUS_BITS) === 0) return '';
  let text = '';
  let comma = false;
  if (mode & SHM_DEST) {
    text += 'dest';
    comma = true;
  }
  for (const [flag, word] of STATUS_WORDS) {
    if (mode & flag) text += comma ? `,${word}` : word;
  }
  return text;
}

const STATUS_WORDS = [
  [SHM_LOCKED, 'locked'],
  [SHM_HUGETLB, 'hugetlb'],
  [SHM_NORESERVE, 'noreserve'],
] as const;
const STATUS_BITS = SHM_DEST | SHM_LOCKED | SHM_HUGETLB | SHM_NORESERVE;

/**
 * printf("%2.2f%%", used / limit * 100): glibc rounds the exact binary value half to even,
 * where Number#toFixed rounds half up; 0/0 is "-nan" on x86-64, n/0 "inf".
 */
export function formatPercent(used: number, limit: number): string {
  if (limit === 0) return used === 0 ? '-nan%' : 'inf%';
  return `${toFixedHalfEven((used / limit) * 100, 2)}%`;
}

function toFixedHalfEven(value: number, digits: number): string {
  const exact = value.toFixed(digits + 30);
  const cut = exact.indexOf('.') + 1 + digits;
  const rest = exact.slice(cut);
  if (!/^50*$/.test(rest)) return value.toFixed(digits);
  // An exact tie: round towards the even last digit.
  const kept = exact.slice(0, cut);
  const last = Number(kept[kept.length - 1]);
  if (last % 2 === 0) return kept;
  return (Number(kept) + 10 ** -digits).toFixed(digits);
}
