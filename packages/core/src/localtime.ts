/**
 * Local time as glibc's localtime() computes it from TZ (tzset(3)). V8's Date follows TZ when it
 * is unset or empty. A zone file (a name under /usr/share/zoneinfo, or a path) is read here as
 * glibc reads it (tzfile(5)): going through ICU instead costs ~10 ms to set up and ~1 µs per time,
 * which a listing of 10,000 objects pays 10,000 times. glibc's POSIX rule strings
 * ("CET-1CEST,M3.5.0,M10.5.0/3", "<+0330>-3:30"), which V8 does not know, are computed here too.
 */
import { readFileSync } from 'node:fs';
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
  // glibc: ":" and a missing file, or a string that is neither a file nor a valid rule, mean UTC.
  const rule = tz.startsWith(':') ? undefined : parsePosixTz(tz);
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
  let data: Buffer;
  try {
    data = readFileSync(path);
  } catch {
    return undefined;
  }
  return parseZone(data);
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
  const footer = footerText ? parsePosixTz(footerText) : undefined;
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

/** A transition day: Jn (1-365, no leap day), n (0-365), or Mm.w.d; `time` is seconds after local midnight. */
type DayRule =
  | { kind: 'julian1'; day: number; time: number }
  | { kind: 'julian0'; day: number; time: number }
  | { kind: 'month'; month: number; week: number; weekday: number; time: number };

export interface PosixTz {
  /** Seconds east of UTC in standard time. */
  stdOffset: number;
  dst?: { offset: number; start: DayRule; end: DayRule };
}

// Without a rule glibc shifts the transitions of its "posixrules" file (America/New_York) by the
// zone's offsets, in ways this does not copy: such zones get today's US dates at 02:00 local time.
const DEFAULT_START: DayRule = { kind: 'month', month: 3, week: 2, weekday: 0, time: 7200 };
const DEFAULT_END: DayRule = { kind: 'month', month: 11, week: 1, weekday: 0, time: 7200 };

/** Parses "std offset [dst [offset] [,start[/time],end[/time]]]"; undefined when it is not one. */
export function parsePosixTz(tz: string): PosixTz | undefined {
  const reader = { text: tz, at: 0 };
  if (!readName(reader)) return undefined;
  const std = readOffset(reader);
  if (std === undefined) return undefined;
  // POSIX offsets are west of UTC: "EST5" is UTC-5.
  const stdOffset = -std;
  if (reader.at === tz.length) return { stdOffset };
  if (!readName(reader)) return undefined;
  let dstOffset = stdOffset + 3600;
  if (reader.at < tz.length && tz[reader.at] !== ',') {
    const dst = readOffset(reader);
    if (dst === undefined) return undefined;
    dstOffset = -dst;
  }
  if (reader.at === tz.length)
    return { stdOffset, dst: { offset: dstOffset, start: DEFAULT_START, end: DEFAULT_END } };
  if (tz[reader.at++] !== ',') return undefined;
  const start = readDayRule(reader);
  if (start === undefined || tz[reader.at++] !== ',') return undefined;
  const end = readDayRule(reader);
  if (end === undefined || reader.at !== tz.length) return undefined;
  return { stdOffset, dst: { offset: dstOffset, start, end } };
}

interface Reader {
  text: string;
  at: number;
}

/** A zone abbreviation: three or more letters, or anything but ">" inside "<…>". */
function readName(reader: Reader): boolean {
  const { text } = reader;
  if (text[reader.at] === '<') {
    const close = text.indexOf('>', reader.at);
    if (close < 0 || close - reader.at - 1 < 3) return false;
    reader.at = close + 1;
    return true;
  }
  const start = reader.at;
  while (reader.at < text.length && /[A-Za-z]/.test(text[reader.at]!)) reader.at++;
  return reader.at - start >= 3;
}

