/**
 * A string built as bytes. A listing of 10,000 rows is a few megabytes made of a few hundred
 * thousand pieces; copying each piece's characters into one growing byte buffer and decoding it
 * once costs a fraction of collecting the pieces into an array and joining them (or of
 * concatenating them), and leaves nothing for the garbage collector.
 *
 * Characters are stored UTF-8 encoded and decoded back at the end, which gives the same string
 * for any well-formed text; a lone surrogate (which UTF-8 cannot carry) switches the rest of the
 * output to plain string pieces.
 */
import { formatKey } from '@ipcutils/core';

/** Text written many times (the constant parts of a table), as the bytes write() would store. */
export interface EncodedText {
  readonly text: string;
  /** Undefined for text with a lone surrogate, which is written as a string. */
  readonly bytes: Uint8Array | undefined;
  /** Has a character above U+007F. */
  readonly wide: boolean;
}

export function encodeText(text: string): EncodedText {
  const bytes = Buffer.from(text, 'utf8');
  // A lone surrogate became U+FFFD: the bytes no longer decode to the text.
  if (bytes.toString('utf8') !== text) return { text, bytes: undefined, wide: true };
  return { text, bytes, wide: bytes.length !== text.length };
}

/** A writePlain() table marking `codes` and every control character (below 0x20, and 0x7f). */
export function specialCharacters(codes: string): Uint8Array {
  const specials = new Uint8Array(0x80);
  specials.fill(1, 0, 0x20);
  specials[0x7f] = 1;
  for (let i = 0; i < codes.length; i++) specials[codes.charCodeAt(i)] = 1;
  return specials;
}

/** line(): a field written as it is. */
export const STRING = -1;
/** line(): a key_t written as `0x%08x`. */
export const HEX32 = -2;

export class TextOutput {
  private bytes: Buffer;
  private length = 0;
  /** Some character above U+007F was stored: decode as UTF-8 rather than latin1. */
  private wide = false;
  /** Set once a lone surrogate was met: everything from then on, as strings. */
  private pieces: string[] | undefined;

  /**
   * `capacity`: the bytes expected. Growing is cheap, but happens in code that has been optimised
   * without ever growing, which then has to be deoptimised and optimised again.
   */
  constructor(capacity = 0) {
    this.bytes = Buffer.allocUnsafe(Math.max(capacity, 1 << 12));
  }

  write(text: string): void {
    if (this.pieces !== undefined) {
      this.pieces.push(text);
      return;
    }
    const count = text.length;
    let at = this.length;
    if (at + count > this.bytes.length) this.grow(count);
    const bytes = this.bytes;
    for (let i = 0; i < count; i++) {
      const code = text.charCodeAt(i);
      if (code < 0x80) {
        bytes[at++] = code;
      } else {
        this.length = at;
        this.writeWide(text, i);
        return;
      }
    }
    this.length = at;
  }

  /**
   * Writes `text` and returns true when it is ASCII with no character marked in `specials`
   * (indexed by character code); otherwise writes nothing and returns false, for the caller to
   * write an escaped form instead. One pass for the check and the copy.
   */
  writePlain(text: string, specials: Uint8Array): boolean {
    if (this.pieces !== undefined) return false;
    const count = text.length;
    const start = this.length;
    if (start + count > this.bytes.length) this.grow(count);
    const bytes = this.bytes;
    let at = start;
    for (let i = 0; i < count; i++) {
      const code = text.charCodeAt(i);
      if (code >= 0x80 || specials[code] !== 0) return false;
      bytes[at++] = code;
    }
    this.length = at;
    return true;
  }

  /** Writes text prepared by encodeText(): one native copy, however long the text. */
  writeEncoded(text: EncodedText): void {
    const { bytes } = text;
    if (this.pieces !== undefined || bytes === undefined) {
      this.write(text.text);
      return;
    }
    if (this.length + bytes.length > this.bytes.length) this.grow(bytes.length);
    this.bytes.set(bytes, this.length);
    this.length += bytes.length;
    if (text.wide) this.wide = true;
  }

