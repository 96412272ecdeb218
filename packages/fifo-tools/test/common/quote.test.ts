import { isUtf8Locale } from '@ipcutils/cli';
import { describe, expect, it } from 'vitest';
import { quoteFileName } from '../../src/common/quote.js';

describe('quoteFileName (coreutils quoteaf)', () => {
  it.each([
    ['a', "'a'"],
    ['', "''"],
    ['sp ace', "'sp ace'"],
    ["it's", '"it\'s"'],
    ['nl\nx', "'nl'$'\\n''x'"],
    ['tab\tx', "'tab'$'\\t''x'"],
    ['a"b', "'a\"b'"],
    ['$x', "'$x'"],
    ['it\'s"x', "'it'\\''s\"x'"],
    ["a'b\u0001", "'''a'\\''b'$'\\001'"],
    ['\u0001', "''$'\\001'"],
    ['x\u007f', "'x'$'\\177'"],
  ])('%j is quoted as %s', (name, quoted) => {
    expect(quoteFileName(name, false)).toBe(quoted);
  });

  it('escapes non-ASCII bytes in the C locale and keeps printable characters in a UTF-8 one', () => {
    expect(quoteFileName('é', false)).toBe("''$'\\303\\251'");
    expect(quoteFileName('é', true)).toBe("'é'");
    expect(quoteFileName("é's", true)).toBe('"é\'s"');
    expect(quoteFileName('a\u2028b', true)).toBe("'a'$'\\342\\200\\250''b'");
  });

  it('reads the locale as setlocale does: LC_ALL, then LC_CTYPE, then LANG', () => {
    expect(isUtf8Locale({ LANG: 'C.UTF-8' })).toBe(true);
    expect(isUtf8Locale({ LC_ALL: 'C', LANG: 'C.UTF-8' })).toBe(false);
    expect(isUtf8Locale({ LC_CTYPE: 'en_US.utf8' })).toBe(true);
    expect(isUtf8Locale({})).toBe(false);
  });
});

describe('quoteFileName with bytes that are not UTF-8 (lone surrogates, see core names.ts)', () => {
  // As coreutils 9.1 prints them (LC_ALL=C and C.UTF-8 alike for the bad bytes).
  it.each([
    ['a\udcff', "'a'$'\\377'"],
    ['\udc80abc', "''$'\\200''abc'"],
  ])('%j is quoted as %s in both locales', (name, quoted) => {
    expect(quoteFileName(name, false)).toBe(quoted);
    expect(quoteFileName(name, true)).toBe(quoted);
  });

  it('keeps valid text beside a bad byte in a UTF-8 locale', () => {
    expect(quoteFileName('é\udca9x', true)).toBe("'é'$'\\251''x'");
    expect(quoteFileName('é\udca9x', false)).toBe("''$'\\303\\251\\251''x'");
  });
});
