/**
 * Names are bytes. Linux names a file, a POSIX object or an argument by any bytes but NUL and
 * "/", UTF-8 or not; JavaScript strings hold UTF-16, and Node's UTF-8 decoding turns every
 * invalid byte into U+FFFD, which then names another object. Names here are strings that keep
 * their bytes, as Python's "surrogateescape" does (PEP 383): valid UTF-8 decodes as usual, and a
 * byte that is not part of a valid sequence becomes the lone surrogate U+DC80..U+DCFF. A name
 * that is valid UTF-8 is the ordinary string; the bytes come back exactly when the name is used.
 */
import { isUtf8 } from 'node:buffer';

/** The lone surrogates that stand for the bytes 0x80..0xff. */
const ESCAPE_BASE = 0xdc00;
const SURROGATE = /[\ud800-\udfff]/;

/** A name read as bytes (a directory entry, an argument), as a string that keeps those bytes. */
export function nameFromBytes(bytes: Uint8Array): string {
  const buffer = Buffer.isBuffer(bytes)
    ? bytes
    : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (isUtf8(buffer)) return buffer.toString('utf8');
  let text = '';
  let run = 0;
  let at = 0;
  while (at < buffer.length) {
    const length = sequenceLength(buffer, at);
    if (length > 0) {
      at += length;
      continue;
    }
    text += buffer.toString('utf8', run, at) + String.fromCharCode(ESCAPE_BASE + buffer[at]!);
    at++;
    run = at;
  }
  return text + buffer.toString('utf8', run, at);
}

/** The bytes a name stands for: UTF-8, with each U+DC80..U+DCFF as its byte. */
export function nameToBytes(name: string): Buffer {
  if (!SURROGATE.test(name)) return Buffer.from(name, 'utf8');
  const bytes: number[] = [];
  for (let i = 0; i < name.length; i++) {
    const code = name.charCodeAt(i);
    if (code >= 0xdc80 && code <= 0xdcff) {
      bytes.push(code - ESCAPE_BASE);
      continue;
    }
    const next = name.charCodeAt(i + 1);
    const pair = code >= 0xd800 && code <= 0xdbff && next >= 0xdc00 && next <= 0xdfff;
    // Any other lone surrogate has no bytes: U+FFFD, as Buffer.from gives.
    for (const byte of Buffer.from(name.slice(i, pair ? i + 2 : i + 1), 'utf8')) bytes.push(byte);
    if (pair) i++;
  }
  return Buffer.from(bytes);
}

/**
 * A path for node:fs: the string itself when it is plain text, else its bytes (fs takes Buffer
 * paths and hands them to the kernel unchanged).
 */
export function fsPath(path: string): string | Buffer {
  return SURROGATE.test(path) ? nameToBytes(path) : path;
}

/** The length of the well-formed UTF-8 sequence at `at` (Unicode Table 3-7), or 0. */
function sequenceLength(bytes: Uint8Array, at: number): number {
  const first = bytes[at]!;
  if (first < 0x80) return 1;
  let length: number;
  let low = 0x80;
  let high = 0xbf;
  if (first >= 0xc2 && first <= 0xdf) length = 2;
  else if (first >= 0xe0 && first <= 0xef) {
    length = 3;
    if (first === 0xe0) low = 0xa0;
    else if (first === 0xed) high = 0x9f;
  } else if (first >= 0xf0 && first <= 0xf4) {
    length = 4;
    if (first === 0xf0) low = 0x90;
    else if (first === 0xf4) high = 0x8f;
  } else return 0;
  if (at + length > bytes.length) return 0;
  const second = bytes[at + 1]!;
  if (second < low || second > high) return 0;
  for (let i = 2; i < length; i++) {
    const next = bytes[at + i]!;
    if (next < 0x80 || next > 0xbf) return 0;
  }
  return length;
}
