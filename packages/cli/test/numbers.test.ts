import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  formatSizeHuman,
  ParseError,
  parseOctalMode,
  parseS32,
  parseSize,
  parseUlongKey,
} from '../src/numbers.js';

function failure(parse: () => unknown): { reason: string; value: string } | undefined {
  try {
    parse();
    return undefined;
  } catch (error) {
    if (!(error instanceof ParseError)) throw error;
    return { reason: error.reason, value: error.value };
  }
}

describe('ParseError', () => {
  it('carries the argument, the reason and the errno text util-linux appends', () => {
    const invalid = new ParseError('abc', 'invalid');
    const range = new ParseError('99999999999', 'range');
    expect(invalid).toBeInstanceOf(Error);
    expect([invalid.value, invalid.reason, invalid.strerror]).toEqual(['abc', 'invalid', 'Invalid argument']);
    expect(range.strerror).toBe('Numerical result out of range');
    expect(`failed to parse size: '${invalid.value}': ${invalid.strerror}`).toBe(
      "failed to parse size: 'abc': Invalid argument",
    );
  });
});

describe('parseS32', () => {
  it.each([
    ['5', 5],
    [' 5', 5],
    ['\t\n 5', 5],
    ['+5', 5],
    ['-1', -1],
    ['007', 7],
    ['2147483647', 2147483647],
    ['-2147483648', -2147483648],
    ['-0', 0],
  ])('accepts %j as %d', (input, value) => {
    expect(parseS32(input)).toBe(value);
  });

  it.each([
    ['', 'invalid'],
    [' ', 'invalid'],
    ['0x1', 'invalid'],
    ['1x', 'invalid'],
    ['5 ', 'invalid'],
    ['+-5', 'invalid'],
    ['abc', 'invalid'],
    ['zz', 'invalid'],
    ['1.0', 'invalid'],
    ['2147483648', 'range'],
    ['-2147483649', 'range'],
    ['99999999999', 'range'],
    // strtoimax overflow sets ERANGE before the end pointer is looked at.
    ['99999999999999999999x', 'range'],
  ])('rejects %j as %s', (input, reason) => {
    expect(failure(() => parseS32(input))).toEqual({ reason, value: input });
  });

  it('round-trips every int32 written in decimal, with optional blanks and plus sign', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: -0x8000_0000, max: 0x7fff_ffff }),
        fc.constantFrom('', ' ', '\t'),
        (n, blank) => {
          expect(parseS32(`${blank}${n}`)).toBe(n);
          if (n >= 0) expect(parseS32(`+${n}`)).toBe(n);
        },
      ),
    );
  });

  it('reports every integer outside int32 as out of range', () => {
    const outside = fc.oneof(
      fc.bigInt({ min: 2n ** 31n, max: 2n ** 80n }),
      fc.bigInt({ min: -(2n ** 80n), max: -(2n ** 31n) - 1n }),
    );
    fc.assert(
      fc.property(outside, (n) => {
        expect(failure(() => parseS32(String(n)))?.reason).toBe('range');
      }),
    );
  });
});

describe('parseUlongKey', () => {
  it.each([
    ['0x12345678', 0x12345678],
    ['305419896', 0x12345678],
    ['0X1f', 0x1f],
    ['010', 8],
    ['0', 0],
    ['0x0', 0],
    [' +0x10', 16],
    ['-1', -1],
    ['0xffffffff', -1],
    ['0x80000000', -0x8000_0000],
    ['-2147483648', -0x8000_0000],
    ['4294967295', -1],
  ])('accepts %j as key %d', (input, key) => {
    expect(parseUlongKey(input)).toBe(key);
  });

  it.each([
    ['', 'invalid'],
    ['zz', 'invalid'],
    ['0x', 'invalid'],
    ['0xg', 'invalid'],
    ['08', 'invalid'],
    ['12 ', 'invalid'],
    ['1k', 'invalid'],
    ['0xffffffffffffffffff', 'range'],
    ['18446744073709551616', 'range'],
    ['-18446744073709551616', 'range'],
    ['18446744073709551616junk', 'range'],
    // Wider than key_t: util-linux truncates these into another key (0x100000000 is IPC_PRIVATE).
    ['0x100000000', 'range'],
    ['0x100000001', 'range'],
    ['0x1ffffffff', 'range'],
    ['18446744073709551615', 'range'],
    ['-18446744073709551615', 'range'],
    ['-2147483649', 'range'],
  ])('rejects %j as %s', (input, reason) => {
    expect(failure(() => parseUlongKey(input))).toEqual({ reason, value: input });
  });

  it('reads a key_t in hex, octal and decimal, signed or unsigned, and refuses anything wider', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }), (n) => {
        const key = n <= 0xffff_ffffn ? Number(BigInt.asIntN(32, n)) : 'range';
        const answer = (input: string) => {
          try {
            return parseUlongKey(input);
          } catch (error) {
            return (error as ParseError).reason;
          }
        };
        expect(answer(`0x${n.toString(16)}`)).toBe(key);
        expect(answer(`0${n.toString(8)}`)).toBe(key);
        expect(answer(n.toString())).toBe(key);
        expect(answer(`-${n}`)).toBe(n <= 0x8000_0000n ? Number(-n) : 'range');
      }),
    );
  });
});

