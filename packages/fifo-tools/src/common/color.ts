/** Colour only on a terminal; NO_COLOR turns it off, FORCE_COLOR on (and wins, as in Node). */
export function colorLevel(
  env: Readonly<Record<string, string | undefined>>,
  isTerminal: boolean,
): 0 | 1 | 2 | 3 {
  const force = env.FORCE_COLOR;
  if (force !== undefined) {
    if (force === '0' || force === 'false') return 0;
    return force === '2' ? 2 : force === '3' ? 3 : 1;
  }
  // no-color.org: set and not empty.
  if (env.NO_COLOR) return 0;
  if (!isTerminal || env.TERM === 'dumb') return 0;
  return 1;
}
