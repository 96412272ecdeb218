// The width table against the glibc the tests run on: scripts/gen-wcwidth.py --check prints the
// table as glibc answers today, and every range's first and last code point must measure as it says.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { charWidth } from '../../src/smartcols/wcwidth.js';
import { WCWIDTH_RANGES } from '../../src/smartcols/wcwidth-table.js';

const root = join(import.meta.dirname, '../../../..');
const WIDTH = { N: -1, Z: 0, O: 1, T: 2 } as const;

describe('charWidth', () => {
  const live = spawnSync('/usr/bin/python3', [join(root, 'scripts/gen-wcwidth.py'), '--check'], {
    encoding: 'utf8',
  });

  it('is the table glibc gives today (regenerate with /usr/bin/python3 scripts/gen-wcwidth.py)', () => {
    expect(live.status).toBe(0);
    expect(live.stdout.trim()).toBe(WCWIDTH_RANGES);
  });

  it("gives each range's width at its first and last code point", () => {
    const ranges = [...live.stdout.trim().matchAll(/([0-9a-z]+)([NZOT])/g)];
    expect(ranges.length).toBeGreaterThan(1000);
    let start = 0;
    const wrong: string[] = [];
    for (let i = 0; i < ranges.length; i++) {
      start += Number.parseInt(ranges[i]![1]!, 36);
      const width = WIDTH[ranges[i]![2] as keyof typeof WIDTH];
      const next = i + 1 < ranges.length ? start + Number.parseInt(ranges[i + 1]![1]!, 36) : 0x110000;
      for (const code of [start, next - 1]) {
        if (charWidth(code) !== width)
          wrong.push(`U+${code.toString(16)}: ${charWidth(code)}, glibc ${width}`);
      }
    }
    expect(wrong).toEqual([]);
  });

  it.each([
    [0x41, 1],
    [0x7f, -1],
    [0xe9, 1],
    [0x85, -1],
    [0x301, 0],
    [0x378, -1],
    [0x3042, 2],
    [0xff21, 2],
    [0x1f600, 2],
    [0xdcff, -1],
    [0x10ffff, -1],
  ])('U+%s is %i wide', (code, width) => {
    expect(charWidth(code)).toBe(width);
  });
});