describe('parseOctalMode', () => {
  it.each([
    ['0600', 0o600],
    ['644', 0o644],
    ['7777', 0o7777],
    ['0', 0],
    ['-0', 0],
    [' +17', 0o17],
  ])('accepts %j as %o', (input, mode) => {
    expect(parseOctalMode(input, 0o7777)).toBe(mode);
  });

  it.each([
    ['999', 'invalid'],
    ['abc', 'invalid'],
    ['', 'invalid'],
    ['0x10', 'invalid'],
    ['08', 'invalid'],
    ['77777', 'range'],
    ['10000', 'range'],
    ['-1', 'range'],
    ['-7x', 'range'],
    ['7777777777777777777777777', 'range'],
  ])('rejects %j as %s', (input, reason) => {
    expect(failure(() => parseOctalMode(input, 0o7777))).toEqual({ reason, value: input });
  });

  it('accepts exactly the octal numbers up to the maximum', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 0o77777 }), fc.integer({ min: 0, max: 0o7777 }), (n, max) => {
        const reason = failure(() => parseOctalMode(n.toString(8), max))?.reason;
        expect(reason).toBe(n > max ? 'range' : undefined);
        if (n <= max) expect(parseOctalMode(n.toString(8), max)).toBe(n);
      }),
    );
  });
});

describe('parseSize', () => {
  it.each([
    ['1K', 1024n],
    ['1k', 1024n],
    ['1KiB', 1024n],
    ['1kib', 1024n],
    ['2KB', 2000n],
    ['2kb', 2000n],
    ['1.5KiB', 1536n],
    ['1.5K', 1536n],
    ['0.5MB', 500000n],
    ['0.5MiB', 524288n],
    ['4096', 4096n],
    ['+4K', 4096n],
    [' 4K', 4096n],
    ['0x10K', 16384n],
    ['010K', 8192n],
    ['1.K', 1024n],
    ['0', 0n],
    ['1E', 2n ** 60n],
    ['15E', 15n * 2n ** 60n],
    ['18446744073709551615', 2n ** 64n - 1n],
    // util-linux adds 1024 / (10 / 9) = 1024 for ".9": its fraction arithmetic is integer division.
    ['1.9K', 2048n],
    ['0.9K', 1024n],
    ['1.05K', 1075n],
    // A second decimal point is accepted while the fraction so far is zero.
    ['1.0.5K', 1075n],
    ['1.010K', 1126n],
    // The fraction can carry the sum past 2^64, which wraps like the C code.
    ['15.9E', 0n],
    // do_scale_by_power() stops before overflowing the fraction's unit: 1024^7 does not fit.
    ['0.5Z', 2n ** 59n],
    ['0Y', 0n],
  ])('reads %j as %d', (input, bytes) => {
    expect(parseSize(input)).toBe(bytes);
  });

  it.each([
    ['', 'invalid'],
    ['abc', 'invalid'],
    ['-5', 'invalid'],
    [' -5K', 'invalid'],
    ['1B', 'invalid'],
    ['1b', 'invalid'],
    ['1.5', 'invalid'],
    ['1.0', 'invalid'],
    ['1.', 'invalid'],
    ['1 K', 'invalid'],
    ['1K ', 'invalid'],
    ['1KiBx', 'invalid'],
    ['1iB', 'invalid'],
    ['1Q', 'invalid'],
    ['0x', 'invalid'],
    ['1.5.5K', 'invalid'],
    ['16E', 'range'],
    ['1Z', 'range'],
    ['18446744073709551616', 'range'],
    ['99999999999999999999K', 'range'],
    ['1.99999999999999999999K', 'range'],
  ])('rejects %j as %s', (input, reason) => {
    expect(failure(() => parseSize(input))).toEqual({ reason, value: input });
  });

  it('scales whole numbers by powers of 1024 for K, KiB and by powers of 1000 for KB', () => {
    const letters = ['K', 'M', 'G', 'T', 'P', 'E'];
    fc.assert(
      fc.property(fc.bigInt({ min: 0n, max: 2n ** 20n }), fc.integer({ min: 0, max: 5 }), (n, i) => {
        const letter = letters[i]!;
        const power = BigInt(i + 1);
        const binary = n * 1024n ** power;
        const decimal = n * 1000n ** power;
        if (binary < 2n ** 64n) {
          expect(parseSize(`${n}${letter}`)).toBe(binary);
          expect(parseSize(`${n}${letter.toLowerCase()}iB`)).toBe(binary);
        } else {
          expect(failure(() => parseSize(`${n}${letter}`))?.reason).toBe('range');
        }
        if (decimal < 2n ** 64n) expect(parseSize(`${n}${letter}B`)).toBe(decimal);
      }),
    );
  });

  it('adds a one-digit fraction d as unit / floor(10 / d), never more than one unit', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 0n, max: 1000n }), fc.integer({ min: 1, max: 9 }), (n, d) => {
        const expected = n * 1024n + 1024n / (10n / BigInt(d));
        expect(parseSize(`${n}.${d}K`)).toBe(expected);
        expect(parseSize(`${n}.${d}K`)).toBeLessThanOrEqual((n + 1n) * 1024n);
      }),
    );
  });
});

