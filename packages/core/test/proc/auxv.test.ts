import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readPageSize } from '../../src/proc/auxv.js';

describe('readPageSize', () => {
  it("agrees with getconf on this machine's aux vector", () => {
    expect(readPageSize()).toBe(Number(execFileSync('getconf', ['PAGESIZE'], { encoding: 'utf8' })));
  });

  it('finds AT_PAGESZ among other entries, and falls back to 4096', () => {
    const dir = mkdtempSync(join(tmpdir(), 'auxv-'));
    const auxv = Buffer.alloc(16 * 4);
    auxv.writeBigUInt64LE(33n, 0); // AT_SYSINFO_EHDR
    auxv.writeBigUInt64LE(0x7fffn, 8);
    auxv.writeBigUInt64LE(6n, 16); // AT_PAGESZ
    auxv.writeBigUInt64LE(65536n, 24);
    writeFileSync(join(dir, 'auxv'), auxv);
    expect(readPageSize(join(dir, 'auxv'))).toBe(65536);
    writeFileSync(join(dir, 'none'), Buffer.alloc(32));
    expect(readPageSize(join(dir, 'none'))).toBe(4096);
    expect(readPageSize(join(dir, 'missing'))).toBe(4096);
  });
});
