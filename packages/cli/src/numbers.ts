/**
 * Command-line numbers parsed exactly as util-linux parses them (lib/strutils.c on glibc's strtol
 * family), and sizes formatted as its size_to_human_string() does.
 */

export type ParseFailure = 'invalid' | 'range';

/** An argument util-linux would reject: 'invalid' (EINVAL, bad syntax) or 'range' (ERANGE). */
export class ParseError extends Error {
  override readonly name = 'ParseError';
  /** The argument as given. */
  readonly value: string;
  readonly reason: ParseFailure;

  constructor(value: string, reason: ParseFailure) {
    super(`${reason === 'range' ? 'out of range' : 'invalid number'}: '${value}'`);
    this.value = value;
    this.reason = reason;
  }

  /** glibc's text for the errno util-linux leaves behind, for messages that append it (err(3)). */
  get strerror(): string {
    return this.reason === 'range' ? 'Numerical result out of range' : 'Invalid argument';
  }

  /** util-linux's message for this argument: see parseFailureMessage. */
  messageFor(prefix: string): string {
    return parseFailureMessage(prefix, this.value, this.reason);
  }
}

/**
 * util-linux's str2num_or_err() message, `PREFIX: 'TEXT'`: errx() for bad syntax, err() for
 * ERANGE, which appends strerror.
 */
export function parseFailureMessage(prefix: string, text: string, reason: ParseFailure): string {
  return `${prefix}: '${text}'${reason === 'range' ? ': Numerical result out of range' : ''}`;
}

const U64_MAX = 0xffff_ffff_ffff_ffffn;
const S64_MAX = 0x7fff_ffff_ffff_ffffn;
const INT32_MIN = -0x8000_0000;
const INT32_MAX = 0x7fff_ffff;

/**
 * An id such as `ipcs -i`, `ipcrm -m` and `ipcmk -S` take: strtos32_or_err(), i.e. strtoimax()
 * base 10 with leading blanks and one sign allowed, no trailing characters, within int32.
 */
export function parseS32(str: string): number {
  if (str === '') throw new ParseError(str, 'invalid');
  const scan = scanInteger(str, 0, 10);
  // ul_strtos64() checks errno before the end pointer: "99999999999999999999x" is out of range.
  if (signedOverflows(scan)) throw new ParseError(str, 'range');
  if (scan.end === 0 || scan.end !== str.length) throw new ParseError(str, 'invalid');
  const value = Number(scan.negative ? -scan.magnitude : scan.magnitude);
  if (value < INT32_MIN || value > INT32_MAX) throw new ParseError(str, 'range');
  return value;
}

/**
 * A key for `ipcrm -M/-Q/-S` and every `--key`: strtoul(str, &end, 0)'s syntax (0x hex, leading-0
 * octal, decimal, one sign), as ipcrm's strtokey() reads it. The value must be a key_t read as
 * signed (-1) or unsigned (0xffffffff): util-linux truncates wider values into the 32-bit key_t,
 * so `0x100000001` named key 1 and `0x100000000` IPC_PRIVATE; ours are out of range (ERANGE).
 */
export function parseUlongKey(str: string): number {
  if (str === '') throw new ParseError(str, 'invalid');
  const scan = scanInteger(str, 0, 0);
  if (scan.magnitude > U64_MAX) throw new ParseError(str, 'range');
  if (scan.end === 0 || scan.end !== str.length) throw new ParseError(str, 'invalid');
  const value = scan.negative ? -scan.magnitude : scan.magnitude;
  if (value < KEY_MIN || value > KEY_UNSIGNED_MAX) throw new ParseError(str, 'range');
  return Number(BigInt.asIntN(32, value));
}

const KEY_MIN = -0x8000_0000n;
const KEY_UNSIGNED_MAX = 0xffff_ffffn;

/**
 * The mode of `ipcmk -p`: str2unum_or_err(str, 8, …, max) (util-linux 2.43). A negative number is
 * out of range, because ul_strtou64() rejects whatever strtoimax() reads as negative.
 */
