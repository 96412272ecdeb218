import { chmodSync, mkdirSync, mkdtempSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { NOBODY } from '../../../../test/helpers/namespace.js';
import { buildScript, runScriptAs } from '../../../../test/helpers/script.js';
import { ftok } from '../../src/sysv/ftok.js';

const dir = mkdtempSync(join(tmpdir(), 'ftok-'));
const file = join(dir, 'file');
writeFileSync(file, '');
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** glibc's formula over Node's own stat (libuv builds st_dev with glibc's makedev). */
function expectedKey(path: string, projectId: number): number {
  const { dev, ino } = statSync(path, { bigint: true });
  return Number((BigInt(projectId & 0xff) << 24n) | ((dev & 0xffn) << 16n) | (ino & 0xffffn)) | 0;
}

describe('ftok', () => {
  it('derives the key from inode, device and the low 8 bits of the project id', () => {
    for (const path of [file, dir, '/etc/passwd', '/']) {
      for (const projectId of [1, 0x41, 0x7f, 0x141]) {
        expect(ftok(path, projectId)).toBe(expectedKey(path, projectId));
      }
    }
    expect(ftok(file, 0x141)).toBe(ftok(file, 0x41));
    expect(ftok(file, 1)).not.toBe(ftok(file, 2));
  });

  it('returns a signed 32-bit key when the project id has the high bit set', () => {
    const key = ftok(file, 0xff);
    expect(key).toBeLessThan(0);
    expect(key).toBe(expectedKey(file, 0xff));
    expect(key >>> 24).toBe(0xff);
  });

  it('gives the same key for another path to the same file (ftok follows symlinks)', () => {
    symlinkSync(file, join(dir, 'link'));
    expect(ftok(join(dir, 'link'), 7)).toBe(ftok(file, 7));
    expect(ftok(`${dir}/../${dir.split('/').pop()}/file`, 7)).toBe(ftok(file, 7));
  });

  it('throws IpcError ENOENT with the path for a missing file, and ENOTDIR through a file', () => {
    const missing = join(dir, 'missing');
    expect(() => ftok(missing, 1)).toThrow(
      expect.objectContaining({ name: 'IpcError', code: 'ENOENT', syscall: 'ftok', path: missing }),
    );
    expect(() => ftok(join(file, 'below'), 1)).toThrow(expect.objectContaining({ code: 'ENOTDIR' }));
  });

  it('refuses a path with an embedded NUL instead of keying the file named before it', () => {
    // `${file}\0x` would reach C as `file`, which exists and has a key.
    expect(() => ftok(`${file}\0x`, 1)).toThrow(
      expect.objectContaining({ name: 'IpcError', code: 'EINVAL', syscall: 'ftok', path: `${file}\0x` }),
    );
  });

  it('throws EACCES for nobody behind a directory it may not search', async () => {
    const locked = join(dir, 'locked');
    mkdirSync(locked);
    writeFileSync(join(locked, 'inside'), '');
    chmodSync(locked, 0o700);
    chmodSync(dir, 0o755);
    const script = await buildScript(`
      import { ftok } from '../packages/core/src/sysv/ftok.ts';
      try { console.log(ftok(process.argv[2], 1)); }
      catch (error) { console.log((error as { code: string; path: string }).code, (error as { path: string }).path); }
    `);
    const { stdout } = await runScriptAs(NOBODY, script, [join(locked, 'inside')]);
    expect(stdout).toBe(`EACCES ${join(locked, 'inside')}\n`);
    expect(ftok(join(locked, 'inside'), 1)).toBe(expectedKey(join(locked, 'inside'), 1));
  });
});
