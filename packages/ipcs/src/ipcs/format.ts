/**
 * printf conversions ipcs uses, rebuilt for JavaScript strings, and the name lookups its rows
 * share. Widths and precisions count bytes as C does, so non-ASCII names pad like util-linux's.
 */

import { formatSizeHuman } from '@ipcutils/cli';
import { type LocalTime, localTimeFor } from '@ipcutils/core';
import type { SizeUnit } from './options.js';

/** `%-Ns`: left-justified in a field of `width` bytes. */
export function padRight(text: string, width: number): string {
  const length = byteLength(text);
  return length >= width ? text : text + ' '.repeat(width - length);
}

/** `%Ns`: right-justified. */
export function padLeft(text: string, width: number): string {
  const length = byteLength(text);
  return length >= width ? text : ' '.repeat(width - length) + text;
}

/** `%-W.Ps`: at most `precision` bytes, then padded to `width`. */
export function fit(text: string, width: number, precision: number): string {
  return padRight(truncateBytes(text, precision), width);
}

/** `%o` of the permission bits, as the listings print them (no leading 0). */
export function formatOctalPerms(mode: number): string {
  return (mode & 0o777).toString(8);
}

/** `%#o`: octal with a leading 0, except for 0 itself. */
export function formatOctalAlt(mode: number): string {
  return mode === 0 ? '0' : `0${mode.toString(8)}`;
}

/** util-linux ipc_print_size() without its label: the value in the unit, `%Nju`/`%Ns` style. */
export function formatSizeValue(unit: SizeUnit | 'kbytes', bytes: bigint | number): string {
  switch (unit) {
    case 'human':
      return formatSizeHuman(bytes);
    case 'kbytes':
      return String(BigInt(bytes) / 1024n);
    default:
      return String(bytes);
  }
}

/**
 * ipc_print_size() with a label: "label (bytes) = N", "label (kbytes) = N" or "label = 4K"
 * (the default unit prints no unit word, as util-linux does).
 */
export function formatSizeLine(unit: SizeUnit | 'kbytes', label: string, bytes: bigint | number): string {
  const word = unit === 'bytes' ? ' (bytes)' : unit === 'kbytes' ? ' (kbytes)' : '';
  return `${label}${word} = ${formatSizeValue(unit, bytes)}`;
}

/** A header line: every column `%-Ns`, separated by one space. */
export function header(...columns: readonly (readonly [number, string])[]): string {
  return columns.map(([width, title]) => padRight(title, width)).join(' ');
}

/** Lines with a newline after each, as printf'd rows end. */
export function joinLines(lines: readonly string[]): string {
  return `${lines.join('\n')}\n`;
}

const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** ctime()'s text without the newline: `Sat Nov 21 05:21:03 2026` (local time of the process's TZ by default). */
export function formatCtime(seconds: number, localTime: LocalTime = localTimeFor(undefined)): string {
  const tm = localTime(seconds);
  // asctime(): "%.3s %.3s%3d %.2d:%.2d:%.2d %d".
  const day = String(tm.day).padStart(3, ' ');
  const time = [tm.hours, tm.minutes, tm.seconds].map((n) => String(n).padStart(2, '0')).join(':');
  return `${DAYS[tm.weekday]} ${MONTHS[tm.month]}${day} ${time} ${tm.year}`;
}

/**
 * Memoised formatters for one run: names resolved once per uid/gid and times formatted once per
 * second value, since a listing of thousands of objects repeats the same few of each.
 */
export class CellFormatter {
  readonly unit: SizeUnit;
  readonly #userName: (uid: number) => string | undefined;
  readonly #groupName: (gid: number) => string | undefined;
  readonly #owners = new Map<number, string>();
  readonly #users = new Map<number, string>();
  readonly #groups = new Map<number, string>();
  readonly #ctimes = new Map<number, string>();
  readonly #localTime: LocalTime;

  constructor(options: {
    unit: SizeUnit;
    userName: (uid: number) => string | undefined;
    groupName: (gid: number) => string | undefined;
    /** The time zone's localtime(); default the process's. */
    localTime?: LocalTime;
  }) {
    this.unit = options.unit;
    this.#localTime = options.localTime ?? localTimeFor(undefined);
    this.#userName = options.userName;
    this.#groupName = options.groupName;
  }

  /** The owner column of the list, -t and -p views: `%-10.10s` name, or `%-10u` uid. */
  owner(uid: number): string {
    let cell = this.#owners.get(uid);
    if (cell === undefined) {
      const name = this.#userName(uid);
      cell = name === undefined ? padRight(String(uid), 10) : fit(name, 10, 10);
      this.#owners.set(uid, cell);
    }
    return cell;
  }

  /** A user in the -c view: the whole name (`%-10s`), or the uid. */
  user(uid: number): string {
    let cell = this.#users.get(uid);
    if (cell === undefined) {
      cell = padRight(this.#userName(uid) ?? String(uid), 10);
      this.#users.set(uid, cell);
    }
    return cell;
  }

  /** A group in the -c view: the whole name (`%-10s`), or the gid. */
  group(gid: number): string {
    let cell = this.#groups.get(gid);
    if (cell === undefined) {
      cell = padRight(this.#groupName(gid) ?? String(gid), 10);
      this.#groups.set(gid, cell);
    }
    return cell;
  }

  /** ctime() text for a non-zero time. */
  ctime(seconds: number): string {
    let text = this.#ctimes.get(seconds);
    if (text === undefined) {
      text = formatCtime(seconds, this.#localTime);
      this.#ctimes.set(seconds, text);
    }
    return text;
  }

  /** The -t columns of shm and msg: `%-20.16s` of ctime()+4, or "Not set". */
  shortTime(seconds: number): string {
    return seconds ? fit(this.ctime(seconds).slice(4), 20, 16) : NOT_SET_20;
  }

  /** `%-26.24s` of ctime(), or "Not set" (sem -t, and every -i view). */
  longTime(seconds: number): string {
    return seconds ? this.alwaysTime(seconds) : NOT_SET_26;
  }

  /** `%-26.24s` of ctime() even for 0 (1970), where util-linux does not check for "Not set". */
  alwaysTime(seconds: number): string {
    return fit(this.ctime(seconds), 26, 24);
  }
}

const NOT_SET_20 = padRight('Not set', 20);
const NOT_SET_26 = padRight('Not set', 26);

function isAscii(text: string): boolean {
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) > 0x7f) return false;
  return true;
}

function byteLength(text: string): number {
  return isAscii(text) ? text.length : Buffer.byteLength(text);
}

/** The longest prefix of at most `max` UTF-8 bytes that ends on a character boundary. */
function truncateBytes(text: string, max: number): string {
  if (isAscii(text)) return text.length > max ? text.slice(0, max) : text;
  const bytes = Buffer.from(text);
  if (bytes.length <= max) return text;
  let end = max;
  // Back up over continuation bytes (10xxxxxx) so no character is cut in half.
  while (end > 0 && (bytes[end]! & 0xc0) === 0x80) end--;
  return bytes.subarray(0, end).toString();
}