export function parseOctalMode(str: string, max: number): number {
  if (str === '') throw new ParseError(str, 'invalid');
  const scan = scanInteger(str, 0, 8);
  if ((scan.negative && scan.magnitude > 0n) || scan.magnitude > U64_MAX) throw new ParseError(str, 'range');
  if (scan.end === 0 || scan.end !== str.length) throw new ParseError(str, 'invalid');
  if (scan.magnitude > BigInt(max)) throw new ParseError(str, 'range');
  return Number(scan.magnitude);
}

/** What strto*l read: the digits' value before the sign, and where it stopped (`start`: nothing read). */
interface IntegerScan {
  magnitude: bigint;
  negative: boolean;
  end: number;
}

/** isspace() in the C locale. */
function isSpace(c: string | undefined): boolean {
  return c === ' ' || c === '\t' || c === '\n' || c === '\v' || c === '\f' || c === '\r';
}

function digitValue(c: string | undefined): number {
  if (c === undefined) return 99;
  const code = c.charCodeAt(0);
  if (code >= 48 && code <= 57) return code - 48;
  const lower = code | 0x20;
  if (lower >= 97 && lower <= 122) return lower - 87;
  return 99;
}

/**
 * glibc's strtoul/strtoimax scanner from `start`: blanks, one sign, a 0x prefix for base 16 (and 0),
 * octal for a leading 0 in base 0. glibc 2.36 has no 0b prefix. When "0x" has no hex digit after
 * it, glibc consumes only the "0", so the "x" is left as trailing junk.
 */
function scanInteger(str: string, start: number, base: 0 | 8 | 10 | 16): IntegerScan {
  let i = start;
  while (isSpace(str[i])) i++;
  const negative = str[i] === '-';
  if (str[i] === '-' || str[i] === '+') i++;
  let radix: number = base;
  if (str[i] === '0' && (base === 0 || base === 16) && (str[i + 1] === 'x' || str[i + 1] === 'X')) {
    if (digitValue(str[i + 2]) < 16) {
      radix = 16;
      i += 2;
    } else {
      return { magnitude: 0n, negative, end: i + 1 };
    }
  } else if (base === 0) {
    radix = str[i] === '0' ? 8 : 10;
  }
  const digitsStart = i;
  let magnitude = 0n;
  const bigRadix = BigInt(radix);
  // Past 2^64 the exact value no longer matters, only that it overflowed; stop growing it.
  const saturated = U64_MAX * 16n;
  for (; digitValue(str[i]) < radix; i++) {
    if (magnitude < saturated) magnitude = magnitude * bigRadix + BigInt(digitValue(str[i]));
  }
  return { magnitude, negative, end: i === digitsStart ? start : i };
}

/** strtoimax()'s ERANGE: beyond INTMAX_MAX, or below INTMAX_MIN when negative. */
function signedOverflows(scan: IntegerScan): boolean {
  return scan.magnitude > (scan.negative ? S64_MAX + 1n : S64_MAX);
}

// parse_size() looks the letter up in "KMGTPEZY", then in "kmgtpezy".
const SIZE_SUFFIXES = 'KMGTPEZY';
const SIZE_SUFFIXES_LOWER = 'kmgtpezy';

/**
 * A size for `ipcmk -M/-m`: util-linux parse_size(). The number is read by strtoumax base 0
 * (so "0x10K" and "010K" are hex and octal), then an optional fraction and a suffix: K M G T P E Z Y
 * (any case) or KiB… for powers of 1024, KB… for powers of 1000. No fraction without a suffix, no
 * "B" alone. The fraction is added digit by digit with util-linux's integer divisions, so "1.9K"
 * is 2048, not 1945, and the sum wraps modulo 2^64 like the C code.
 * A failure is always EINVAL or ERANGE, which the caller appends (strtosize_or_err uses err(3)).
 */
