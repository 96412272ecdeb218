/**
 * How libsmartcols escapes cell data in each output format (lib/mbsalign.c, include/carefulputc.h,
 * lib/jsonwrt.c). Each has a fast path: most cells are plain printable ASCII and pass unchanged.
 * A byte that is not UTF-8 (a lone surrogate U+DC80..U+DCFF, see core's names.ts) is escaped as
 * that byte, `\xff`, in every format but JSON, which writes it as it is (ul_jsonwrt copies bytes
 * >= 0x20).
 */
import { nameToBytes } from '@ipcutils/core';
import { charWidth } from './wcwidth.js';

/** Printable ASCII only, and no "\x" that a reader could mistake for an escape. */
const PLAIN = /^[\x20-\x7e]*$/;

/** Text as the human table prints it, and how many terminal cells it takes. */
export interface SafeText {
  text: string;
  width: number;
}

/**
 * mbs_safe_encode(): control characters, a backslash starting "\x", characters glibc does not
 * print, and (outside UTF-8 locales) every non-ASCII byte become `\xNN`; the width counts the
 * escapes, and wcwidth() of each printable character (./wcwidth.ts).
 */
export function encodeSafe(data: string, utf8: boolean): SafeText {
  if (PLAIN.test(data) && !data.includes('\\x')) return { text: data, width: data.length };
  let text = '';
  let width = 0;
  for (let i = 0; i < data.length; i++) {
    const code = data.charCodeAt(i);
    if (code < 0x20 || code === 0x7f || (code === 0x5c && data[i + 1] === 'x')) {
      text += hexByte(code);
      width += 4;
    } else if (code < 0x80) {
      text += data[i];
      width++;
    } else {
      const point = data.codePointAt(i)!;
      const char = String.fromCodePoint(point);
      if (char.length === 2) i++;
      // As glibc's iswprint() and wcwidth() answer: C1 controls and unassigned code points are not
      // printable, a lone surrogate is a byte mbrtowc() refuses, CJK takes two columns, a
      // combining mark none. Outside UTF-8 every byte above ASCII is escaped.
      const columns = utf8 ? charWidth(point) : -1;
      if (columns >= 0) {
        text += char;
        width += columns;
      } else {
        const bytes = hexBytes(char);
        text += bytes;
        width += bytes.length;
      }
    }
  }
  return { text, width };
}

/** fputs_nonblank() of raw output: blanks, backslashes and anything not printable ASCII as `\xNN`. */
export function escapeRaw(data: string): string {
  if (/^[\x21-\x5b\x5d-\x7e]*$/.test(data)) return data;
  let text = '';
  for (const char of data) {
    const code = char.charCodeAt(0);
    text += code > 0x20 && code < 0x7f && code !== 0x5c ? char : hexBytes(char);
  }
  return text;
}

/** fputs_quoted() of export output: `"`, `\`, `` ` ``, `$` and anything not printable ASCII as `\xNN`. */
export function quoteExport(data: string): string {
  if (/^[\x20\x21\x23\x25-\x5b\x5d-\x5f\x61-\x7e]*$/.test(data)) return `"${data}"`;
  let text = '"';
  for (const char of data) {
    const code = char.charCodeAt(0);
    const plain = code >= 0x20 && code < 0x7f && !'"\\`$'.includes(char);
    text += plain ? char : hexBytes(char);
  }
  return `${text}"`;
}

/** ul_jsonwrt's string quoting: `"` and `\` escaped, control characters as \b \f \n \r \t or \u00NN. */
export function quoteJson(data: string): string {
  return `"${jsonEscapeInner(data)}"`;
}

/** The text between the quotes of quoteJson(data): `data` itself unless it has something to escape. */
export function jsonEscapeInner(data: string): string {
  if (!JSON_SPECIAL.test(data)) return data;
  let text = '';
  for (const char of data) {
    const code = char.charCodeAt(0);
    if (char === '"' || char === '\\') text += `\\${char}`;
    else if (code >= 0x20) text += char;
    else text += JSON_ESCAPES[code] ?? `\\u00${code.toString(16).padStart(2, '0')}`;
  }
  return text;
}

// biome-ignore lint/suspicious/noControlCharactersInRegex: JSON must escape exactly the control characters.
const JSON_SPECIAL = /[\u0000-\u001f"\\]/;

const JSON_ESCAPES: Record<number, string> = { 8: '\\b', 9: '\\t', 10: '\\n', 12: '\\f', 13: '\\r' };

/** scols_column_get_name_as_shellvar(): "USE%" → "USE_PCT", "1FOO" → "_1FOO", other non-alnum → "_". */
export function toShellVarName(name: string): string {
  if (name === '') return name;
  let out = /^[A-Za-z]/.test(name) ? '' : '_';
  out += name.replace(/[^A-Za-z0-9]/g, '_');
  return name.endsWith('%') ? `${out}PCT` : out;
}

function hexByte(code: number): string {
  return `\\x${code.toString(16).padStart(2, '0')}`;
}

/** Each byte of one character as `\xNN` (what C code writing byte by byte prints). */
function hexBytes(char: string): string {
  let text = '';
  for (const byte of nameToBytes(char)) text += hexByte(byte);
  return text;
}

/**
 * Each byte that is not UTF-8 (a lone surrogate U+DC80..U+DCFF, see core's names.ts) as `\xNN`,
 * as the human table shows it: for the messages of tools that have no reference to copy.
 */
export function escapeInvalidBytes(text: string): string {
  return /[\udc80-\udcff]/.test(text)
    ? text.replace(/[\udc80-\udcff]/gu, (c) => hexByte(c.charCodeAt(0) - 0xdc00))
    : text;
}
