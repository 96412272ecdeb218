// A signal during a removal: the batch under way finishes (its FIFOs are renamed away until
// unlinked or put back), later ones are left untouched, and rmfifo exits 128 + N.
import { mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { memoryIo } from '@ipcutils/cli';
import { makeFifo } from '@ipcutils/core';
import { afterAll, describe, expect, it } from 'vitest';
import { main } from '../../src/rmfifo/main.js';

const dir = mkdtempSync(join(tmpdir(), 'rmfifo-interrupt-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('rmfifo interrupted', () => {
  it('finishes the batch under way, leaves later FIFOs under their names, exits 128 + N', async () => {
    const tree = join(dir, 'tree');
    mkdirSync(tree);
    for (let i = 0; i < 700; i++) makeFifo(join(tree, `f${i}`));
    const controller = new AbortController();
    let renamed = 0;
    const io = memoryIo({ programName: 'rmfifo', env: { LC_ALL: 'C' } });
    const status = io.take(
      await main(['-r', tree], io, {
        trapInterrupts: () => ({ signal: controller.signal, release: () => {} }),
        // The signal arrives while the first batch is being renamed away.
        hooks: { beforeRename: () => void (++renamed === 10 && controller.abort('SIGINT')) },
      }),
    );
    const left = readdirSync(tree);
    expect(left.filter((name) => name.startsWith('.rmfifo-'))).toEqual([]);
    // One batch is 512 FIFOs.
    expect([renamed, left.length]).toEqual([512, 700 - 512]);
    expect({ status, stdout: io.stdout, stderr: io.stderr }).toEqual({
      status: 130,
      stdout: '',
      stderr: 'rmfifo: SIGINT: stopped with 188 FIFOs untouched\n',
    });
  });
});