export function parseSize(str: string): bigint {
  let i = 0;
  while (isSpace(str[i])) i++;
  if (str === '' || str[i] === '-') throw new ParseError(str, 'invalid');
  const whole = scanInteger(str, 0, 0);
  if (whole.magnitude > U64_MAX) throw new ParseError(str, 'range');
  if (whole.end === 0) throw new ParseError(str, 'invalid');
  if (whole.end === str.length) return whole.magnitude;

  // parse_size()'s check_suffix loop: "XiB", "XB" or one letter ends it; else a decimal point.
  let p = whole.end;
  let fraction = 0n;
  let zeros = 0;
  let base = 1024n;
  for (;;) {
    const rest = str.slice(p + 1);
    if (rest === 'iB' || rest === 'ib') break;
    if (rest === 'B' || rest === 'b') {
      base = 1000n;
      break;
    }
    if (rest === '') break;
    if (fraction !== 0n || str[p] !== '.') throw new ParseError(str, 'invalid');
    for (p++; str[p] === '0'; p++) zeros++;
    if (digitValue(str[p]) < 10) {
      const digits = scanInteger(str, p, 10);
      if (digits.magnitude > U64_MAX) throw new ParseError(str, 'range');
      if (digits.end === str.length) throw new ParseError(str, 'invalid');
      fraction = digits.magnitude;
      p = digits.end;
    }
  }
  // p past the end ("1.0"): C reads beyond the string there; with a normal argv it is EINVAL.
  const letter = str[p] ?? '';
  const power =
    letter === '' ? 0 : Math.max(SIZE_SUFFIXES.indexOf(letter), SIZE_SUFFIXES_LOWER.indexOf(letter)) + 1;
  if (power === 0) throw new ParseError(str, 'invalid');

  let value = whole.magnitude;
  for (let n = 0; n < power; n++) {
    if (U64_MAX / base < value) throw new ParseError(str, 'range');
    value *= base;
  }
  if (fraction > 0n) value = BigInt.asUintN(64, value + fractionOf(fraction, zeros, base, power));
  return value;
}

/** util-linux's fraction arithmetic, digit by digit from the last, in 64-bit unsigned integers. */
function fractionOf(fractionDigits: bigint, zeros: number, base: bigint, power: number): bigint {
  let frac = fractionDigits;
  // do_scale_by_power() stops silently before overflowing; the unit keeps the last value that fit.
  let unit = 1n;
  for (let n = 0; n < power && U64_MAX / base >= unit; n++) unit *= base;
  let div = 10n;
  while (div < frac) {
    if (div <= U64_MAX / 10n) div *= 10n;
    else frac /= 10n;
  }
  for (let n = 0; n < zeros; n++) {
    if (div <= U64_MAX / 10n) div *= 10n;
    else frac /= 10n;
  }
  let sum = 0n;
  let position = 1n;
  do {
    const digit = frac % 10n;
    const segment = div / position;
    frac /= 10n;
    position = BigInt.asUintN(64, position * 10n);
    if (digit > 0n && segment / digit > 0n) sum += unit / (segment / digit);
  } while (frac > 0n);
  return sum;
}

const HUMAN_LETTERS = 'BKMGTPE';

/**
 * util-linux size_to_human_string(SIZE_SUFFIX_1LETTER): the largest power of 1024 not above the
 * value, one decimal rounded half up from three truncated digits, a trailing ".0" dropped:
 * 5000 → "4.9K", 100 → "100B", 18446744073692774399 → "16E". The decimal point is always "."
 * (util-linux uses the locale's; the tools run in the C locale).
 */
export function formatSizeHuman(bytes: bigint | number): string {
  const value = BigInt.asUintN(64, BigInt(bytes));
  let exp = 10;
  while (exp <= 60 && value >= 1n << BigInt(exp)) exp += 10;
  exp -= 10;
  const letter = HUMAN_LETTERS[exp / 10]!;
  const unit = 1n << BigInt(exp);
  let whole = value / unit;
  let frac = value % unit;
  if (frac > 0n) {
    // Three digits after the point, computed so that frac * 1000 cannot overflow 64 bits.
    frac = frac >= U64_MAX / 1000n ? ((frac / 1024n) * 1000n) / (unit / 1024n) : (frac * 1000n) / unit;
    frac = ((frac + 50n) / 100n) * 10n;
    if (frac === 100n) {
      whole++;
      frac = 0n;
    }
  }
  return frac > 0n ? `${whole}.${frac / 10n}${letter}` : `${whole}${letter}`;
}