  /** `count` spaces, then `text` (a table's padding and separator before a cell). */
  writeAfterSpaces(count: number, text: string): void {
    const length = text.length;
    let at = this.length;
    if (this.pieces !== undefined || at + count + length > this.bytes.length) {
      this.spaces(count);
      this.write(text);
      return;
    }
    const bytes = this.bytes;
    for (let i = 0; i < count; i++) bytes[at++] = 0x20;
    for (let i = 0; i < length; i++) {
      const code = text.charCodeAt(i);
      if (code >= 0x80) {
        this.length = at;
        this.writeWide(text, i);
        return;
      }
      bytes[at++] = code;
    }
    this.length = at;
  }

  /** `count` spaces. */
  spaces(count: number): void {
    if (this.pieces !== undefined) {
      this.pieces.push(' '.repeat(count));
      return;
    }
    let at = this.length;
    if (at + count > this.bytes.length) this.grow(count);
    const bytes = this.bytes;
    for (let i = 0; i < count; i++) bytes[at++] = 0x20;
    this.length = at;
  }

  /**
   * `%-Nd`: a number as String() writes it, padded with spaces to `width` characters (no padding
   * by default). Digits are written directly for the integers listings are made of.
   */
  decimal(value: number, width = 0): void {
    if (!(value >= 0 && value <= Number.MAX_SAFE_INTEGER && value % 1 === 0) || this.pieces !== undefined) {
      const text = String(value);
      this.write(text);
      if (text.length < width) this.spaces(width - text.length);
      return;
    }
    let digits = 1;
    for (let rest = value; rest >= 10; rest = Math.floor(rest / 10)) digits++;
    if (this.length + digits > this.bytes.length) this.grow(digits);
    const bytes = this.bytes;
    let at = this.length + digits;
    this.length = at;
    let rest = value;
    do {
      const next = Math.floor(rest / 10);
      bytes[--at] = 0x30 + (rest - next * 10);
      rest = next;
    } while (rest > 0);
    if (digits < width) this.spaces(width - digits);
  }

  /** `0x%08x` of a 32-bit value (a key_t, printed unsigned). */
  hex32(value: number): void {
    if (this.pieces !== undefined) {
      this.write(formatKey(value));
      return;
    }
    if (this.length + 10 > this.bytes.length) this.grow(10);
    const bytes = this.bytes;
    let at = this.length;
    bytes[at++] = 0x30;
    bytes[at++] = 0x78;
    for (let shift = 28; shift >= 0; shift -= 4) {
      const nibble = (value >>> shift) & 0xf;
      bytes[at++] = nibble < 10 ? 0x30 + nibble : 0x57 + nibble;
    }
    this.length = at;
  }

  /**
   * One line of printf-style fields separated by single spaces, then a newline: `formats[i]`
   * says how to write `fields[i]`, a string as it is (STRING), a key_t as `0x%08x` (HEX32), or a
   * number as `%-Nd` (N = the format itself). Listings write each line with one call, so one
   * function does all the work (and is the one the JIT compiles).
   */
  line(formats: readonly number[], fields: readonly (number | string)[]): void {
    if (this.pieces !== undefined) {
      this.lineSlowly(formats, fields);
      return;
    }
    let bytes = this.bytes;
    let at = this.length;
    for (let i = 0; i < fields.length; i++) {
      const field = fields[i]!;
      const format = formats[i]!;
      // Room for the separator and a number's digits and padding (strings are checked below);
      // formats are widths, or STRING and HEX32 (-1 and -2).
      const room = 26 + format;
      if (at + room > bytes.length) {
        this.length = at;
        this.grow(room);
        bytes = this.bytes;
      }
      if (i > 0) bytes[at++] = 0x20;
      if (typeof field === 'string') {
        // write() inline while the field is ASCII (and fits), to keep one function hot.
        let k = 0;
        if (at + field.length <= bytes.length) {
          for (; k < field.length; k++) {
            const code = field.charCodeAt(k);
            if (code >= 0x80) break;
            bytes[at++] = code;
          }
        }
        if (k < field.length) {
          this.length = at;
          this.write(k === 0 ? field : field.slice(k));
          if (this.pieces !== undefined) {
            this.lineSlowly(formats.slice(i + 1), fields.slice(i + 1), true);
            return;
          }
          bytes = this.bytes;
          at = this.length;
        }
      } else if (format === HEX32) {
        bytes[at++] = 0x30;
        bytes[at++] = 0x78;
        for (let shift = 28; shift >= 0; shift -= 4) {
          const nibble = (field >>> shift) & 0xf;
          bytes[at++] = nibble < 10 ? 0x30 + nibble : 0x57 + nibble;
        }
      } else if (field >= 0 && field <= 0xffffffff && field % 1 === 0) {
        // Integer arithmetic only (>>> 0 truncates a quotient below 2^32): no calls, even unoptimised.
        let digits = 1;
        for (let power = 10; power <= field; power *= 10) digits++;
        let rest = field;
        for (let end = at + digits; end > at; ) {
          const next = (rest / 10) >>> 0;
          bytes[--end] = 0x30 + (rest - next * 10);
          rest = next;
        }
        at += digits;
        for (; digits < format; digits++) bytes[at++] = 0x20;
      } else {
        this.length = at;
        this.decimal(field, format);
        bytes = this.bytes;
        at = this.length;
      }
    }
    if (at >= bytes.length) {
      this.length = at;
      this.grow(1);
      bytes = this.bytes;
    }
    bytes[at++] = 0x0a;
    this.length = at;
  }

