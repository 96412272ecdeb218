/**
 * What setlocale(LC_ALL, "") would pick for LC_CTYPE (LC_ALL, else LC_CTYPE, else LANG): whether
 * it is a UTF-8 locale, in which the tools print non-ASCII letters as they are.
 */
export function isUtf8Locale(env: Readonly<Record<string, string | undefined>>): boolean {
  const name = env.LC_ALL || env.LC_CTYPE || env.LANG || 'C';
  return /\.utf-?8(@|$)/i.test(name);
}
