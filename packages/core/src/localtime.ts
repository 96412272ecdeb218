/**
 * Local time as glibc's localtime() computes it from TZ (tzset(3)). V8's Date follows TZ when it
 * is unset, empty or a zone name; a zone given by the path of its file goes through Intl with the
 * zone's name (Date gets its daylight time wrong), and glibc's POSIX rule strings
 * ("CET-1CEST,M3.5.0,M10.5.0/3", "<+0330>-3:30"), which V8 does not know, are computed here.
 */
import { statSync } from 'node:fs';

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
export function localTimeFor(tz: string | undefined, zoneinfo = '/usr/share/zoneinfo'): LocalTime {
  let resolved: LocalTime | undefined;
  return (seconds) => {
    resolved ??= resolveLocalTime(tz, zoneinfo);
    return resolved(seconds);
  };
}

function resolveLocalTime(tz: string | undefined, zoneinfo: string): LocalTime {
  if (tz === undefined || tz === '') return fromDate;
  const file = zoneFile(tz, zoneinfo);
  if (file !== undefined) {
    return file.startsWith(`${zoneinfo}/`) ? fromZone(file.slice(zoneinfo.length + 1)) : fromDate;
  }
  // glibc: ":" and a missing file, or a string that is neither a file nor a valid rule, mean UTC.
  const rule = tz.startsWith(':') ? undefined : parsePosixTz(tz);
  return rule ? (seconds) => shifted(seconds, rule) : utc;
}

/** V8's own local time, which follows the process's TZ like glibc for everything but rule strings. */
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

const WEEKDAYS: Readonly<Record<string, number>> = { Sun: 0, Mon: 1, Tue: 2, Wed: 3, Thu: 4, Fri: 5, Sat: 6 };

/** Local time in a named zone through Intl; V8's Date when ICU does not know the name. */
function fromZone(name: string): LocalTime {
  let format: Intl.DateTimeFormat;
  try {
    format = new Intl.DateTimeFormat('en-US', {
      timeZone: name,
      hourCycle: 'h23',
      weekday: 'short',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
  } catch {
    return fromDate;
  }
  return (seconds) => {
    const parts: Record<string, string> = {};
    for (const part of format.formatToParts(new Date(seconds * 1000))) parts[part.type] = part.value;
    return {
      year: Number(parts.year),
      month: Number(parts.month) - 1,
      day: Number(parts.day),
      weekday: WEEKDAYS[parts.weekday ?? ''] ?? 0,
      hours: Number(parts.hour),
      minutes: Number(parts.minute),
      seconds: Number(parts.second),
    };
  };
}

/** The zone file tzset() would read for TZ: an absolute path, else one relative to the zoneinfo directory. */
function zoneFile(tz: string, zoneinfo: string): string | undefined {
  const name = tz.startsWith(':') ? tz.slice(1) : tz;
  const path = name.startsWith('/') ? name : `${zoneinfo}/${name}`;
  try {
    return statSync(path).isFile() ? path : undefined;
  } catch {
    return undefined;
  }
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
