/**
 * lsipc's --time-format in the local time zone (the process's TZ): short (util-linux
 * strtime_short(): "HH:MM" today, "%b%d" this year, "%Y-%b%d" before), full (asctime(3) without
 * the newline) and iso (strtime_iso() with ISO_TIMESTAMP_T: "2026-11-21T05:21:03+00:00").
 */

export type TimeFormat = 'short' | 'full' | 'iso';

// The C locale's %a and %b.
const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** Formats seconds since the epoch; `now` (seconds) decides what "today" and "this year" are. */
export function formatTime(seconds: number, format: TimeFormat, now: number): string {
  const date = new Date(seconds * 1000);
  switch (format) {
    case 'full':
      return formatAsctime(date);
    case 'iso':
      return formatIso(date);
    case 'short':
      return formatShort(date, new Date(now * 1000));
  }
}

function two(n: number): string {
  return n < 10 ? `0${n}` : String(n);
}

function formatAsctime(date: Date): string {
  const day = String(date.getDate()).padStart(2, ' ');
  const clock = `${two(date.getHours())}:${two(date.getMinutes())}:${two(date.getSeconds())}`;
  return `${DAYS[date.getDay()]} ${MONTHS[date.getMonth()]} ${day} ${clock} ${date.getFullYear()}`;
}

function formatIso(date: Date): string {
  const offset = -date.getTimezoneOffset();
  const sign = offset < 0 ? '-' : '+';
  const zone = `${sign}${two(Math.floor(Math.abs(offset) / 60))}:${two(Math.abs(offset) % 60)}`;
  const day = `${date.getFullYear()}-${two(date.getMonth() + 1)}-${two(date.getDate())}`;
  return `${day}T${two(date.getHours())}:${two(date.getMinutes())}:${two(date.getSeconds())}${zone}`;
}

function formatShort(date: Date, now: Date): string {
  const sameYear = date.getFullYear() === now.getFullYear();
  if (sameYear && date.getMonth() === now.getMonth() && date.getDate() === now.getDate()) {
    return `${two(date.getHours())}:${two(date.getMinutes())}`;
  }
  const monthDay = `${MONTHS[date.getMonth()]}${two(date.getDate())}`;
  return sameYear ? monthDay : `${date.getFullYear()}-${monthDay}`;
}
