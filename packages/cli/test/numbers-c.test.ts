/**
 * src/parse/numbers.ts against C: util-linux's own parsing code compiled on glibc, and the
 * installed ipcmk in a private namespace.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { withNamespace } from '../../../test/helpers/namespace.js';
import {
  formatSizeHuman,
  ParseError,
  parseOctalMode,
  parseS32,
  parseSize,
  parseUlongKey,
} from '../src/numbers.js';
import { askOracle, buildOracle, mismatches } from './oracle.js';

const SAMPLES = 4000;

const blank = fc.constantFrom('', '', ' ', '\t', '\n', ' \v\f\r');
const sign = fc.constantFrom('', '', '+', '-', '+-', '--');
const prefix = fc.constantFrom('', '', '0', '0x', '0X', '00', '0b', 'x');
const digits = fc.string({ unit: fc.constantFrom(...'0123456789abcdefABCDEFxX8'), maxLength: 24 });
const tail = fc.constantFrom('', '', '', ' ', 'x', 'K', '.5', '\n');

/** Around the int32, int64 and uint64 limits, in decimal, hex and octal, with either sign. */
const nearLimits = fc
  .tuple(
    fc.constantFrom(2n ** 31n, 2n ** 32n, 2n ** 63n, 2n ** 64n, 2n ** 70n),
    fc.integer({ min: -3, max: 3 }),
    fc.constantFrom(10, 16, 8),
    fc.constantFrom('', '-', '+'),
  )
  .map(([limit, delta, radix, s]) => {
    const n = limit + BigInt(delta);
    const body = n.toString(radix);
    return `${s}${radix === 16 ? '0x' : radix === 8 ? '0' : ''}${body}`;
  });

const integerLike = fc.oneof(
  fc.tuple(blank, sign, prefix, digits, tail).map((parts) => parts.join('')),
  fc.string({ unit: fc.constantFrom(...' \t+-0123456789xX.aFgKiB'), maxLength: 8 }),
  fc.bigInt({ min: -(2n ** 70n), max: 2n ** 70n }).map(String),
  fc.bigInt({ min: 0n, max: 2n ** 70n }).map((n) => `0x${n.toString(16)}`),
  nearLimits,
);

const sizeLike = fc.oneof(
  fc
    .tuple(
      blank,
      fc.constantFrom('', '', '', '+', '-'),
      fc.oneof(
        fc.bigInt({ min: 0n, max: 2n ** 24n }).map(String),
        fc.constantFrom('0', '0x10', '010', '09', '0x', '18446744073709551615', '18446744073709551616', ''),
      ),
      fc.oneof(
        fc.constant(''),
        fc.string({ unit: fc.constantFrom(...'0123456789'), maxLength: 22 }).map((d) => `.${d}`),
        fc.constantFrom('.', '..5', '.0.5', '.00.05', '.x', '.5.5', '. 5'),
      ),
      fc.constantFrom(
        ...['', 'K', 'k', 'M', 'm', 'G', 'g', 'T', 'P', 'E', 'e', 'Z', 'z', 'Y', 'y'],
        ...['KiB', 'kib', 'Kib', 'MiB', 'GiB', 'EiB', 'ZiB', 'KB', 'kb', 'MB', 'EB', 'ZB', 'YB'],
        ...['B', 'b', 'iB', 'x', 'Q', ' K', 'K ', 'KiBx', 'Ki', 'KBB', 'KiiB'],
      ),
    )
    .map((parts) => parts.join('')),
  fc.string({ unit: fc.constantFrom(...' +-0123456789.xKkMiBbEZ'), maxLength: 10 }),
  nearLimits,
);

const u64 = fc.oneof(
  fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }),
  fc.bigInt({ min: 0n, max: 2n ** 24n }),
  fc
    .tuple(fc.integer({ min: 0, max: 64 }), fc.bigInt({ min: -5000n, max: 5000n }))
    .map(([exp, delta]) => BigInt.asUintN(64, 2n ** BigInt(exp) + delta)),
  fc
    .tuple(
      fc.integer({ min: 1, max: 6 }),
      fc.integer({ min: 1, max: 1023 }),
      fc.integer({ min: 0, max: 999 }),
    )
    .map(([exp, whole, thousandths]) => {
      const unit = 1024n ** BigInt(exp);
      return BigInt.asUintN(64, BigInt(whole) * unit + (unit * BigInt(thousandths)) / 1000n);
    }),
);

function sample<T>(arbitrary: fc.Arbitrary<T>, seed: number): T[] {
  return fc.sample(arbitrary, { numRuns: SAMPLES, seed });
}

