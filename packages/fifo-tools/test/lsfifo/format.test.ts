import { type MemoryIo, memoryIo, printed, UsageError, usageFailure } from '@ipcutils/cli';
import { localTimeFor } from '@ipcutils/core';
import { Chalk } from 'chalk';
import { describe, expect, it } from 'vitest';
import type { FifoRecord } from '../../src/lsfifo/collect.js';
import { DEFAULT_COLUMNS, parseColumnList } from '../../src/lsfifo/columns.js';
import { formatColumns, formatJson, formatTable } from '../../src/lsfifo/format.js';
import { parseOptions as parseLsfifoOptions } from '../../src/lsfifo/options.js';

/** The options, or the exit status after recording what main would print. */
function parseOptions(argv: readonly string[], io: MemoryIo) {
  try {
    const parsed = parseLsfifoOptions(argv, io.programName);
    return parsed.kind === 'run' ? parsed.options : io.take(printed(parsed.text));
  } catch (error) {
    if (error instanceof UsageError) return io.take(usageFailure(error, io.programName));
    throw error;
  }
}

const UTC = localTimeFor('UTC');

const records: FifoRecord[] = [
  {
    path: 'a b',
    type: 'fifo',
    inode: 12n,
    uid: 0,
    gid: 0,
    mode: 0o010644,
    mtimeMs: Date.UTC(2024, 4, 21, 14, 3, 7, 250),
    holders: [
      { pid: 42, command: 'cat', access: 'read', fds: [3], opening: false },
      { pid: 43, command: 'sh', access: 'write', fds: [], opening: true },
    ],
    holdersComplete: true,
  },
  {
    path: 'new\nline',
    type: 'pipe',
    inode: 123456n,
    uid: 65534,
    gid: 4242424,
    mode: 0o010600,
    mtimeMs: 0,
    holders: [],
    holdersComplete: false,
  },
];

describe('lsfifo output', () => {
  it('prints aligned plain columns, numbers right-aligned, no trailing blanks', () => {
    const text = formatColumns(
      records,
      { columns: ['PATH', 'TYPE', 'INODE', 'UID', 'GID', 'MODE', 'HOLDERS'], headings: true, localTime: UTC },
      { utf8: true },
    );
    expect(text).toMatchInlineSnapshot(`
      "PATH        TYPE  INODE   UID     GID MODE       HOLDERS
      a b         fifo     12     0       0 prw-r--r-- 42 cat (r), 43 sh (w, opening)
      new\\x0aline pipe 123456 65534 4242424 prw------- unknown
      "
    `);
  });

  it('leaves out the headings with --noheadings', () => {
    expect(
      formatColumns(records, { columns: ['TYPE'], headings: false, localTime: UTC }, { utf8: true }),
    ).toBe('fifo\npipe\n');
    expect(formatColumns([], { columns: ['TYPE'], headings: false, localTime: UTC }, { utf8: true })).toBe(
      '',
    );
  });

  it('prints typed JSON: numbers as numbers, ISO 8601 times, holders as an array', () => {
    const json = JSON.parse(
      formatJson(records, {
        columns: ['PATH', 'INODE', 'MODE', 'MTIME', 'HOLDERS'],
        headings: true,
        localTime: UTC,
      }),
    );
    expect(json.fifos[0]).toEqual({
      path: 'a b',
      inode: 12,
      mode: 0o644,
      permissions: 'prw-r--r--',
      mtime: '2024-05-21T14:03:07.250Z',
      holders: [
        { pid: 42, command: 'cat', access: 'read', fds: [3], opening: false },
        { pid: 43, command: 'sh', access: 'write', fds: [], opening: true },
      ],
      holders_complete: true,
    });
    expect(json.fifos[1]).toMatchObject({ path: 'new\nline', holders: [], holders_complete: false });
  });

  it('draws a table with bold headings and a yellow "unknown" when colour is on', async () => {
    const text = await formatTable(
      records,
      { columns: ['PATH', 'HOLDERS'], headings: true, localTime: UTC },
      new Chalk({ level: 1 }),
    );
    expect(text).toContain('\u001b[1mPATH\u001b[22m');
    expect(text).toContain('\u001b[33munknown\u001b[39m');
    expect(text.split('\n')).toHaveLength(6);
  });
});

describe('lsfifo options', () => {
  it('parses -o lists, with + adding to the defaults', () => {
    expect(parseColumnList('path,Holders')).toEqual(['PATH', 'HOLDERS']);
    expect(parseColumnList('+inode')).toEqual([...DEFAULT_COLUMNS, 'INODE']);
    expect(parseColumnList('path,bogus')).toEqual({ unknown: 'bogus' });
  });

  it('turns argv into typed options', () => {
    const io = memoryIo({ programName: 'lsfifo' });
    expect(parseOptions(['-Jnd', '2', 'x', '--', '-y'], io)).toMatchObject({
      paths: ['x', '-y'],
      maxDepth: 2,
      json: true,
      headings: false,
      allProcesses: false,
    });
    expect(parseOptions([], io)).toMatchObject({ paths: ['.'], maxDepth: undefined });
    expect(parseOptions(['--pipes'], io)).toMatchObject({
      columns: ['PATH', 'TYPE', ...DEFAULT_COLUMNS.slice(1)],
    });
  });

  it.each([
    [['--depth', 'x'], "lsfifo: invalid depth: 'x'\nTry 'lsfifo --help' for more information.\n"],
    [
      ['--depth'],
      "lsfifo: option '--depth' requires an argument\nTry 'lsfifo --help' for more information.\n",
    ],
    [['-a', 'dir'], "lsfifo: --all-processes takes no <path>\nTry 'lsfifo --help' for more information.\n"],
    [['-o', 'nope'], 'lsfifo: unknown column: nope\n'],
    [['--bogus'], "lsfifo: unrecognized option '--bogus'\nTry 'lsfifo --help' for more information.\n"],
    [['-q'], "lsfifo: unrecognized option '-q'\nTry 'lsfifo --help' for more information.\n"],
    // yargs would take these as its operands' key ("_"): found by the fuzz test.
    [['-n_', 'x'], "lsfifo: unrecognized option '-_'\nTry 'lsfifo --help' for more information.\n"],
    [['--_', 'x'], "lsfifo: unrecognized option '--_'\nTry 'lsfifo --help' for more information.\n"],
    // yargs took `=yes` as the flag's value (false: a table instead of JSON).
    [
      ['--json=yes'],
      "lsfifo: option '--json' doesn't allow an argument\nTry 'lsfifo --help' for more information.\n",
    ],
  ])('rejects %j', (argv, message) => {
    const io = memoryIo({ programName: 'lsfifo' });
    expect(parseOptions(argv, io)).toBe(1);
    expect(io.stderr).toBe(message);
    expect(io.stdout).toBe('');
  });

  it('prints MTIME in the local time of TZ, glibc POSIX rules included', () => {
    const options = { columns: ['MTIME' as const], headings: false };
    const plain = (tz: string) =>
      formatColumns(records.slice(0, 1), { ...options, localTime: localTimeFor(tz) }, { utf8: true });
    expect(plain('UTC')).toBe('2024-05-21 14:03:07\n');
    expect(plain('<+0330>-3:30')).toBe('2024-05-21 17:33:07\n');
    expect(plain('CET-1CEST,M3.5.0,M10.5.0/3')).toBe('2024-05-21 16:03:07\n');
  });
});
