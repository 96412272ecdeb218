import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type MemoryIo, memoryIo, printed, UsageError, usageFailure } from '@ipcutils/cli';
import { makeFifo } from '@ipcutils/core';
import { afterAll, describe, expect, it } from 'vitest';
import { parseOptions as parseRmfifoOptions } from '../../src/rmfifo/options.js';
import { selectFifos } from '../../src/rmfifo/select.js';

/** The options, or the exit status after recording what main would print. */
function parseOptions(argv: readonly string[], io: MemoryIo) {
  try {
    const parsed = parseRmfifoOptions(argv, io.programName);
    return parsed.kind === 'run' ? parsed.options : io.take(printed(parsed.text));
  } catch (error) {
    if (error instanceof UsageError) return io.take(usageFailure(error, io.programName));
    throw error;
  }
}

const dir = mkdtempSync(join(tmpdir(), 'rmfifo-select-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('selectFifos', () => {
  it('takes FIFOs, refuses every other kind of file, and follows no symbolic link', () => {
    const at = (name: string) => join(dir, name);
    makeFifo(at('fifo'));
    writeFileSync(at('regular'), '');
    mkdirSync(at('tree/sub'), { recursive: true });
    makeFifo(at('tree/sub/deep'));
    symlinkSync(at('fifo'), at('link-to-fifo'));
    symlinkSync(at('tree'), at('link-to-tree'));
    symlinkSync(at('tree'), at('tree/sub/loop'));
    const flat = selectFifos(['fifo', 'regular', 'tree', 'link-to-fifo', 'missing'].map(at), {
      recursive: false,
    });
    expect(flat.candidates.map((c) => c.path)).toEqual([at('fifo')]);
    expect(flat.problems).toEqual([
      { path: at('regular'), kind: 'not-a-fifo', fileType: 'regular file' },
      { path: at('tree'), kind: 'not-a-fifo', fileType: 'directory' },
      { path: at('link-to-fifo'), kind: 'not-a-fifo', fileType: 'symbolic link' },
      { path: at('missing'), kind: 'inaccessible', code: 'ENOENT' },
    ]);
    const recursive = selectFifos([at('tree'), at('link-to-tree'), at('tree/sub/deep')], { recursive: true });
    expect(recursive.candidates.map((c) => c.path)).toEqual([at('tree/sub/deep')]);
    expect(recursive.problems).toEqual([
      { path: at('link-to-tree'), kind: 'not-a-fifo', fileType: 'symbolic link' },
    ]);
  });
});

describe('rmfifo options', () => {
  it('turns argv into typed options', () => {
    const io = memoryIo({ programName: 'rmfifo' });
    // yargs took a true or false after a flag as the flag's value: ./true was no path.
    expect(parseOptions(['-v', 'true', '--dry-run', 'false'], io)).toMatchObject({
      paths: ['true', 'false'],
      verbose: true,
      dryRun: true,
    });
    expect(parseOptions(['-urnv', '--older-than', '7d', 'a', '--', '-b'], io)).toEqual({
      paths: ['a', '-b'],
      unused: true,
      olderThanMs: 7 * 86_400_000,
      recursive: true,
      dryRun: true,
      verbose: true,
    });
  });

  it.each([
    [['--older-than', '5'], "rmfifo: invalid duration: '5' (use e.g. 90s, 30m, 12h, 7d)"],
    [['--older-than'], "rmfifo: option '--older-than' requires an argument"],
    [[], 'rmfifo: no path specified'],
    [['--force', 'x'], "rmfifo: unrecognized option '--force'"],
    [['-_', 'x'], "rmfifo: unrecognized option '-_'"],
    // yargs took `=yes` as the flag's value, and removed x.
    [['--verbose=yes', 'x'], "rmfifo: option '--verbose' doesn't allow an argument"],
    [['-v=1', 'x'], "rmfifo: option '-v' doesn't allow an argument"],
  ])('rejects %j', (argv, message) => {
    const io = memoryIo({ programName: 'rmfifo' });
    expect(parseOptions(argv, io)).toBe(1);
    expect(io.stderr).toBe(`${message}\nTry 'rmfifo --help' for more information.\n`);
  });
});