describe('numbers against util-linux compiled on glibc', () => {
  let oracle: string;
  let remove = () => {};
  beforeAll(() => {
    ({ binary: oracle, remove } = buildOracle());
  });
  afterAll(() => remove());

  it('parseS32 answers like strtos32_or_err()', () => {
    const inputs = [...sample(integerLike, 1), '', ' ', '-', '+', '0x1', '1x', ' 5', '+5', '-1'];
    expect(mismatches(inputs, askOracle(oracle, 's32', inputs), parseS32)).toEqual([]);
  });

  it("parseUlongKey answers like ipcrm's strtokey(), refusing what key_t cannot hold", () => {
    const inputs = [
      ...sample(integerLike, 2),
      '',
      '0x',
      '0X',
      ' 0x',
      '-0x',
      '0xg',
      '0x1ffffffff',
      '-1',
      '-0x80000000',
      '-0x80000001',
      '0x100000000',
    ];
    expect(mismatches(inputs, askOracle(oracle, 'key', inputs), parseUlongKey)).toEqual([]);
  });

  it('parseOctalMode answers like str2unum_or_err(str, 8, …, 07777)', () => {
    const inputs = [...sample(integerLike, 3), '999', '77777', '0600', '-0', '-7', '- 7', '7777'];
    const answers = askOracle(oracle, 'mode', inputs);
    expect(mismatches(inputs, answers, (input) => parseOctalMode(input, 0o7777))).toEqual([]);
  });

  it('parseSize answers like parse_size()', () => {
    const inputs = [...sample(sizeLike, 4), '1.9K', '1.0.5K', '15.9E', '0.5Z', '1.0', '1.', '16E', '0.0'];
    expect(mismatches(inputs, askOracle(oracle, 'size', inputs), parseSize)).toEqual([]);
    // The sample must exercise all three outcomes, or the comparison proves little.
    const answers = askOracle(oracle, 'size', inputs);
    expect(answers.filter((a) => a.startsWith('ok ')).length).toBeGreaterThan(SAMPLES / 5);
    expect(answers).toContain('ERANGE');
    expect(answers).toContain('EINVAL');
  });

  it('formatSizeHuman answers like size_to_human_string(SIZE_SUFFIX_1LETTER)', () => {
    const values = sample(u64, 5);
    const inputs = values.map(String);
    const answers = askOracle(oracle, 'human', inputs);
    expect(mismatches(inputs, answers, (input) => formatSizeHuman(BigInt(input)))).toEqual([]);
  });
});

describe('parseSize against the installed ipcmk', () => {
  const sizes = [
    ...['1K', '1k', '1.5KiB', '2KB', '0.5MB', '4096', '+4K', ' 4K', '0x10K', '010K', '1.K', '1.9K', '0.9K'],
    ...['1.05K', '1.0.5K', '1.010K', '1.99K', '3.14159M', '1.5E', '15.9E', '0', '16E', '1Z'],
    ...['abc', '-5', '1B', '1.5', '1.0', '1 K', '1KiBx', '0x', '18446744073709551616', ''],
  ];

  it('creates a segment of the size we compute, or fails with the message we would print', async () => {
    // One ipcmk per size; a created segment's size is read back with `ipcs -m -i ID`.
    const script = `
      for size in "$@"; do
        out=$(ipcmk -M "$size" 2>&1)
        id=$(printf '%s\\n' "$out" | sed -n 's/^Shared memory id: //p')
        if [ -n "$id" ]; then
          printf 'bytes %s\\n' "$(ipcs -m -i "$id" | sed -n 's/^bytes=\\([0-9]*\\).*/\\1/p')"
          ipcrm -m "$id"
        else
          printf '%s\\n' "$out"
        fi
      done`;
    const result = await withNamespace((ns) => ns.run('sh', ['-c', script, 'sh', ...sizes]));
    expect(result.status).toBe(0);
    const lines = result.stdout.split('\n').slice(0, -1);
    expect(lines).toHaveLength(sizes.length);
    const expected = sizes.map((size) => {
      try {
        const bytes = parseSize(size);
        // shmget() refuses 0 and anything beyond what tmpfs can size (15.9E wraps to 0).
        return bytes > 0n && bytes < 2n ** 40n ? `bytes ${bytes}` : 'ipcmk: create share memory failed';
      } catch (error) {
        if (!(error instanceof ParseError)) throw error;
        return `ipcmk: failed to parse size: '${size}': ${error.strerror}`;
      }
    });
    expect(lines.map((line) => line.replace(/(create share memory failed).*/, '$1'))).toEqual(expected);
  });
});
