// localtime() under TZ, checked against glibc itself: date(1) formats the same instants.
import { execFileSync } from 'node:child_process';
import { localTimeFor, parsePosixTz } from '@ipcutils/core';
import { afterAll, describe, expect, it } from 'vitest';
import { formatCtime } from '../../src/ipcs/format.js';

const savedTz = process.env.TZ;
afterAll(() => {
  process.env.TZ = savedTz;
});

/** Every 30 minutes across 2026's spring and autumn changes, and a few other instants. */
const INSTANTS = [
  0,
  1_000_000_000,
  1795238463,
  // Before 1901 and the first transition of most zones, and after the last one a file lists
  // (2037): the footer's rule applies there.
  -3_000_000_000,
  -2_208_988_800,
  2_200_000_000,
  4_102_444_800,
  // The leap second at the end of 2016 as "right/" zones count it: 23:59:59, :60, then 00:00:00.
  1_483_228_825,
  1_483_228_826,
  1_483_228_827,
  ...[
    Date.UTC(2026, 2, 7),
    Date.UTC(2026, 2, 27),
    Date.UTC(2026, 3, 3),
    Date.UTC(2026, 8, 26),
    Date.UTC(2026, 9, 24),
    Date.UTC(2026, 10, 1),
  ].flatMap((start) => Array.from({ length: 4 * 48 }, (_, n) => start / 1000 + n * 1800)),
];

function glibcCtimes(tz: string): string[] {
  const input = INSTANTS.map((t) => `@${t}`).join('\n');
  return execFileSync('date', ['-f', '-', '+%a %b %e %H:%M:%S %Y'], {
    input,
    encoding: 'utf8',
    env: { TZ: tz },
  })
    .trimEnd()
    .split('\n');
}

describe('localTimeFor', () => {
  it.each([
    'XYZ-3:30',
    '<+0330>-3:30',
    '<-03>3',
    'CET-1CEST,M3.5.0,M10.5.0/3',
    'NZST-12NZDT,M9.5.0,M4.1.0/3',
    'AAA3BBB,J60/1,J300/-1',
    'AAA-2BBB-3,59,280/25',
    'garbage',
    'Foo/Bar',
    '',
    'Asia/Kolkata',
    ':Europe/London',
    '/usr/share/zoneinfo/America/Sao_Paulo',
    '/usr/share/zoneinfo/Australia/Lord_Howe',
    ':Nowhere/Atlantis',
    'UTC',
    ':UTC',
    'EST',
    'Etc/GMT+5',
    'America/New_York',
    'Europe/Dublin',
    'Africa/Casablanca',
    'Pacific/Apia',
    'Antarctica/Troll',
    'right/UTC',
    'right/Europe/Paris',
    '/etc/localtime',
    // Odd strings glibc still makes something of: hours capped at 24, minutes and seconds at 59,
    // numbers stored in an unsigned short, a malformed rule that keeps what was read before it.
    'XXX-99:59:59',
    'AAA-25',
    'AAA+99:99:99BBB,M3.2.0,M11.1.0',
    'XXX65560',
    'XXX65536',
    'EST5EDT,M13.2.0,M11.1.0',
    'EST5EDT,M0.2.0,M11.1.0',
    'EST5EDT,M3.2.0,M13.1.0',
    'EST5EDT,M3.6.0,M11.1.0',
    'EST5EDT,M3.2.7,M11.1.0',
    'EST5EDT,J0,J366',
    'EST5EDT,366,0',
    'EST5EDT,M3.2.0/,M11.1.0',
    'EST5EDT,M3.2.0/99:99,M11.1.0/-170',
    'EST5EDT4:99:99,M3.2.0,M11.1.0',
    'EST5 garbage',
    'EST+ 5',
    '<A1>5',
    '<AB>5',
    ':EST5EDT,M3.2.0,M11.1.0',
    // Not zone files: glibc reads 44 bytes and falls back to the string, which is UTC.
    '/dev/zero',
    '/dev/urandom',
    '/proc',
  ])('agrees with glibc for TZ=%j', (tz) => {
    // V8's Date is used only with TZ unset or empty, where it reads TZ from the environment.
    process.env.TZ = tz;
    const localTime = localTimeFor(tz);
    expect(INSTANTS.map((t) => formatCtime(t, localTime))).toEqual(glibcCtimes(tz));
  });

  it('parses rule strings as glibc leaves them, and refuses what has no standard time', () => {
    expect(parsePosixTz('XYZ-3:30')).toMatchObject({ start: { offset: 12600 }, end: { offset: 12600 } });
    expect(parsePosixTz('CET-1CEST,M3.5.0,M10.5.0/3')).toMatchObject({
      start: { offset: 3600, type: 'M', m: 3, n: 5, d: 0, secs: 7200 },
      end: { offset: 7200, type: 'M', m: 10, n: 5, d: 0, secs: 10800 },
    });
    // glibc keeps the month it read, and the end rule is never parsed.
    expect(parsePosixTz('ABC1DEF,M13.1.0,M1.1.0')).toMatchObject({
      start: { type: 'M', m: 13, secs: 0 },
      end: { offset: 0, type: 'J0', d: 0, secs: 0 },
    });
    expect(parsePosixTz('XXX-99:59:59')).toMatchObject({ start: { offset: 24 * 3600 + 59 * 60 + 59 } });
    for (const bad of ['garbage', 'AB-1', 'ABC', '<AB>1', '/dev/zero']) {
      expect(parsePosixTz(bad)).toBeUndefined();
    }
  });
});
