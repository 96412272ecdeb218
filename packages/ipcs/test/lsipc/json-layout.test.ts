// LIBSMARTCOLS_JSON=compact|lines, written as libsmartcols 2.42's ul_jsonwrt writes UL_JSON_COMPACT
// and UL_JSON_LINE (lib/jsonwrt.c, libsmartcols/src/print-api.c): the expected texts below follow
// that code step by step.

import { memoryIo } from '@ipcutils/cli';
import { jsonLayout, renderJsonLayout } from '@ipcutils/cli/smartcols';
import { createShm, removeShm } from '@ipcutils/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../src/lsipc/main.js';

const table = {
  name: 'sharedmemory',
  columns: [{ name: 'KEY' }, { name: 'USE%' }, { name: 'COMMAND' }],
  rows: [
    ['0x00001234', '1%', 'say "hi"\\'],
    ['0x00000000', null, ''],
  ],
} as unknown as Parameters<typeof renderJsonLayout>[0];
const options = { format: 'json' as const };

describe('renderJsonLayout', () => {
  it('compact: the array open on the first line, each row on its own, then ]}', () => {
    const text = renderJsonLayout(table, 'compact', options);
    expect(text).toBe(
      '{"sharedmemory":[\n' +
        '{"key":"0x00001234","use%":"1%","command":"say \\"hi\\"\\\\"},\n' +
        '{"key":"0x00000000","use%":null,"command":null}\n' +
        ']}\n',
    );
    expect(JSON.parse(text).sharedmemory[0].command).toBe('say "hi"\\');
  });

  it('lines: one object a line, no enclosing object', () => {
    const text = renderJsonLayout(table, 'lines', { ...options, shellVar: true });
    expect(text).toBe(
      '{"key":"0x00001234","use_pct":"1%","command":"say \\"hi\\"\\\\"}\n' +
        '{"key":"0x00000000","use_pct":null,"command":null}\n',
    );
    for (const line of text.trimEnd().split('\n')) expect(JSON.parse(line)).toHaveProperty('key');
  });

  it('an empty table: compact keeps the array, lines prints nothing', () => {
    const empty = { ...table, rows: [] };
    expect(renderJsonLayout(empty, 'compact', options)).toBe('{"sharedmemory":[\n]}\n');
    expect(renderJsonLayout(empty, 'lines', options)).toBe('');
  });

  it('only compact and lines change the layout', () => {
    expect(jsonLayout({ LIBSMARTCOLS_JSON: 'compact' })).toBe('compact');
    expect(jsonLayout({ LIBSMARTCOLS_JSON: 'lines' })).toBe('lines');
    expect(jsonLayout({ LIBSMARTCOLS_JSON: 'pretty' })).toBeUndefined();
    expect(jsonLayout({})).toBeUndefined();
  });
});

describe('lsipc --json with LIBSMARTCOLS_JSON', () => {
  let id: number;
  beforeAll(() => {
    id = createShm({ key: 0, size: 4096, mode: 0o600 });
  });
  afterAll(() => removeShm(id));

  function lsipc(args: string[], env: Record<string, string>) {
    const io = memoryIo({ programName: 'lsipc', env });
    const status = io.take(main(args, io));
    return { stdout: io.stdout, stderr: io.stderr, status };
  }
  const args = () => ['-m', '-i', String(id), '--json', '-o', 'ID,PERMS'];

  it('honours compact and lines, and keeps the indented layout otherwise', () => {
    const row = `{"id":"${id}","perms":"rw-------"}`;
    expect(lsipc(args(), { LIBSMARTCOLS_JSON: 'compact' })).toEqual({
      stdout: `{"sharedmemory":[\n${row}\n]}\n`,
      stderr: '',
      status: 0,
    });
    expect(lsipc(args(), { LIBSMARTCOLS_JSON: 'lines' }).stdout).toBe(`${row}\n`);
    const pretty = lsipc(args(), {}).stdout;
    expect(pretty).toBe(lsipc(args(), { LIBSMARTCOLS_JSON: 'other' }).stdout);
    expect(pretty).toContain('\n   "sharedmemory": [\n');
  });
});
