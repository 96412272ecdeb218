import { spawnSync } from 'node:child_process';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { bytesFields, escapeBytes, formatHexdump } from '../src/format.js';

/** util-linux's hexdump -C on the same bytes: the reference for shm dump and msg peek. */
function hexdumpC(data: Uint8Array): string {
  return spawnSync('hexdump', ['-C'], { input: data, encoding: 'utf8' }).stdout;
}

describe('formatHexdump', () => {
  it.each([
    ['empty', Buffer.alloc(0)],
    ['one byte', Buffer.from([0x41])],
    ['exactly 16', Buffer.from('0123456789abcdef')],
    ['every byte value', Buffer.from(Array.from({ length: 256 }, (_, n) => n))],
    ['repeated lines collapse to *', Buffer.alloc(100)],
    ['repeats then a change', Buffer.concat([Buffer.alloc(48, 7), Buffer.from('tail')])],
    ['repeats up to the end', Buffer.alloc(64, 0xff)],
  ])('%s: as hexdump -C prints it', (_, data) => {
    expect(formatHexdump(data)).toBe(hexdumpC(data));
  });

  it('any bytes: as hexdump -C prints them', () => {
    // Few distinct values, so that repeated lines happen.
    const bytes = fc.uint8Array({ maxLength: 200 }).chain((a) =>
      fc.constantFrom(
        a,
        a.map((b) => b & 1),
        new Uint8Array(a.length),
      ),
    );
    fc.assert(
      fc.property(bytes, (data) => formatHexdump(data) === hexdumpC(data)),
      { numRuns: 60 },
    );
  });
});

describe('escapeBytes', () => {
  it('keeps printable ASCII and escapes the rest so that one message is one line', () => {
    expect(escapeBytes(Buffer.from('a b\\c\nd\te\0\x7f\xff', 'latin1'))).toBe(
      'a b\\\\c\\nd\\te\\x00\\x7f\\xff',
    );
  });
});

describe('bytesFields', () => {
  it('gives the size and base64 of exactly the bytes viewed', () => {
    const whole = Buffer.from('xxhelloxx');
    expect(bytesFields(whole.subarray(2, 7))).toEqual({ size: 5, data: 'aGVsbG8=' });
  });
});
