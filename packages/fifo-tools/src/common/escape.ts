import { nameToBytes } from '@ipcutils/core';

/**
 * Control characters in names shown to people, as libsmartcols encodes them: a newline is `\x0a`,
 * and a byte that is not UTF-8 (a lone surrogate, see core's names.ts) is that byte, `\xff`.
 */
export function escapeControlCharacters(text: string): string {
  return text.replace(
    /[\p{Cc}\udc80-\udcff]/gu,
    (c) => `\\x${nameToBytes(c)[0]!.toString(16).padStart(2, '0')}`,
  );
}
