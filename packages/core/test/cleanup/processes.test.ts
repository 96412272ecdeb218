import { renameSync, rmSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  isPidGone,
  PID_REUSE_MARGIN_SECONDS,
  ProcessTable,
  parseProcStat,
} from '../../src/cleanup/processes.js';
import { readClockTicks } from '../../src/proc/auxv.js';
import { BOOT_TIME, FakeProc } from './fake-proc.js';

let proc: FakeProc;
beforeEach(() => {
  proc = new FakeProc();
});
afterEach(() => proc.remove());

describe('parseProcStat', () => {
  it('counts fields from the last parenthesis, so a command may hold blanks and parentheses', () => {
    const rest = ['S', ...Array.from({ length: 18 }, (_, n) => String(n + 100)), '123456', '7'].join(' ');
    expect(parseProcStat(`42 (a) b (c)) ${rest}\n`)).toEqual({
      command: 'a) b (c)',
      state: 'S',
      startTicks: 123456,
    });
  });

  it('gives up on a line without fields', () => {
    expect(parseProcStat('42 (x)')).toBeUndefined();
    expect(parseProcStat('garbage')).toBeUndefined();
  });
});

describe('readClockTicks', () => {
  it('reads AT_CLKTCK from the auxiliary vector', () => {
    const other = new FakeProc({ clockTicks: 250 });
    try {
      expect(readClockTicks(other.root)).toBe(250);
    } finally {
      other.remove();
    }
  });

  it('is the real USER_HZ on this machine', () => {
    expect(readClockTicks()).toBe(100);
  });
});

describe('ProcessTable.pidState', () => {
  const recordedAt = BOOT_TIME + 1000;

  it('pid 0 is no pid when nothing was recorded, unknown when something was', () => {
    const table = new ProcessTable({ procRoot: proc.root });
    expect(table.pidState(0, 0)).toBe('none');
    expect(table.pidState(0, recordedAt)).toBe('unknown');
    expect(table.pidState(0, 0, true)).toBe('unknown');
  });

  it('a pid no process has is gone', () => {
    expect(new ProcessTable({ procRoot: proc.root }).pidState(4242, recordedAt)).toBe('gone');
  });

  it('a zombie is gone', () => {
    proc.add({ pid: 4242, state: 'Z', startTicks: 0 });
    expect(new ProcessTable({ procRoot: proc.root }).pidState(4242, recordedAt)).toBe('gone');
  });

  it('a process started before the recording is alive', () => {
    proc.add({ pid: 4242, startTicks: 999 * 100 });
    expect(new ProcessTable({ procRoot: proc.root }).pidState(4242, recordedAt)).toBe('alive');
  });

  it('a process started within the margin after the recorded second still counts as alive', () => {
    proc.add({ pid: 4242, startTicks: (1000 + PID_REUSE_MARGIN_SECONDS) * 100 - 1 });
    expect(new ProcessTable({ procRoot: proc.root }).pidState(4242, recordedAt)).toBe('alive');
  });

  it('a process started past the margin is a reuse of the pid', () => {
    proc.add({ pid: 4242, startTicks: (1000 + PID_REUSE_MARGIN_SECONDS) * 100 });
    expect(new ProcessTable({ procRoot: proc.root }).pidState(4242, recordedAt)).toBe('reused');
  });

  it('with no recording time a live pid is alive whatever its start', () => {
    proc.add({ pid: 4242, startTicks: 10_000_000 });
    expect(new ProcessTable({ procRoot: proc.root }).pidState(4242, 0, true)).toBe('alive');
  });

  it('reads each process once per table', () => {
    proc.add({ pid: 4242, startTicks: 0 });
    const table = new ProcessTable({ procRoot: proc.root });
    expect(table.pidState(4242, recordedAt)).toBe('alive');
    rmSync(join(proc.root, '4242'), { recursive: true });
    expect(table.pidState(4242, recordedAt)).toBe('alive');
    expect(new ProcessTable({ procRoot: proc.root }).pidState(4242, recordedAt)).toBe('gone');
  });

  it('without a boot time no pid counts as reused', () => {
    proc.add({ pid: 4242, startTicks: 10_000_000 });
    expect(new ProcessTable({ procRoot: proc.root }).pidState(4242, recordedAt)).toBe('reused');
    rmSync(join(proc.root, 'stat'));
    expect(new ProcessTable({ procRoot: proc.root }).pidState(4242, recordedAt)).toBe('alive');
  });

  it("a /proc of another pid namespace (its self is not our pid) knows no recorded pid's fate", () => {
    proc.add({ pid: 4242, startTicks: 999 * 100 });
    renameSync(join(proc.root, 'self'), join(proc.root, String(process.pid + 1)));
    symlinkSync(String(process.pid + 1), join(proc.root, 'self'));
    const table = new ProcessTable({ procRoot: proc.root });
    expect(table.pidState(4242, recordedAt)).toBe('unknown');
    expect(table.pidState(4243, recordedAt)).toBe('unknown');
    expect(table.pidState(0, 0)).toBe('none');
    rmSync(join(proc.root, 'self'));
    symlinkSync(String(process.pid), join(proc.root, 'self'));
    expect(new ProcessTable({ procRoot: proc.root }).pidState(4242, recordedAt)).toBe('alive');
  });

  it('sees this very process alive, started before now', () => {
    const now = Math.floor(Date.now() / 1000);
    expect(new ProcessTable().pidState(process.pid, now)).toBe('alive');
    expect(new ProcessTable().lookup(process.pid)).toMatchObject({ pid: process.pid, zombie: false });
  });
});

describe('isPidGone', () => {
  it('only none, gone and reused free an object', () => {
    expect(['none', 'gone', 'reused', 'alive', 'unknown'].map((s) => isPidGone(s as never))).toEqual([
      true,
      true,
      true,
      false,
      false,
    ]);
  });
});
