/**
 * Local time as glibc's localtime() computes it from TZ (tzset(3)). V8's Date follows TZ when it
 * is unset or empty. A zone file (a name under /usr/share/zoneinfo, or a path) is read here as
 * glibc reads it (tzfile(5)): going through ICU instead costs ~10 ms to set up and ~1 µs per time,
 * which a listing of 10,000 objects pays 10,000 times. glibc's POSIX rule strings
 * ("CET-1CEST,M3.5.0,M10.5.0/3", "<+0330>-3:30"), which V8 does not know, are computed here too.
 */
import { closeSync, constants, fstatSync, openSync, readSync, statSync } from 'node:fs';
import { PATH_ZONEINFO } from './paths.js';

/** struct tm's fields ipcs prints; month 0-11, weekday 0 (Sunday)-6. */
export interface BrokenDownTime {
  year: number;
  month: number;
  day: number;
  weekday: number;
  hours: number;
  minutes: number;
  seconds: number;
}

export type LocalTime = (seconds: number) => BrokenDownTime;

/** The localtime() of the time zone `tz` names (the TZ environment variable); resolved on first use. */
export function localTimeFor(tz: string | undefined, zoneinfo = PATH_ZONEINFO): LocalTime {
  let resolved: LocalTime | undefined;
  return (seconds) => {
    resolved ??= resolveLocalTime(tz, zoneinfo);
    return resolved(seconds);
  };
}

function resolveLocalTime(tz: string | undefined, zoneinfo: string): LocalTime {
  if (tz === undefined || tz === '') return fromDate;
  const name = tz.startsWith(':') ? tz.slice(1) : tz;
  const zone = readZoneFile(name.startsWith('/') ? name : `${zoneinfo}/${name}`);
  if (zone !== undefined) return zone;
  // glibc drops the ":" and parses the rest as a rule when it is not a file; no standard time is UTC.
  const rule = parsePosixTz(name);
  return rule ? (seconds) => shifted(seconds, rule) : utc;
}

/** V8's own local time, which follows the process's TZ like glibc when TZ is unset (/etc/localtime). */
function fromDate(seconds: number): BrokenDownTime {
  const date = new Date(seconds * 1000);
  return {
    year: date.getFullYear(),
    month: date.getMonth(),
    day: date.getDate(),
    weekday: date.getDay(),
    hours: date.getHours(),
    minutes: date.getMinutes(),
    seconds: date.getSeconds(),
  };
}

function utc(seconds: number): BrokenDownTime {
  const date = new Date(seconds * 1000);
  return {
    year: date.getUTCFullYear(),
    month: date.getUTCMonth(),
    day: date.getUTCDate(),
    weekday: date.getUTCDay(),
    hours: date.getUTCHours(),
    minutes: date.getUTCMinutes(),
    seconds: date.getUTCSeconds(),
  };
}

/**
 * A TZif file (tzfile(5)) as glibc's __tzfile_read and __tzfile_compute use it: the 64-bit data
 * of version 2 and later, the transitions in force between them, the first standard-time type
 * before them, and the footer's POSIX rule after the last one. Undefined when the file is
 * missing or not TZif, which glibc treats as a rule string or UTC.
 */
function readZoneFile(path: string): LocalTime | undefined {
  const data = readRegularFile(path, MAX_ZONE_FILE_BYTES);
  return data === undefined ? undefined : parseZone(data);
}

// The largest zone files (right/ zones) are under 4 KiB; TZ may name anything, /dev/zero included.
const MAX_ZONE_FILE_BYTES = 1 << 20;

/**
 * The bytes of a regular file of at most `limit` bytes; undefined for anything else (a device, a
 * FIFO, a directory, a larger file) or when it cannot be read. It is stat'ed before it is opened
 * (opening a device may act on it), opened without blocking (a FIFO swapped in meanwhile) and
 * checked again through the descriptor.
 */