describe('formatSizeHuman', () => {
  it.each([
    [0n, '0B'],
    [1n, '1B'],
    [100n, '100B'],
    [1023n, '1023B'],
    [1024n, '1K'],
    [2048n, '2K'],
    [4096n, '4K'],
    [5000n, '4.9K'],
    [8192n, '8K'],
    [16384n, '16K'],
    [1048576n, '1M'],
    [1048575n, '1024K'],
    [1126n, '1.1K'],
    [1075n, '1K'],
    [1076n, '1.1K'],
    [2n ** 60n, '1E'],
    [18446744073692774399n, '16E'],
    [18446744073709547520n, '16E'],
    [2n ** 64n - 1n, '16E'],
  ])('formats %d as %s', (bytes, text) => {
    expect(formatSizeHuman(bytes)).toBe(text);
  });

  it('accepts plain numbers too', () => {
    expect(formatSizeHuman(5000)).toBe('4.9K');
  });

  it('prints bytes below 1024 as "<n>B" and exact multiples of a unit without a decimal', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 1023 }), fc.integer({ min: 1, max: 6 }), (n, exp) => {
        expect(formatSizeHuman(BigInt(n))).toBe(`${n}B`);
        if (n > 0 && (n < 16 || exp < 6)) {
          expect(formatSizeHuman(BigInt(n) * 1024n ** BigInt(exp))).toBe(`${n}${'BKMGTPE'[exp]}`);
        }
      }),
    );
  });

  it('stays within a twentieth of a unit of the value it describes', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 1024n, max: 2n ** 64n - 1n }), (bytes) => {
        const text = formatSizeHuman(bytes);
        const match = /^(\d+)(?:\.([1-9]))?([KMGTPE])$/.exec(text);
        expect(match).not.toBeNull();
        const [, whole, tenth, letter] = match!;
        const unit = 1024n ** BigInt('BKMGTPE'.indexOf(letter!));
        const shown = BigInt(whole!) * 10n + BigInt(tenth ?? '0');
        const distance = shown * unit - bytes * 10n;
        expect(distance < 0n ? -distance : distance).toBeLessThanOrEqual(unit / 2n);
      }),
    );
  });

  it('matches every human-readable size in the captured util-linux outputs', () => {
    // Pairs captured from util-linux 2.43-devel (samples/2.43-devel/listing): the same state shown
    // in bytes and in human units; each differing token must be our formatting of the bytes.
    const dir = join(dirname(fileURLToPath(import.meta.url)), 'fixtures/human-sizes');
    const humanToken = /^\d+(\.\d)?[BKMGTPE]$/;
    const checked = new Set<string>();
    const pairs = readdirSync(dir).filter((name) => name.endsWith('.human'));
    expect(pairs.length).toBe(9);
    for (const name of pairs) {
      const human = readFileSync(join(dir, name), 'utf8').split('\n').slice(1);
      const bytes = readFileSync(join(dir, name.replace(/\.human$/, '.bytes')), 'utf8')
        .split('\n')
        .slice(1);
      expect(human.length).toBe(bytes.length);
      let found = 0;
      human.forEach((line, i) => {
        const h = line.trim().split(/[\s=]+/);
        const b = (bytes[i] ?? '').trim().split(/[\s=]+/);
        const tokens: [string, string][] =
          h.length === b.length ? h.map((t, j) => [t, b[j]!]) : [[h.at(-1)!, b.at(-1)!]];
        for (const [text, raw] of tokens) {
          if (!humanToken.test(text) || !/^\d+$/.test(raw)) continue;
          expect(formatSizeHuman(BigInt(raw)), `${name} line ${i + 2}`).toBe(text);
          checked.add(text);
          found++;
        }
      });
      expect(found, name).toBeGreaterThan(0);
    }
    // POSIX sizes of lsipc -M and -Q, whose byte values are in samples/posix-ls.txt.
    for (const [bytes, text] of [
      [8192n, '8K'],
      [1048576n, '1M'],
      [21n, '21B'],
      [0n, '0B'],
    ] as const) {
      expect(formatSizeHuman(bytes)).toBe(text);
      checked.add(text);
    }
    expect([...checked].sort()).toEqual(
      ['0B', '100B', '16E', '16K', '1B', '1M', '21B', '2K', '4.9K', '4K', '50B', '8K'].sort(),
    );
  });
});
