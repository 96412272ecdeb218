/**
 * wcwidth() of a printable character, -1 for one iswprint() refuses, as glibc answers in a UTF-8
 * locale (./wcwidth-table.ts, made from glibc by scripts/gen-wcwidth.py): what libsmartcols adds
 * to a cell's width for each character, or writes as `\xNN` bytes instead.
 */
import { WCWIDTH_RANGES } from './wcwidth-table.js';

const WIDTHS: Record<string, number> = { N: -1, Z: 0, O: 1, T: 2 };

let starts: Int32Array | undefined;
let widths: Int8Array;

/** The ranges, decoded on the first character outside ASCII. */
function decode(): Int32Array {
  const found = WCWIDTH_RANGES.match(/[0-9a-z]+[NZOT]/g)!;
  const decoded = new Int32Array(found.length);
  widths = new Int8Array(found.length);
  let start = 0;
  for (let i = 0; i < found.length; i++) {
    const range = found[i]!;
    start += Number.parseInt(range.slice(0, -1), 36);
    decoded[i] = start;
    widths[i] = WIDTHS[range.at(-1)!]!;
  }
  return decoded;
}

/** Columns a character takes on a terminal, 0 to 2; -1 when it is not printable. */
export function charWidth(code: number): number {
  if (code < 0x80) return code >= 0x20 && code < 0x7f ? 1 : -1;
  starts ??= decode();
  // The last range starting at or before `code`.
  let low = 0;
  let high = starts.length - 1;
  while (low < high) {
    const middle = (low + high + 1) >> 1;
    if (starts[middle]! <= code) low = middle;
    else high = middle - 1;
  }
  return widths[low]!;
}

/**
 * Columns a character of text already made safe to show takes: its wcwidth(), and one for a
 * character glibc would not print (a terminal shows something in its place).
 */
export function shownWidth(code: number): number {
  const columns = charWidth(code);
  return columns < 0 ? 1 : columns;
}
