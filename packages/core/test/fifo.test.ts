import { chmodSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { NOBODY } from '../../../test/helpers/namespace.js';
import { buildScript, runScript, runScriptAs } from '../../../test/helpers/script.js';
import { IpcError } from '../src/errors.js';
import { makeFifo } from '../src/fifo.js';

const dir = mkdtempSync(join(tmpdir(), 'fifo-test-'));

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

function withUmask<T>(mask: number, body: () => T): T {
  const old = process.umask(mask);
  try {
    return body();
  } finally {
    process.umask(old);
  }
}

function thrownBy(body: () => void): unknown {
  try {
    body();
  } catch (error) {
    return error;
  }
  throw new Error('expected an error');
}

const MAKER = `
import { makeFifo } from '../packages/core/src/fifo.ts';
try {
  makeFifo(process.argv[2]!);
  console.log(JSON.stringify({ ok: true }));
} catch (error) {
  console.log(JSON.stringify({ code: (error as { code?: string }).code, path: (error as { path?: string }).path }));
}
`;

const WRITER = `
import { writeFileSync } from 'node:fs';
writeFileSync(process.argv[2]!, 'through the pipe');
`;

describe('makeFifo', () => {
  it('creates a FIFO with 0666 minus the umask by default', () => {
    const path = join(dir, 'default');
    withUmask(0o022, () => makeFifo(path));
    const stat = statSync(path);
    expect(stat.isFIFO()).toBe(true);
    expect(stat.mode & 0o7777).toBe(0o644);
  });

  it('applies the umask to an explicit mode, as mkfifo(3) does', () => {
    const wide = join(dir, 'umask-077');
    withUmask(0o077, () => makeFifo(wide, 0o666));
    expect(statSync(wide).mode & 0o7777).toBe(0o600);
    const exact = join(dir, 'umask-0');
    withUmask(0, () => makeFifo(exact, 0o640));
    expect(statSync(exact).mode & 0o7777).toBe(0o640);
  });

  it('carries data from a writer process to a reader', async () => {
    const path = join(dir, 'pipe');
    makeFifo(path, 0o600);
    const reading = readFile(path, 'utf8');
    await runScript(await buildScript(WRITER), [path]);
    await expect(reading).resolves.toBe('through the pipe');
  });

  it('fails with EEXIST on an existing path, with the path on the error', () => {
    const path = join(dir, 'exists');
    writeFileSync(path, 'regular');
    const error = thrownBy(() => makeFifo(path));
    expect(error).toBeInstanceOf(IpcError);
    expect(error).toMatchObject({ code: 'EEXIST', syscall: 'mkfifo', path });
    expect((error as IpcError).message).toBe(`mkfifo (${path}): File exists`);
    expect(readFileSync(path, 'utf8')).toBe('regular');
  });

  it('fails with ENOENT in a missing directory and for the empty path', () => {
    const path = join(dir, 'nodir', 'x');
    expect(() => makeFifo(path)).toThrow(expect.objectContaining({ code: 'ENOENT', path }));
    expect(() => makeFifo('')).toThrow(expect.objectContaining({ code: 'ENOENT', path: '' }));
  });

  it('fails with ENOTDIR under a regular file', () => {
    const file = join(dir, 'plain-file');
    writeFileSync(file, '');
    expect(() => makeFifo(join(file, 'x'))).toThrow(expect.objectContaining({ code: 'ENOTDIR' }));
  });

  it('fails with ENAMETOOLONG for a component longer than NAME_MAX (255)', () => {
    expect(() => makeFifo(join(dir, 'n'.repeat(256)))).toThrow(
      expect.objectContaining({ code: 'ENAMETOOLONG' }),
    );
    makeFifo(join(dir, 'n'.repeat(255)));
    expect(statSync(join(dir, 'n'.repeat(255))).isFIFO()).toBe(true);
  });

  it('refuses a path with a NUL byte instead of creating its prefix', () => {
    const before = readdirSync(dir).length;
    expect(() => makeFifo(join(dir, 'cut\0here'))).toThrow(expect.objectContaining({ code: 'EINVAL' }));
    expect(readdirSync(dir).length).toBe(before);
  });

  it('refuses a mode that is no mode_t and a path that is no string, creating nothing', () => {
    const before = readdirSync(dir).length;
    // NaN made a fifo of mode 0, '644' failed with ffi-rs's empty NumberExpected.
    expect(() => makeFifo(join(dir, 'nan'), Number.NaN)).toThrow(RangeError);
    expect(() => makeFifo(join(dir, 'big'), 0o10000)).toThrow(RangeError);
    expect(() => makeFifo(join(dir, 'text'), '644' as unknown as number)).toThrow(
      new TypeError('mode must be a number (got "644")'),
    );
    expect(() => makeFifo(42 as unknown as string)).toThrow(new TypeError('path must be a string (got 42)'));
    expect(readdirSync(dir).length).toBe(before);
  });

  it('fails with EACCES for an unprivileged user in a directory it cannot write', async () => {
    const sub = mkdtempSync(join(dir, 'root-only-'));
    // Searchable by everyone, writable only by root.
    chmodSync(dir, 0o755);
    chmodSync(sub, 0o755);
    const path = join(sub, 'denied');
    const { stdout } = await runScriptAs(NOBODY, await buildScript(MAKER), [path]);
    expect(JSON.parse(stdout)).toEqual({ code: 'EACCES', path });
    expect(() => statSync(path)).toThrow();
  });
});
