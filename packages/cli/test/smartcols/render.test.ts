// The libsmartcols emulation on the samples' `lsipc -m` table, in every output mode, against the
// captured util-linux 2.43-devel output; then the quirks: empty tables, escaping, terminals.
import { describe, expect, it } from 'vitest';
import { listSamples } from '../../../ipcs/test/lsipc/fixtures.js';
import {
  type Column,
  type RenderOptions,
  renderTable,
  type Table,
  toShellVarName,
} from '../../src/smartcols/index.js';

const SHM_COLUMNS: Column[] = [
  { name: 'KEY' },
  { name: 'ID' },
  { name: 'PERMS', right: true },
  { name: 'OWNER', right: true },
  { name: 'SIZE', right: true },
  { name: 'NATTCH', right: true },
  { name: 'STATUS', noextremes: true },
  { name: 'CTIME', right: true },
  { name: 'CPID', right: true },
  { name: 'LPID', right: true },
  { name: 'COMMAND', trunc: true, widthHint: 0 },
];

/** The five segments of the samples, as lsipc -m fills the cells (COMMAND: creators gone). */
const SHM_TABLE: Table = {
  name: 'sharedmemory',
  columns: SHM_COLUMNS,
  rows: [
    ['0x6d5dc2ad', '0', 'rw-r--r--', 'root', '4K', '1', '', '05:21', '21356', '21374', null],
    ['0xa9529bea', '1', 'rw-------', 'root', '1M', '0', 'locked', '05:21', '21360', '0', null],
    [
      '0x2d955c2e',
      '2',
      'rw-r--r--',
      'averyveryverylongusername',
      '100B',
      '0',
      '',
      '05:21',
      '21364',
      '0',
      null,
    ],
    ['0x00000000', '3', 'rw-rw-rw-', 'root', '2K', '1', 'dest', '05:21', '21367', '21375', null],
    ['0xdf89c605', '4', 'rw-r-----', '12345', '4.9K', '0', '', '05:21', '21369', '0', null],
  ],
};

const samples = new Map(listSamples('lsipc-m').map((sample) => [sample.args.join(' '), sample.stdout]));

function sample(args: string): string {
  const text = samples.get(args);
  if (text === undefined) throw new Error(`no sample for lsipc ${args}`);
  return text;
}

describe('renderTable against util-linux 2.43-devel', () => {
  const cases: [string, RenderOptions][] = [
    ['-m', { format: 'human' }],
    ['-m --noheadings', { format: 'human', noHeadings: true }],
    ['-m --raw', { format: 'raw' }],
    ['-m --export', { format: 'export' }],
    ['-m --newline', { format: 'export', newline: true }],
    ['-m --json', { format: 'json' }],
  ];
  it.each(cases)('lsipc %s', (args, options) => {
    expect(renderTable(SHM_TABLE, options)).toBe(sample(args));
  });

  it('renames columns for the shell in every format (-y)', () => {
    const table: Table = {
      name: 'ipclimits',
      columns: [{ name: 'RESOURCE' }, { name: 'USE%', right: true }],
      rows: [['MSGMNI', '0.01%']],
    };
    expect(renderTable(table, { format: 'export', shellVar: true })).toBe(
      'RESOURCE="MSGMNI" USE_PCT="0.01%"\n',
    );
    expect(renderTable(table, { format: 'human', shellVar: true })).toBe(
      'RESOURCE USE_PCT\nMSGMNI     0.01%\n',
    );
    expect(renderTable(table, { format: 'json', shellVar: true })).toContain('"use_pct": "0.01%"');
    expect(toShellVarName('1FOO%')).toBe('_1FOO_PCT');
  });
});

describe('empty tables', () => {
  const empty = (name: string | null): Table => ({ name, columns: SHM_COLUMNS, rows: [] });

  it('print nothing at all, not even a header, except in JSON', () => {
    for (const format of ['human', 'raw', 'export'] as const)
      expect(renderTable(empty('x'), { format })).toBe('');
  });

  it('print the JSON skeleton with libsmartcols blank line, named "" when never named', () => {
    expect(renderTable(empty(null), { format: 'json' })).toBe('{\n   "": [\n\n   ]\n}\n');
    expect(renderTable(empty('semaphores'), { format: 'json' })).toBe('{\n   "semaphores": [\n\n   ]\n}\n');
  });
});

