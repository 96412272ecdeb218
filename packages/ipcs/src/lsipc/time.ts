/**
 * lsipc's --time-format in the local time zone (TZ, as glibc's localtime() reads it): short
 * (util-linux strtime_short(): "HH:MM" today, "%b%d" this year, "%Y-%b%d" before), full
 * (asctime(3) without the newline) and iso (strtime_iso() with ISO_TIMESTAMP_T:
 * "2026-11-21T05:21:03+00:00").
 */
import type { BrokenDownTime, LocalTime } from '@ipcutils/core';

export type TimeFormat = 'short' | 'full' | 'iso';

// The C locale's %a and %b.
const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** Formats seconds since the epoch; `now` (seconds) decides what "today" and "this year" are. */
export function formatTime(seconds: number, format: TimeFormat, now: number, localTime: LocalTime): string {
  const time = localTime(seconds);
  switch (format) {
    case 'full':
      return formatAsctime(time);
    case 'iso':
      return formatIso(time, seconds);
    case 'short':
      return formatShort(time, localTime(now));
  }
}

function two(n: number): string {
  return n < 10 ? `0${n}` : String(n);
}

function clock(time: BrokenDownTime): string {
  return `${two(time.hours)}:${two(time.minutes)}:${two(time.seconds)}`;
}

function formatAsctime(time: BrokenDownTime): string {
  const day = String(time.day).padStart(2, ' ');
  return `${DAYS[time.weekday]} ${MONTHS[time.month]} ${day} ${clock(time)} ${time.year}`;
}

function formatIso(time: BrokenDownTime, seconds: number): string {
  // tm_gmtoff: how far the broken-down local time is ahead of UTC.
  const local = Date.UTC(time.year, time.month, time.day, time.hours, time.minutes, time.seconds) / 1000;
  const offset = Math.round((local - seconds) / 60);
  const sign = offset < 0 ? '-' : '+';
  const zone = `${sign}${two(Math.floor(Math.abs(offset) / 60))}:${two(Math.abs(offset) % 60)}`;
  return `${time.year}-${two(time.month + 1)}-${two(time.day)}T${clock(time)}${zone}`;
}

function formatShort(time: BrokenDownTime, now: BrokenDownTime): string {
  const sameYear = time.year === now.year;
  if (sameYear && time.month === now.month && time.day === now.day) {
    return `${two(time.hours)}:${two(time.minutes)}`;
  }
  const monthDay = `${MONTHS[time.month]}${two(time.day)}`;
  return sameYear ? monthDay : `${time.year}-${monthDay}`;
}
