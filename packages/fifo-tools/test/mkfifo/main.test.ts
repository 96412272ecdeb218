import { lstatSync, mkdtempSync, readlinkSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { memoryIo } from '@ipcutils/cli';
import { afterAll, describe, expect, it } from 'vitest';
import { type MkfifoDependencies, main } from '../../src/mkfifo/main.js';
import { readUmask } from '../../src/mkfifo/umask.js';

const dir = mkdtempSync(join(tmpdir(), 'mkfifo-main-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function run(args: string[], umask = 0o022, dependencies: Partial<MkfifoDependencies> = {}) {
  const io = memoryIo({ programName: 'mkfifo', env: { LC_ALL: 'C' } });
  const status = io.take(main(args, io, { readUmask: () => umask, ...dependencies }));
  return { status, stdout: io.stdout, stderr: io.stderr };
}

describe('mkfifo main', () => {
  it('creates FIFOs with exactly the -m mode, whatever the umask', () => {
    const path = join(dir, 'exact');
    expect(run(['-m', 'u=rw,g=r', path], 0o077)).toEqual({ status: 0, stdout: '', stderr: '' });
    const stat = lstatSync(path);
    expect(stat.isFIFO()).toBe(true);
    expect(stat.mode & 0o7777).toBe(0o646);
  });

  it('never changes the target of a symbolic link put at the name before the chmod, as lchmod', () => {
    const target = join(dir, 'victim');
    writeFileSync(target, '', { mode: 0o600 });
    const path = join(dir, 'swapped');
    // Another user, in a directory they may write, swaps the new FIFO for a link.
    const makeFifo = (name: string) => symlinkSync(target, name);
    expect(run(['-m', '666', path], 0o022, { makeFifo })).toEqual({
      status: 1,
      stdout: '',
      stderr: `mkfifo: cannot set permissions of '${path}': Operation not supported\n`,
    });
    expect(lstatSync(target).mode & 0o7777).toBe(0o600);
    expect(readlinkSync(path)).toBe(target);
  });

  it('tries every name and exits 1 if any failed, quoting names as coreutils does', () => {
    const existing = join(dir, "it's here");
    writeFileSync(existing, '');
    const fresh = join(dir, 'fresh');
    const result = run([existing, fresh, join(dir, 'no/such')]);
    expect(result.status).toBe(1);
    expect(result.stderr).toBe(
      `mkfifo: cannot create fifo "${existing}": File exists\n` +
        `mkfifo: cannot create fifo '${dir}/no/such': No such file or directory\n`,
    );
    expect(lstatSync(fresh).isFIFO()).toBe(true);
  });

  it('refuses special bits and bad modes before creating anything', () => {
    const path = join(dir, 'never');
    expect(run(['-m', 'u+s', path]).stderr).toBe('mkfifo: mode must specify only file permission bits\n');
    expect(run(['-m', '99', path])).toEqual({ status: 1, stdout: '', stderr: 'mkfifo: invalid mode\n' });
    expect(() => lstatSync(path)).toThrow();
  });

  it('prints help and version on stdout', () => {
    expect(run(['--help']).stdout).toMatch(/^Usage: mkfifo \[OPTION\]\.\.\. NAME\.\.\.\n/);
    expect(run(['--version'])).toEqual({ status: 0, stdout: 'mkfifo (ipcutils) 0.2.0\n', stderr: '' });
  });
});

describe('readUmask', () => {
  it('reads the Umask line of /proc/self/status', () => {
    const status = join(dir, 'status');
    writeFileSync(status, 'Name:\tnode\nUmask:\t0027\nState:\tR (running)\n');
    expect(readUmask(status)).toBe(0o027);
    expect(readUmask()).toBeGreaterThanOrEqual(0);
  });
});