function readRegularFile(path: string, limit: number): Buffer | undefined {
  let fd: number | undefined;
  try {
    if (!statSync(path).isFile()) return undefined;
    fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK | constants.O_NOCTTY);
    const stat = fstatSync(fd);
    if (!stat.isFile() || stat.size > limit) return undefined;
    // One byte more than its size tells a file that grew since the fstat.
    const buffer = Buffer.alloc(stat.size + 1);
    let length = 0;
    for (let n = 1; n > 0 && length < buffer.length; length += n) {
      n = readSync(fd, buffer, length, buffer.length - length, null);
    }
    return length === buffer.length ? undefined : buffer.subarray(0, length);
  } catch {
    return undefined;
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

const TZIF_HEADER = 44;

function parseZone(data: Buffer): LocalTime | undefined {
  if (data.length < TZIF_HEADER || data.toString('latin1', 0, 4) !== 'TZif') return undefined;
  let at = 0;
  let counts = tzifCounts(data, at);
  let timeSize = 4;
  // Version 2+ repeats the data with 64-bit times after the 32-bit block, then the footer.
  if (data[4] !== 0) {
    at += TZIF_HEADER + tzifBlockSize(counts, 4);
    if (data.length < at + TZIF_HEADER || data.toString('latin1', at, at + 4) !== 'TZif') return undefined;
    counts = tzifCounts(data, at);
    timeSize = 8;
  }
  const end = at + TZIF_HEADER + tzifBlockSize(counts, timeSize);
  if (counts.typecnt === 0 || data.length < end) return undefined;
  let p = at + TZIF_HEADER;
  const transitions: number[] = [];
  for (let i = 0; i < counts.timecnt; i++, p += timeSize) {
    transitions.push(timeSize === 8 ? Number(data.readBigInt64BE(p)) : data.readInt32BE(p));
  }
  const typeOf = Array.from(data.subarray(p, p + counts.timecnt));
  p += counts.timecnt;
  const types: { offset: number; isDst: boolean }[] = [];
  for (let i = 0; i < counts.typecnt; i++, p += 6) {
    types.push({ offset: data.readInt32BE(p), isDst: data[p + 4] !== 0 });
  }
  if (typeOf.some((type) => type >= types.length)) return undefined;
  // "right/" zones count leap seconds in time_t: glibc takes the correction in force off the offset.
  p += counts.charcnt;
  const leaps: { at: number; correction: number }[] = [];
  for (let i = 0; i < counts.leapcnt; i++, p += timeSize + 4) {
    const leapAt = timeSize === 8 ? Number(data.readBigInt64BE(p)) : data.readInt32BE(p);
    leaps.push({ at: leapAt, correction: data.readInt32BE(p + timeSize) });
  }
  // Before the first transition (or without any): the first standard-time type, else the first.
  const first = types.find((type) => !type.isDst) ?? types[0]!;
  const footerText = timeSize === 8 ? data.toString('latin1', end).split('\n')[1] : undefined;
  // glibc applies a footer it cannot parse as UTC, and ignores an empty one.
  const footer = footerText ? (parsePosixTz(footerText) ?? UTC_RULES) : undefined;
  const last = transitions.length - 1;
  const zoneOffset = (seconds: number): number => {
    if (last < 0 || seconds < transitions[0]!) return first.offset;
    if (seconds >= transitions[last]!)
      return footer ? offsetAt(seconds, footer) : types[typeOf[last]!]!.offset;
    return types[typeOf[lastAtOrBefore(transitions, seconds)]!]!.offset;
  };
  if (leaps.length === 0) return (seconds) => utc(seconds + zoneOffset(seconds));
  const leapTimes = leaps.map((leap) => leap.at);
  return (seconds) => {
    if (seconds < leapTimes[0]!) return utc(seconds + zoneOffset(seconds));
    const i = lastAtOrBefore(leapTimes, seconds);
    const time = utc(seconds + zoneOffset(seconds) - leaps[i]!.correction);
    // The inserted second itself is 23:59:60.
    if (seconds === leapTimes[i] && leaps[i]!.correction > (i === 0 ? 0 : leaps[i - 1]!.correction))
      time.seconds++;
    return time;
  };
}

/** The index of the last of the ascending `times` at or before `seconds` (which is not before the first). */
function lastAtOrBefore(times: readonly number[], seconds: number): number {
  let low = 0;
  let high = times.length - 1;
  while (low < high) {
    const middle = (low + high + 1) >> 1;
    if (times[middle]! <= seconds) low = middle;
    else high = middle - 1;
  }
  return low;
}

interface TzifCounts {
  isutcnt: number;
  isstdcnt: number;
  leapcnt: number;
  timecnt: number;
  typecnt: number;
  charcnt: number;
}

function tzifCounts(data: Buffer, at: number): TzifCounts {
  const count = (n: number) => data.readUInt32BE(at + 20 + 4 * n);
  return {
    isutcnt: count(0),
    isstdcnt: count(1),
    leapcnt: count(2),
    timecnt: count(3),
    typecnt: count(4),
    charcnt: count(5),
  };
}

/** The bytes of a data block after its header: transitions, their types, ttinfos, names, leap seconds, indicators. */
function tzifBlockSize(counts: TzifCounts, timeSize: number): number {
  return (
    counts.timecnt * (timeSize + 1) +
    counts.typecnt * 6 +
    counts.charcnt +
    counts.leapcnt * (timeSize + 4) +
    counts.isstdcnt +
    counts.isutcnt
  );
}

/** glibc's tz_rule: a transition day (Jn, n or Mm.n.d), its time of day, and the offset it brings. */
interface TzRule {
  /** Seconds east of UTC. */
  offset: number;
  type: 'J0' | 'J1' | 'M';
  /** Day of the year (J0, J1) or weekday (M). */
  d: number;
  /** Month (M), 1-12 when the rule is valid. */
  m: number;
  /** Week (M). */
  n: number;
  /** Seconds after local midnight. */
  secs: number;
}

/**
 * A TZ rule string as glibc's __tzset_parse_tz leaves tz_rules: standard time, then daylight
 * time. glibc applies whatever it parsed before a malformed part (an out-of-range month keeps its
 * value, an unparsed rule stays January 1 at 00:00), so this does too; `start` and `end` say when
 * daylight time begins and ends.
 */
export interface PosixTz {
  start: TzRule;
  end: TzRule;
}

const UTC_RULES: PosixTz = { start: emptyRule(), end: emptyRule() };

function emptyRule(): TzRule {
  return { offset: 0, type: 'J0', d: 0, m: 0, n: 0, secs: 0 };
}

/** Parses "std offset [dst [offset] [,start[/time],end[/time]]]"; undefined when glibc finds no standard time (UTC). */
export function parsePosixTz(tz: string): PosixTz | undefined {
  const reader: Reader = { text: tz, at: 0 };
  const start = emptyRule();
  const end = emptyRule();
  if (!readName(reader) || !readOffset(reader, start, undefined)) return undefined;
  if (reader.at === tz.length) {
    end.offset = start.offset;
    return { start, end };
  }
  if (readName(reader)) {
    readOffset(reader, end, start.offset);
    // No rule: glibc shifts the rules of its "posixrules" file (America/New_York), which this
    // does not copy; the rule parser's defaults are today's US dates at 02:00, as without that file.
  }
  if (readRule(reader, start, 'start')) readRule(reader, end, 'end');
  return { start, end };
}

interface Reader {
  text: string;
  at: number;
}

const isLetter = (c: string | undefined) => c !== undefined && /[A-Za-z]/.test(c);
const isDigit = (c: string | undefined) => c !== undefined && c >= '0' && c <= '9';

/** parse_tzname(): three or more letters, or "<" three or more of [A-Za-z0-9+-] ">". */
function readName(reader: Reader): boolean {
  const { text } = reader;
  let at = reader.at;
  while (isLetter(text[at])) at++;
  if (at - reader.at >= 3) {
    reader.at = at;
    return true;
  }
  at = reader.at;
  if (text[at++] !== '<') return false;
  const start = at;
  while (at < text.length && /[A-Za-z0-9+-]/.test(text[at]!)) at++;
  if (text[at++] !== '>' || at - 1 - start < 3) return false;
  reader.at = at;
  return true;
}

/**
 * parse_offset(): [+-]hh[:mm[:ss]], west of UTC as written; glibc caps the hours at 24 and the
 * minutes and seconds at 59. Without a number, standard time fails and daylight time is an hour
 * ahead of standard time (`stdOffset` given).
 */
function readOffset(reader: Reader, rule: TzRule, stdOffset: number | undefined): boolean {
  const { text } = reader;
  const c = text[reader.at];
  const signed = c === '+' || c === '-';
  if (stdOffset === undefined && !signed && !isDigit(c)) return false;
  const sign = c === '-' ? 1 : -1;
  if (signed) reader.at++;
  const clock = scanClock(text, reader.at);
  if (clock === undefined) {
    if (stdOffset === undefined) return false;
    rule.offset = stdOffset + 3600;
    return true;
  }
  const [hh, mm, ss] = clock.values;
  rule.offset = sign * (Math.min(ss ?? 0, 59) + Math.min(mm ?? 0, 59) * 60 + Math.min(hh!, 24) * 3600);
  reader.at = clock.end;
  return true;
}

/** sscanf(s, "%hu%n:%hu%n:%hu%n"): up to three numbers and where the last one read ends. */
function scanClock(text: string, at: number): { values: number[]; end: number } | undefined {
  const values: number[] = [];
  let end = at;
  let p = at;
  for (let i = 0; i < 3; i++) {
    if (i > 0 && text[p++] !== ':') break;
    const number = scanUnsignedShort(text, p);
    if (number === undefined) break;
    values.push(number.value);
    p = end = number.end;
  }
  return values.length === 0 ? undefined : { values, end };
}

/**
 * scanf's %hu: blanks, a sign, decimal digits, read by strtoul (ULONG_MAX when it overflows,
 * negated modulo 2^64 after a "-") and stored in an unsigned short.
 */
function scanUnsignedShort(text: string, at: number): { value: number; end: number } | undefined {
  let p = at;
  while (/[ \t\n\v\f\r]/.test(text[p] ?? '')) p++;
  const negative = text[p] === '-';
  if (text[p] === '-' || text[p] === '+') p++;
  const digits = p;
  while (isDigit(text[p])) p++;
  if (p === digits) return undefined;
  let value = BigInt(text.slice(digits, p));
  if (value > 0xffff_ffff_ffff_ffffn) value = 0xffff_ffff_ffff_ffffn;
  else if (negative) value = -value;
  return { value: Number(BigInt.asUintN(16, value)), end: p };
}

/**
 * parse_rule(): [,](Jn | n | Mm.n.d)[/time], the time signed and not capped. A rule that fails
 * keeps what was read before the failure (the type, and for Mm.n.d the three numbers).
 */
function readRule(reader: Reader, rule: TzRule, which: 'start' | 'end'): boolean {
  const { text } = reader;
  if (text[reader.at] === ',') reader.at++;
  const c = text[reader.at];
  if (c === 'J' || isDigit(c)) {
    rule.type = c === 'J' ? 'J1' : 'J0';
    if (c === 'J' && !isDigit(text[++reader.at])) return false;
    let p = reader.at;
    while (isDigit(text[p])) p++;
    const day = BigInt(text.slice(reader.at, p));
    if (day > 365n || (rule.type === 'J1' && day === 0n)) return false;
    rule.d = Number(day);
    reader.at = p;
  } else if (c === 'M') {
    rule.type = 'M';
    const fields: number[] = [];
    let p = reader.at + 1;
    for (let i = 0; i < 3; i++) {
      if (i > 0 && text[p++] !== '.') break;
      const number = scanUnsignedShort(text, p);
      if (number === undefined) break;
      fields.push(number.value);
      p = number.end;
    }
    [rule.m = rule.m, rule.n = rule.n, rule.d = rule.d] = fields;
    if (fields.length !== 3 || rule.m < 1 || rule.m > 12 || rule.n < 1 || rule.n > 5 || rule.d > 6)
      return false;
    reader.at = p;
  } else if (c === undefined) {
    // The US rule since 2007, "M3.2.0,M11.1.0".
    Object.assign(
      rule,
      which === 'start' ? { type: 'M', m: 3, n: 2, d: 0 } : { type: 'M', m: 11, n: 1, d: 0 },
    );
  } else {
    return false;
  }
  const next = text[reader.at];
  if (next !== undefined && next !== '/' && next !== ',') return false;
  if (next !== '/') {
    rule.secs = 7200;
  } else {
    reader.at++;
    if (reader.at === text.length) return false;
    const negative = text[reader.at] === '-';
    if (negative) reader.at++;
    const clock = scanClock(text, reader.at);
    const [hh, mm, ss] = clock?.values ?? [];
    rule.secs = (negative ? -1 : 1) * ((hh ?? 2) * 3600 + (mm ?? 0) * 60 + (ss ?? 0));
    if (clock) reader.at = clock.end;
  }
  return true;
}

/** Local time under a rule: the offset in force at that instant, applied to UTC. */
function shifted(seconds: number, rule: PosixTz): BrokenDownTime {
  return utc(seconds + offsetAt(seconds, rule));
}

/** __tz_compute(): both changes in the UTC year of the instant; a start after the end is the southern hemisphere. */
function offsetAt(seconds: number, rule: PosixTz): number {
  const year = new Date(seconds * 1000).getUTCFullYear();
  const start = changeAt(year, rule.start);
  const end = changeAt(year, rule.end);
  const inDst = start > end ? seconds < end || seconds >= start : seconds >= start && seconds < end;
  return inDst ? rule.end.offset : rule.start.offset;
}

// glibc's __mon_yday[2][13], days before each month, flat: an out-of-range month kept by a failed
// rule (M0, M13) reads the neighbouring row as glibc does, and 0 beyond the table.
const MONTH_STARTS = [
  0, 31, 59, 90, 120, 151, 181, 212, 243, 273, 304, 334, 365, 0, 31, 60, 91, 121, 152, 182, 213, 244, 274,
  305, 335, 366,
];

const SECONDS_PER_DAY = 86_400;

/** compute_change(): glibc's own arithmetic, its quirks included (years up to 1970 count from 1970). */
function changeAt(year: number, rule: TzRule): number {
  const leap = (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0 ? 1 : 0;
  const div = (a: number, b: number) => Math.trunc(a / b);
  let t =
    year > 1970
      ? ((year - 1970) * 365 +
          (div(year - 1, 4) - div(1970, 4)) -
          (div(year - 1, 100) - div(1970, 100)) +
          (div(year - 1, 400) - div(1970, 400))) *
        SECONDS_PER_DAY
      : 0;
  switch (rule.type) {
    case 'J1':
      t += (rule.d - 1) * SECONDS_PER_DAY;
      if (rule.d >= 60 && leap) t += SECONDS_PER_DAY;
      break;
    case 'J0':
      t += rule.d * SECONDS_PER_DAY;
      break;
    case 'M': {
      const index = leap * 13 + rule.m;
      const before = MONTH_STARTS[index - 1] ?? 0;
      const monthDays = (MONTH_STARTS[index] ?? 0) - before;
      t += before * SECONDS_PER_DAY;
      // Zeller's congruence: the weekday of the month's first day.
      const m1 = ((rule.m + 9) % 12) + 1;
      const yy0 = rule.m <= 2 ? year - 1 : year;
      const yy1 = div(yy0, 100);
      const yy2 = yy0 % 100;
      let dow = (div(26 * m1 - 2, 10) + 1 + yy2 + div(yy2, 4) + div(yy1, 4) - 2 * yy1) % 7;
      if (dow < 0) dow += 7;
      let d = rule.d - dow;
      if (d < 0) d += 7;
      for (let i = 1; i < rule.n; i++) {
        if (d + 7 >= monthDays) break;
        d += 7;
      }
      t += d * SECONDS_PER_DAY;
      break;
    }
  }
  return t - rule.offset + rule.secs;
}
