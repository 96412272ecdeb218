// lsfifo below mount points, in a private mount namespace: /proc and other pseudo filesystems are
// not walked unless named (as nobody, walking a proc mount fails on every process's fd directory),
// and -x (--one-file-system) stays on each path's filesystem.
import { chmodSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { root } from './helpers/bins.js';
import { type IpcNamespace, NOBODY, withNamespace } from './helpers/namespace.js';

const lsfifo = join(root, 'bin', 'lsfifo');
let dir: string;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'lsfifo-fs-'));
  chmodSync(dir, 0o755);
  for (const sub of ['proc', 'other']) mkdirSync(join(dir, sub));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function withMounts(body: (ns: IpcNamespace) => Promise<void>) {
  await withNamespace(async (ns) => {
    const setup = await ns.sh(
      `mount -t proc proc ${dir}/proc && mount -t tmpfs -o mode=755 tmpfs ${dir}/other && rm -f ${dir}/top && mkfifo ${dir}/top ${dir}/other/below`,
    );
    expect(setup).toMatchObject({ status: 0, stderr: '' });
    await body(ns);
  });
}

it('does not descend into a proc mount below the path, and lists the rest', async () => {
  await withMounts(async (ns) => {
    const result = await ns.run(lsfifo, ['-n', '-o', 'PATH', dir], { user: NOBODY });
    expect(result).toEqual({ status: 0, stderr: '', stdout: `${dir}/other/below\n${dir}/top\n` });
    // Named, the proc mount is walked: nobody cannot read root's fd directories.
    const asked = await ns.run(lsfifo, ['-n', '-d', '3', `${dir}/proc/1`], { user: NOBODY });
    expect(asked.stderr).toMatch(/cannot open directory/);
    expect(asked.status).toBe(1);
  });
});

it('-x and --one-file-system stay on the filesystem of the path', async () => {
  await withMounts(async (ns) => {
    for (const option of ['-x', '--one-file-system']) {
      const result = await ns.run(lsfifo, [option, '-n', '-o', 'PATH', dir]);
      expect(result).toEqual({ status: 0, stderr: '', stdout: `${dir}/top\n` });
    }
    expect((await ns.run(lsfifo, ['-x', '-n', '-o', 'PATH', `${dir}/other`])).stdout).toBe(
      `${dir}/other/below\n`,
    );
  });
});
