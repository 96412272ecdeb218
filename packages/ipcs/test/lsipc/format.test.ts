// Cell formatters: util-linux's time formats (local TZ), percentages as glibc's printf rounds them,
// the STATUS comma quirk, permissions.
import { formatKey, localTimeFor } from '@ipcutils/core';
import { describe, expect, it } from 'vitest';
import { formatPercent, formatPermsCell, formatShmStatus } from '../../src/lsipc/format.js';
import { formatTime } from '../../src/lsipc/time.js';
import { SYSV_TIME } from './fixtures.js';

const UTC = localTimeFor('UTC');

describe('formatTime', () => {
  it('short: HH:MM today, %b%d this year, %Y-%b%d before', () => {
    expect(formatTime(SYSV_TIME, 'short', SYSV_TIME + 3600, UTC)).toBe('05:21');
    expect(formatTime(SYSV_TIME, 'short', SYSV_TIME + 86400 * 3, UTC)).toBe('Nov21');
    expect(formatTime(SYSV_TIME - 86400 * 365, 'short', SYSV_TIME, UTC)).toBe('2025-Nov21');
  });

  it('full is asctime() without the newline, the day padded with a blank', () => {
    expect(formatTime(SYSV_TIME, 'full', 0, UTC)).toBe('Sat Nov 21 05:21:03 2026');
    expect(formatTime(SYSV_TIME - 20 * 86400, 'full', 0, UTC)).toBe('Sun Nov  1 05:21:03 2026');
  });

  it('iso carries the local offset', () => {
    expect(formatTime(SYSV_TIME, 'iso', 0, UTC)).toBe('2026-11-21T05:21:03+00:00');
    const kolkata = localTimeFor('Asia/Kolkata');
    expect(formatTime(SYSV_TIME, 'iso', 0, kolkata)).toBe('2026-11-21T10:51:03+05:30');
    expect(formatTime(SYSV_TIME, 'short', SYSV_TIME, kolkata)).toBe('10:51');
  });

  it('follows glibc POSIX TZ rules, which V8 Date ignores', () => {
    expect(formatTime(SYSV_TIME, 'iso', 0, localTimeFor('CET-1CEST,M3.5.0,M10.5.0/3'))).toBe(
      '2026-11-21T06:21:03+01:00',
    );
    expect(formatTime(SYSV_TIME, 'iso', 0, localTimeFor('<+0330>-3:30'))).toBe('2026-11-21T08:51:03+03:30');
    expect(formatTime(SYSV_TIME, 'full', 0, localTimeFor('EST5EDT4'))).toBe('Sat Nov 21 00:21:03 2026');
  });
});

describe('formatPercent', () => {
  it('prints %2.2f%% with glibc half-to-even rounding of exact ties', () => {
    expect(formatPercent(3, 32000)).toBe('0.01%');
    expect(formatPercent(2, 256)).toBe('0.78%');
    // 8/256*100 = 3.125 exactly: glibc gives 3.12 where toFixed would give 3.13.
    expect(formatPercent(8, 256)).toBe('3.12%');
    expect(formatPercent(24, 256)).toBe('9.38%');
    expect(formatPercent(0, 0)).toBe('-nan%');
  });
});

describe('cells', () => {
  it('STATUS: only "dest" sets util-linux comma flag', () => {
    expect(formatShmStatus(0o1644)).toBe('dest');
    expect(formatShmStatus(0o3644)).toBe('dest,locked');
    expect(formatShmStatus(0o2644)).toBe('locked');
    expect(formatShmStatus(0o6644)).toBe('lockedhugetlb');
    expect(formatShmStatus(0o644)).toBe('');
  });

  it('perms and keys', () => {
    expect(formatPermsCell(0o3640, false)).toBe('rw-r-----');
    expect(formatPermsCell(0o640, true)).toBe('0640');
    expect(formatPermsCell(0, true)).toBe('0');
    expect(formatKey(-1454203926)).toBe('0xa9529bea');
    expect(formatKey(0)).toBe('0x00000000');
  });
});
