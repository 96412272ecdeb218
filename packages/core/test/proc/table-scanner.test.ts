// The WebAssembly line scanner must find exactly the lines, and the numbers, that the regular
// expression finds: the parsers use the expression itself when the text is not latin1 (a
// character above U+00FF, here on a junk line), so both paths can be compared on any table.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { parseMsgTable, parseSemTable, parseShmTable, readShmSegments } from '../../src/proc/sysvipc.js';

const SHM_HEADER =
  '       key      shmid perms                  size  cpid  lpid nattch   uid   gid  cuid  cgid      atime      dtime      ctime                   rss                  swap';
const SEM_HEADER = '       key      semid perms      nsems   uid   gid  cuid  cgid      otime      ctime';
const MSG_HEADER =
  '       key      msqid perms      cbytes       qnum lspid lrpid   uid   gid  cuid  cgid      stime      rtime      ctime';

/** Forces the regular expression: a junk line with a character no latin1 byte holds. */
const viaRegExp = (text: string) => `${text}\n\u0101 junk\n`;

const dir = mkdtempSync(join(tmpdir(), 'table-scanner-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function viaFile(text: string) {
  const path = join(dir, 'shm');
  writeFileSync(path, text, 'latin1');
  return readShmSegments(path);
}

const shmLine = (fields: readonly string[]) => fields.join(' ');

describe('the table scanner', () => {
  it('reads numbers beyond 32 bits, -0, signs and leading zeros as Number() does', () => {
    const lines = [
      shmLine([
        '-2147483648',
        '0',
        '644',
        '4294967296',
        '1',
        '2',
        '3',
        '0',
        '0',
        '0',
        '0',
        '1',
        '2',
        '3',
        '4',
        '5',
      ]),
      shmLine([
        '2147483648',
        '-0',
        '1644',
        '18446744073709551615',
        '+5',
        '007',
        '3',
        '0',
        '0',
        '0',
        '0',
        '1',
        '2',
        '3',
        '4',
        '5',
      ]),
      shmLine([
        '1',
        '2',
        '0777777777777',
        '99999999999999999999',
        '1',
        '2',
        '3',
        '0',
        '0',
        '0',
        '0',
        '1',
        '2',
        '3',
        '4',
        '5',
      ]),
      shmLine([
        '1',
        '2',
        '644',
        '2147483647',
        '1',
        '2',
        '3',
        '0',
        '0',
        '0',
        '0',
        '2147483648',
        '2',
        '3',
        '4',
        '-1',
      ]),
    ];
    const text = [SHM_HEADER, ...lines].join('\n');
    const segments = parseShmTable(text);
    expect(segments).toStrictEqual(parseShmTable(viaRegExp(text)));
    expect(viaFile(text)).toStrictEqual(segments);
    expect(segments.map((s) => [s.key, s.id, s.mode, s.size])).toStrictEqual([
      [-2147483648, 0, 0o644, 4294967296],
      [-2147483648, -0, 0o1644, Number('18446744073709551615')],
      [1, 2, 0o777777777777, Number('99999999999999999999')],
      [1, 2, 0o644, 2147483647],
    ]);
    expect(segments[1]?.cpid).toBe(5);
    expect(segments[3]?.atime).toBe(2147483648);
    expect(segments[3]?.swap).toBe(-1);
  });

  it('skips what the expression skips: junk, wrong counts, bad digits, stray characters', () => {
    const good = shmLine(['1', '2', '644', '4', '1', '2', '3', '0', '0', '0', '0', '1', '2', '3', '4', '5']);
    const lines = [
      good,
      `${good} 6`,
      good.replace(/ 5$/, ''),
      good.replace(' 644 ', ' 648 '),
      good.replace(' 644 ', ' +644 '),
      good.replace(' 4 ', ' 4x '),
      `${good}x`,
      `\t ${good.replaceAll(' ', '\t')} \t`,
      `${good} \r`,
      '',
      '   ',
      'x',
      `${good}\r${good}`,
      `- ${good}`,
      good.replace('1 ', '- 1 '),
      good,
    ];
    const text = [SHM_HEADER, ...lines].join('\n');
    const segments = parseShmTable(text);
    expect(segments).toStrictEqual(parseShmTable(viaRegExp(text)));
    expect(viaFile(text)).toStrictEqual(segments);
    expect(segments).toHaveLength(6);
  });

  it('agrees with the expression on generated tables of every kind', () => {
    const digits = fc.string({ unit: fc.constantFrom(...'0123456789'), minLength: 1, maxLength: 22 });
    const field = fc.oneof(
      fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }).map(String),
      fc.tuple(fc.constantFrom('', '-', '+'), digits).map(([sign, number]) => sign + number),
      fc.constantFrom('-0', '+0', '0x1', '1e3', '', 'é'),
    );
    const blank = fc.constantFrom(' ', '  ', '\t', ' \t ');
    const line = (count: number) =>
      fc
        .tuple(
          fc.array(field, { minLength: count - 1, maxLength: count + 1 }),
          blank,
          fc.constantFrom('', ' ', '\t', '\r', ' x'),
        )
        .map(([fields, gap, end]) => `${gap}${fields.join(gap)}${end}`);
    const table = (header: string) =>
      fc
        .array(line(header.trim().split(/\s+/).length), { maxLength: 12 })
        .chain((lines) => fc.constantFrom('\n', '\r\n').map((eol) => `${header}\n${lines.join(eol)}`));
    fc.assert(
      fc.property(table(SHM_HEADER), (text) => {
        const segments = parseShmTable(text);
        expect(segments).toStrictEqual(parseShmTable(viaRegExp(text)));
        expect(viaFile(text)).toStrictEqual(segments);
      }),
    );
    fc.assert(
      fc.property(table(SEM_HEADER), (text) => {
        expect(parseSemTable(text)).toStrictEqual(parseSemTable(viaRegExp(text)));
      }),
    );
    fc.assert(
      fc.property(table(MSG_HEADER), (text) => {
        expect(parseMsgTable(text)).toStrictEqual(parseMsgTable(viaRegExp(text)));
      }),
    );
  });
});