  /** line() once a lone surrogate has turned the output into string pieces. */
  private lineSlowly(
    formats: readonly number[],
    fields: readonly (number | string)[],
    continued = false,
  ): void {
    for (let i = 0; i < fields.length; i++) {
      const field = fields[i]!;
      if (i > 0 || continued) this.write(' ');
      if (typeof field === 'string') this.write(field);
      else if (formats[i] === HEX32) this.hex32(field);
      else this.decimal(field, formats[i]);
    }
    this.write('\n');
  }

  /** Everything written, as one string. */
  toString(): string {
    const text = this.bytes.toString(this.wide ? 'utf8' : 'latin1', 0, this.length);
    if (this.pieces === undefined) return text;
    return text + this.pieces.join('');
  }

  /** write() from `text[from]` on, which is not ASCII: UTF-8 from there (slower, but rare). */
  private writeWide(text: string, from: number): void {
    const count = text.length;
    // At most 3 bytes per UTF-16 unit (a surrogate pair is 4 bytes for 2 units).
    if (this.length + (count - from) * 3 > this.bytes.length) this.grow((count - from) * 3);
    const bytes = this.bytes;
    let at = this.length;
    this.wide = true;
    for (let i = from; i < count; i++) {
      let code = text.charCodeAt(i);
      if (code < 0x80) {
        bytes[at++] = code;
        continue;
      }
      if (code < 0x800) {
        bytes[at++] = 0xc0 | (code >> 6);
        bytes[at++] = 0x80 | (code & 0x3f);
        continue;
      }
      if (code >= 0xd800 && code <= 0xdfff) {
        const low = i + 1 < count ? text.charCodeAt(i + 1) : 0;
        if (code > 0xdbff || low < 0xdc00 || low > 0xdfff) {
          // A lone surrogate: keep the rest as a string, exactly as given.
          this.length = at;
          this.pieces = [text.slice(i)];
          return;
        }
        code = 0x10000 + ((code - 0xd800) << 10) + (low - 0xdc00);
        i++;
        bytes[at++] = 0xf0 | (code >> 18);
        bytes[at++] = 0x80 | ((code >> 12) & 0x3f);
        bytes[at++] = 0x80 | ((code >> 6) & 0x3f);
        bytes[at++] = 0x80 | (code & 0x3f);
        continue;
      }
      bytes[at++] = 0xe0 | (code >> 12);
      bytes[at++] = 0x80 | ((code >> 6) & 0x3f);
      bytes[at++] = 0x80 | (code & 0x3f);
    }
    this.length = at;
  }

  private grow(more: number): void {
    const larger = Buffer.allocUnsafe(Math.max(this.bytes.length * 2, this.length + more));
    this.bytes.copy(larger, 0, 0, this.length);
    this.bytes = larger;
  }
}
