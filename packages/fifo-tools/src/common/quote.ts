/**
 * File names in messages as coreutils prints them with quoteaf(): gnulib quotearg's
 * shell_escape_always style, so the quoted text can be pasted back into a shell.
 */
import { nameToBytes } from '@ipcutils/core';

// gnulib's list of characters that are safe anywhere, plus '@', which its default case finds printable.
const SAFE = /^[%+,\-./0-9:@A-Z\]_a-z]$/;
// Shell metacharacters: quoted, and a reason to keep single quotes for a name with an apostrophe.
const SPECIAL = /^[!"$&()*;<=>?[\\^`|]$/;
const LETTER_ESCAPES: Readonly<Record<string, string>> = {
  '\x07': 'a',
  '\b': 'b',
  '\f': 'f',
  '\n': 'n',
  '\r': 'r',
  '\t': 't',
  '\v': 'v',
};
// glibc's iswprint() is false for controls, unassigned code points and the line/paragraph separators.
const UNPRINTABLE = /^[\p{Cc}\p{Cn}\p{Zl}\p{Zp}]$/u;
// A lone surrogate: a byte mbrtowc() refuses.
const LONE = /^[\ud800-\udfff]$/;

/**
 * quoteaf(name): `'a b'`, `"it's"`, `'nl'$'\n''x'`; non-ASCII characters stay as they are in a
 * UTF-8 locale and become octal escapes (`''$'\303\251'`) in the C locale.
 */
export function quoteFileName(name: string, utf8: boolean): string {
  // A byte that is not UTF-8 (a lone surrogate, see core's names.ts) is one unprintable character.
  const chars = [...(utf8 ? name : nameToBytes(name).toString('latin1'))];
  const byteLength = nameToBytes(name).length;
  const first = quotePass(chars, { utf8, byteLength, inEscape: false });
  if (!first.sawQuote) return first.text;
  // gnulib prefers "it's" to 'it'\''s' when nothing else in the name needs single quotes.
  if (first.allCompatible) return `"${name}"`;
  // Otherwise it quotes again without resetting its "inside $'...'" state, so a name ending in
  // an escape gets a stray '' after the opening quote: '''a'\''b'$'\001'. Copied as is.
  return quotePass(chars, { utf8, byteLength, inEscape: first.inEscape }).text;
}

interface PassState {
  utf8: boolean;
  byteLength: number;
  /** Inside a $'...' segment. */
  inEscape: boolean;
}

interface PassResult {
  text: string;
  inEscape: boolean;
  sawQuote: boolean;
  /** Every character could also stand inside C-style double quotes. */
  allCompatible: boolean;
}

/** One run of quotearg_buffer_restyled() over the characters (bytes in the C locale). */
function quotePass(chars: readonly string[], state: PassState): PassResult {
  let text = "'";
  let inEscape = state.inEscape;
  let allCompatible = true;
  let sawQuote = false;
  const startEscape = (sequence: string): void => {
    if (!inEscape) text += "'$'";
    inEscape = true;
    text += `\\${sequence}`;
  };
  const store = (char: string): void => {
    if (inEscape) text += "''";
    inEscape = false;
    text += char;
  };
  chars.forEach((char, index) => {
    const letter = LETTER_ESCAPES[char];
    let compatible = false;
    if (letter !== undefined) {
      startEscape(letter);
    } else if (char === "'") {
      text += "'\\''";
      inEscape = false;
      sawQuote = true;
      compatible = true;
    } else if (SAFE.test(char) || char === ' ') {
      store(char);
      compatible = true;
    } else if (char === '{' || char === '}') {
      store(char);
      compatible = state.byteLength === 1;
    } else if (char === '#' || char === '~') {
      store(char);
      compatible = index === 0;
    } else if (SPECIAL.test(char)) {
      store(char);
    } else if (state.utf8 && char.codePointAt(0)! >= 0x80 && !UNPRINTABLE.test(char) && !LONE.test(char)) {
      store(char);
      compatible = true;
    } else {
      const bytes = state.utf8 ? [...nameToBytes(char)] : [char.charCodeAt(0)];
      for (const byte of bytes) startEscape(byte.toString(8).padStart(3, '0'));
    }
    if (!compatible) allCompatible = false;
  });
  return { text: `${text}'`, inEscape, sawQuote, allCompatible };
}
