/** Durations such as `--older-than` takes: a whole number and a unit, 90s, 30m, 12h, 7d. */
const UNIT_MS: Readonly<Record<string, number>> = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** Milliseconds, or undefined for anything else (no unit, fractions, other units, empty). */
export function parseDuration(text: string): number | undefined {
  const match = /^([0-9]+)([smhd])$/.exec(text);
  if (match === null) return undefined;
  const ms = Number(match[1]) * UNIT_MS[match[2]!]!;
  return Number.isSafeInteger(ms) ? ms : undefined;
}
