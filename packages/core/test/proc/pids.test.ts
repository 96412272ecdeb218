import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { listChildPids } from '../../src/proc/pids.js';

describe('listChildPids', () => {
  it('lists the children of a live process, and none once they are reaped', async () => {
    const child = spawn('sleep', ['10']);
    try {
      expect(listChildPids('/proc', process.pid)).toContain(child.pid);
      expect(listChildPids('/proc', child.pid!)).toEqual([]);
    } finally {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGKILL');
      await exited;
    }
    expect(listChildPids('/proc', process.pid)).not.toContain(child.pid);
  });

  it('reads the children of every thread, and undefined for a process that is gone', () => {
    const proc = mkdtempSync(join(tmpdir(), 'proc-'));
    for (const [task, children] of [
      ['7', '8 9 '],
      ['10', '11 '],
      ['12', ''],
    ]) {
      mkdirSync(join(proc, '7/task', task!), { recursive: true });
      writeFileSync(join(proc, '7/task', task!, 'children'), children!);
    }
    expect(listChildPids(proc, 7)?.sort((a, b) => a - b)).toEqual([8, 9, 11]);
    expect(listChildPids(proc, 8)).toBeUndefined();
  });
});