describe('escaping', () => {
  const table: Table = {
    name: 't',
    columns: [{ name: 'A' }, { name: 'B' }],
    rows: [['python3 /x.py', 'tab\there "q" $x `c` \\x']],
  };

  it('raw hex-escapes blanks and backslashes, keeps empty fields', () => {
    const withEmpty: Table = { ...table, rows: [...table.rows, [null, 'z']] };
    expect(renderTable(withEmpty, { format: 'raw', noHeadings: true })).toBe(
      'python3\\x20/x.py tab\\x09here\\x20"q"\\x20$x\\x20`c`\\x20\\x5cx\n z\n',
    );
  });

  it('export escapes what a shell would expand, not spaces', () => {
    expect(renderTable(table, { format: 'export' })).toBe(
      'A="python3 /x.py" B="tab\\x09here \\x22q\\x22 \\x24x \\x60c\\x60 \\x5cx"\n',
    );
  });

  it('JSON escapes quotes, backslashes and control characters only', () => {
    expect(renderTable(table, { format: 'json' })).toContain('"b": "tab\\there \\"q\\" $x `c` \\\\x"');
  });

  it('the human table escapes control characters and counts the escapes in the width', () => {
    const control: Table = {
      name: 't',
      columns: [{ name: 'A' }, { name: 'B' }],
      rows: [
        ['a\nb', 'x'],
        ['c', 'y'],
      ],
    };
    expect(renderTable(control, { format: 'human' })).toBe('A      B\na\\x0ab x\nc      y\n');
  });

  it("the human table takes a plain column's cells as they are (the caller vouches for them)", () => {
    const vouched = (plain: boolean): Table => ({
      name: 't',
      columns: [{ name: 'A', plain }],
      rows: [['a\\xb']],
    });
    expect(renderTable(vouched(false), { format: 'human', noHeadings: true })).toBe('a\\x5cxb\n');
    expect(renderTable(vouched(true), { format: 'human', noHeadings: true })).toBe('a\\xb\n');
  });

  it('non-ASCII is escaped outside UTF-8 locales, shown in them', () => {
    const table2: Table = { name: 't', columns: [{ name: 'N' }], rows: [['é']] };
    expect(renderTable(table2, { format: 'human', noHeadings: true })).toBe('\\xc3\\xa9\n');
    expect(renderTable(table2, { format: 'human', noHeadings: true, utf8: true })).toBe('é\n');
  });

  it('in UTF-8, a cell is as wide as glibc wcwidth() says: CJK and emoji two columns, marks none', () => {
    // mbs_safe_encode_to_buffer(): each printable character adds wcwidth(); counting characters
    // misaligned every column after a CJK name.
    const names: Table = {
      name: 't',
      columns: [{ name: 'NAME' }, { name: 'X' }],
      rows: [
        ['/日本語', 'a'],
        ['/😀x', 'b'],
        ['/e\u0301', 'c'],
        ['/abcdefg', 'd'],
      ],
    };
    expect(renderTable(names, { format: 'human', utf8: true })).toBe(
      'NAME     X\n/日本語  a\n/😀x     b\n/e\u0301       c\n/abcdefg d\n',
    );
  });

  it('in UTF-8, a character glibc does not print is written as its bytes, four columns each', () => {
    // U+0378 is unassigned, U+0085 a C1 control, U+DCFF a byte that is not UTF-8 (core's names.ts).
    const unprintable: Table = {
      name: 't',
      columns: [{ name: 'N' }, { name: 'X' }],
      rows: [
        ['\u0378', 'a'],
        ['\u0085', 'b'],
        ['\udcff', 'c'],
      ],
    };
    expect(renderTable(unprintable, { format: 'human', noHeadings: true, utf8: true })).toBe(
      '\\xcd\\xb8 a\n\\xc2\\x85 b\n\\xff     c\n',
    );
  });
});

describe('terminal width', () => {
  it('truncates by columns on screen: a wide character that would straddle the edge is left out', () => {
    // mbs_truncate(): one cell per character cut /日本語… to as many characters as columns, twice too wide.
    const wide: Table = {
      name: 't',
      columns: [{ name: 'PATH', trunc: true }, { name: 'OWNER' }, { name: 'MODE' }],
      rows: [
        ['/日本語日本語日本語', 'root', 'prw-r--r--'],
        ['/abc', 'root', 'prw-r--r--'],
      ],
    };
    const fitted = (terminalWidth: number) =>
      renderTable(wide, { format: 'human', utf8: true, terminalWidth });
    expect(fitted(20)).toBe('PAT OWNER MODE\n/日 root  prw-r--r--\n/ab root  prw-r--r--\n');
    expect(fitted(19)).toBe('PA OWNER MODE\n/  root  prw-r--r--\n/a root  prw-r--r--\n');
  });

  const running: Table = {
    ...SHM_TABLE,
    rows: SHM_TABLE.rows.map((row, n) => [
      ...row.slice(0, 10),
      n === 0 ? 'perl -e $|=1; shmget(4660, 4096, 01644); sleep 1000' : null,
    ]),
  };

  it('is ignored when standard output is not a terminal', () => {
    const line = renderTable(running, { format: 'human' }).split('\n')[1]!;
    expect(line.endsWith('sleep 1000')).toBe(true);
  });

  it('truncates the TRUNC column COMMAND to fit, and --notruncate (no TRUNC flag) wraps instead', () => {
    const fitted = renderTable(running, { format: 'human', terminalWidth: 100 }).split('\n');
    // Stage 0 cuts the most varying TRUNC column to average + deviation, stage 6 by 3 at a time.
    expect(fitted[1]).toBe(
      '0x6d5dc2ad 0  rw-r--r--                      root   4K      1        05:21 21356 21374 perl -e $|=1;',
    );
    expect(Math.max(...fitted.map((line) => line.length))).toBeLessThanOrEqual(100);
    const columns = SHM_COLUMNS.map((column) => ({ ...column, trunc: false }));
    const whole = renderTable({ ...running, columns }, { format: 'human', terminalWidth: 100 });
    expect(whole).toContain('perl -e $|=1; shmget(4660, 4096, 01644); sleep 1000');
  });

  it('never cuts a column below its header', () => {
    const narrow = renderTable(SHM_TABLE, { format: 'human', terminalWidth: 40 });
    expect(narrow.split('\n')[0]).toBe(sample('-m').split('\n')[0]);
  });
});
