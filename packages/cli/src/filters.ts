/**
 * The cleanup filters' arguments, parsed the same way for lsipc and ipcrm: users by name or uid,
 * keys as ipcrm -M takes them, durations (`90s`, `30m`, `12h`, `7d`) and sizes (`64K`, `1MiB`).
 */
import { type IpcFilter, userId } from '@ipcutils/core';
import { ParseError, parseSize, parseUlongKey } from './numbers.js';
import { UsageError } from './usage.js';

/** The options both tools spell the same way. */
export type FilterOption =
  | 'owner'
  | 'creator'
  | 'key'
  | 'older-than'
  | 'min-size'
  | 'unattached'
  | 'orphaned'
  | 'name-pattern'
  | 'with-messages'
  | 'exclude-owner'
  | 'exclude-key'
  | 'exclude-name';

export const FILTER_OPTIONS: readonly FilterOption[] = [
  'owner',
  'creator',
  'key',
  'older-than',
  'min-size',
  'unattached',
  'orphaned',
  'name-pattern',
  'with-messages',
  'exclude-owner',
  'exclude-key',
  'exclude-name',
];

const UNIT_SECONDS: Readonly<Record<string, number>> = { s: 1, m: 60, h: 3600, d: 86_400 };

/**
 * Seconds of a duration: a whole number and one unit. A bare number is refused: "7" could mean
 * seconds or days, and a cleanup must not guess. Throws ParseError.
 */
export function parseDuration(text: string): number {
  const match = /^([0-9]+)([smhd])$/.exec(text);
  if (match === null) throw new ParseError(text, 'invalid');
  const seconds = Number(match[1]) * UNIT_SECONDS[match[2]!]!;
  if (!Number.isSafeInteger(seconds)) throw new ParseError(text, 'range');
  return seconds;
}

/** A uid given as digits, else a user name the name service knows; undefined for an unknown name. */
export function parseUser(text: string): number | undefined {
  if (/^[0-9]+$/.test(text)) {
    const uid = Number(text);
    // (uid_t)-1 is "no user" to the kernel.
    if (uid >= 0xffffffff) throw new ParseError(text, 'range');
    return uid;
  }
  return userId(text);
}

/**
 * Adds one filter option to `filter` (--key accumulates). A bad value throws the suite's UsageError,
 * without the try-help line (util-linux prints none after a bad value).
 */
export function addFilterOption(filter: IpcFilter, option: FilterOption, value = ''): void {
  switch (option) {
    case 'owner':
    case 'creator': {
      const uid = argument(() => parseUser(value), 'user', value);
      if (uid === undefined) throw new UsageError(`unknown user: '${value}'`);
      filter[option] = uid;
      return;
    }
    case 'key':
      filter.keys = [...(filter.keys ?? []), argument(() => parseUlongKey(value), 'key', value)];
      return;
    case 'older-than':
      filter.olderThan = argument(
        () => parseDuration(value),
        'duration',
        value,
        ' (use 90s, 30m, 12h or 7d)',
      );
      return;
    case 'min-size':
      filter.minSize = argument(() => parseSize(value), 'size', value);
      return;
    case 'unattached':
      filter.unattached = true;
      return;
    case 'orphaned':
      filter.orphaned = true;
      return;
    case 'with-messages':
      filter.withMessages = true;
      return;
    case 'exclude-owner': {
      const uid = argument(() => parseUser(value), 'user', value);
      if (uid === undefined) throw new UsageError(`unknown user: '${value}'`);
      filter.excludeOwners = [...(filter.excludeOwners ?? []), uid];
      return;
    }
    case 'exclude-key':
      filter.excludeKeys = [
        ...(filter.excludeKeys ?? []),
        argument(() => parseUlongKey(value), 'key', value),
      ];
      return;
    case 'name-pattern':
    case 'exclude-name': {
      if (value === '' || value === '/') throw new UsageError(`failed to parse name pattern: '${value}'`);
      const field = option === 'name-pattern' ? 'names' : 'excludeNames';
      filter[field] = [...(filter[field] ?? []), value];
      return;
    }
  }
}

function argument<T>(parse: () => T, what: string, value: string, hint = ''): T {
  try {
    return parse();
  } catch (error) {
    if (!(error instanceof ParseError)) throw error;
    throw new UsageError(`failed to parse ${what}: '${value}'${hint}`);
  }
}
