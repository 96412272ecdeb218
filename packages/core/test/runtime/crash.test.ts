/**
 * Issue #13 item 4: nothing another process does to an object kills this one. The readers run in
 * child processes, so a SIGBUS shows as their signal instead of taking the test runner down.
 */
import { spawn } from 'node:child_process';
import { rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { collect, NOBODY } from '../../../../test/helpers/namespace.js';
import { buildScript, runScriptAs } from '../../../../test/helpers/script.js';
import { listPosixSems } from '../../src/posix/list.js';
import { getPosixSemValue, openPosixSem } from '../../src/posix/sem.js';
import { openPosixShm, unlinkPosixShm } from '../../src/posix/shm.js';

const CORE = `'../packages/core/src/index.ts'`;

describe('a POSIX shm object truncated by another process', () => {
  it('never kills a reader or writer of its mapping (SIGBUS): the access throws EFAULT instead', async () => {
    const name = `truncated-${process.pid}`;
    openPosixShm(name, { create: true, size: 64 * 1024 }).close();
    const truncator = await buildScript(`
      import { openPosixShm } from ${CORE};
      const handle = openPosixShm(process.argv[2]!);
      const until = Date.now() + Number(process.argv[3]);
      let rounds = 0;
      while (Date.now() < until) { handle.resize(0); handle.resize(64 * 1024); rounds++; }
      console.log(rounds);
    `);
    const reader = await buildScript(`
      import { openPosixShm } from ${CORE};
      const handle = openPosixShm(process.argv[2]!);
      // A fixed length: the object may be empty at this moment (mapping past the end is allowed).
      let mapping;
      while (mapping === undefined) {
        try { mapping = handle.map({ length: 64 * 1024 }); } catch {}
      }
      const until = Date.now() + Number(process.argv[3]);
      let reads = 0, faults = 0;
      while (Date.now() < until) {
        try { mapping.read(0, 64 * 1024); mapping.write(60 * 1024, 'x'); reads++; }
        catch (error) { if ((error as { code?: string }).code !== 'EFAULT') throw error; faults++; }
      }
      console.log(JSON.stringify({ reads, faults }));
    `);
    try {
      const run = (script: string) =>
        collect(spawn(process.execPath, [script, name, '1500'], { stdio: ['ignore', 'pipe', 'pipe'] }));
      const [truncated, read] = await Promise.all([run(truncator), run(reader)]);
      expect(truncated.status).toBe(0);
      // 135 (128 + SIGBUS) on a reader that touches the mapping.
      expect({ status: read.status, stderr: read.stderr }).toEqual({ status: 0, stderr: '' });
      const { reads, faults } = JSON.parse(read.stdout);
      expect(reads + faults).toBeGreaterThan(100);
    } finally {
      unlinkPosixShm(name);
    }
  });
});

describe('sem.* files planted in /dev/shm', () => {
  const PROBE = `
    import { getPosixSemValue, listPosixSems, openPosixSem } from ${CORE};
    const name = process.argv[2]!;
    let open;
    try { const sem = openPosixSem(name); open = { value: sem.value() }; sem.close(); }
    catch (error) { open = { name: (error as Error).name, code: (error as { code?: string }).code }; }
    const listed = (listPosixSems(undefined, getPosixSemValue) ?? []).filter((sem) => sem.name === name);
    console.log(JSON.stringify({ open, value: getPosixSemValue(name) ?? null, listed: listed.length }));
  `;

  it.each([
    ['an empty file', "writeFileSync(path, '')"],
    ['a short file', 'writeFileSync(path, Buffer.alloc(10, 1))'],
    ['a fifo', "execFileSync('mkfifo', [path])"],
    ['a directory', 'mkdirSync(path)'],
    ['a symlink to /dev/zero', "symlinkSync('/dev/zero', path)"],
  ])('gives a typed error for %s, reports no value, and does not die', async (_what, plant) => {
    const name = `planted-${process.pid}`;
    const path = `/dev/shm/sem.${name}`;
    // Planted by nobody, so root cannot have made it: the probe runs as root.
    const planter = await buildScript(`
      import { execFileSync } from 'node:child_process';
      import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
      const path = process.argv[2]!;
      ${plant};
    `);
    const planted = await runScriptAs(NOBODY, planter, [path]);
    expect(planted.status).toBe(0);
    try {
      const probe = collect(
        spawn(process.execPath, [await buildScript(PROBE), name], { stdio: ['ignore', 'pipe', 'pipe'] }),
      );
      const { status, stdout, stderr } = await probe;
      expect({ status, stderr }).toEqual({ status: 0, stderr: '' });
      expect(JSON.parse(stdout)).toEqual({
        open: { name: 'IpcError', code: expect.stringMatching(/^E(INVAL|ACCES|NOENT)$/) },
        value: null,
        listed: 0,
      });
    } finally {
      rmSync(path, { recursive: true, force: true });
    }
  });

  it('refuses a semaphore whose file was truncated after it was opened', async () => {
    const name = `shrunk-${process.pid}`;
    const sem = openPosixSem(name, { create: true, value: 3 });
    try {
      expect(sem.value()).toBe(3);
      expect(getPosixSemValue(name)).toBe(3);
      expect(listPosixSems(undefined, getPosixSemValue)?.find((entry) => entry.name === name)).toMatchObject({
        value: 3,
      });
      writeFileSync(`/dev/shm/sem.${name}`, '');
      expect(() => sem.post()).toThrow(expect.objectContaining({ name: 'IpcError', code: 'EINVAL' }));
      expect(() => sem.value()).toThrow(expect.objectContaining({ code: 'EINVAL' }));
      await expect(sem.wait({ timeout: 10 })).rejects.toMatchObject({ code: 'EINVAL' });
    } finally {
      sem.close();
      unlinkSync(`/dev/shm/sem.${name}`);
    }
  });
});