/** [+-]hh[:mm[:ss]] in seconds, as written (positive west of UTC). */
function readOffset(reader: Reader): number | undefined {
  const sign = reader.text[reader.at] === '-' ? -1 : 1;
  if (reader.text[reader.at] === '-' || reader.text[reader.at] === '+') reader.at++;
  const value = readClock(reader);
  return value === undefined ? undefined : sign * value;
}

function readClock(reader: Reader): number | undefined {
  const match = /^(\d{1,3})(?::(\d{1,2})(?::(\d{1,2}))?)?/.exec(reader.text.slice(reader.at));
  if (!match) return undefined;
  reader.at += match[0].length;
  return Number(match[1]) * 3600 + Number(match[2] ?? 0) * 60 + Number(match[3] ?? 0);
}

function readDayRule(reader: Reader): DayRule | undefined {
  const rest = reader.text.slice(reader.at);
  const month = /^M(\d{1,2})\.(\d)\.(\d)/.exec(rest);
  const julian1 = /^J(\d{1,3})/.exec(rest);
  const julian0 = /^(\d{1,3})/.exec(rest);
  let rule: DayRule;
  let match: RegExpExecArray;
  if (month) {
    match = month;
    rule = {
      kind: 'month',
      month: Number(month[1]),
      week: Number(month[2]),
      weekday: Number(month[3]),
      time: 7200,
    };
    if (rule.month < 1 || rule.month > 12 || rule.week < 1 || rule.week > 5 || rule.weekday > 6)
      return undefined;
  } else if (julian1) {
    match = julian1;
    rule = { kind: 'julian1', day: Number(julian1[1]), time: 7200 };
    if (rule.day < 1 || rule.day > 365) return undefined;
  } else if (julian0) {
    match = julian0;
    rule = { kind: 'julian0', day: Number(julian0[1]), time: 7200 };
    if (rule.day > 365) return undefined;
  } else {
    return undefined;
  }
  reader.at += match[0].length;
  if (reader.text[reader.at] === '/') {
    reader.at++;
    // glibc accepts a signed time up to 167 hours (RFC 8536 extension).
    const time = readOffset(reader);
    if (time === undefined) return undefined;
    rule.time = time;
  }
  return rule;
}

/** Local time under a rule: the offset in force at that instant, applied to UTC. */
function shifted(seconds: number, rule: PosixTz): BrokenDownTime {
  return utc(seconds + offsetAt(seconds, rule));
}

function offsetAt(seconds: number, rule: PosixTz): number {
  const { dst } = rule;
  if (dst === undefined) return rule.stdOffset;
  const year = new Date((seconds + rule.stdOffset) * 1000).getUTCFullYear();
  // The start is given in standard time, the end in daylight time (tzset(3)).
  const start = transitionAt(year, dst.start) - rule.stdOffset;
  const end = transitionAt(year, dst.end) - dst.offset;
  const inDst = start < end ? seconds >= start && seconds < end : !(seconds >= end && seconds < start);
  return inDst ? dst.offset : rule.stdOffset;
}

/** Seconds from the epoch to the rule's local wall-clock moment in `year`, as if it were UTC. */
function transitionAt(year: number, rule: DayRule): number {
  const yearStart = Date.UTC(year, 0, 1) / 1000;
  let day: number;
  switch (rule.kind) {
    case 'julian1': {
      // Jn never counts 29 February.
      const leap = (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
      day = rule.day - 1 + (leap && rule.day >= 60 ? 1 : 0);
      break;
    }
    case 'julian0':
      day = rule.day;
      break;
    case 'month': {
      const first = new Date(Date.UTC(year, rule.month - 1, 1));
      const daysInMonth = new Date(Date.UTC(year, rule.month, 0)).getUTCDate();
      let date = 1 + ((rule.weekday - first.getUTCDay() + 7) % 7) + (rule.week - 1) * 7;
      // Week 5 means the last such weekday of the month.
      while (date > daysInMonth) date -= 7;
      day = (Date.UTC(year, rule.month - 1, date) - Date.UTC(year, 0, 1)) / 86_400_000;
      break;
    }
  }
  return yearStart + day * 86_400 + rule.time;
}
