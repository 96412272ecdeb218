/** Control characters in names shown to people, as libsmartcols encodes them: a newline is `\x0a`. */
export function escapeControlCharacters(text: string): string {
  return text.replace(/\p{Cc}/gu, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
}
