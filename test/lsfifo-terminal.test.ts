// lsfifo on a real terminal (a pty made by script(1), sized by stty): the boxed, coloured table
// when it fits and colour is welcome; otherwise plain columns fitted to the width, as in a pipe.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { root } from './helpers/bins.js';

const lsfifo = join(root, 'bin', 'lsfifo');
let dir: string;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'lsfifo-tty-'));
  spawnSync('mkfifo', [join(dir, 'a-fifo-with-a-rather-long-name'), join(dir, 'b')]);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** lsfifo's output on a terminal `columns` wide, with \r\n turned back into \n. */
function onTerminal(columns: number, env: Record<string, string>): string {
  const command = `stty cols ${columns}; ${lsfifo} -o PATH,MODE,HOLDERS ${dir}`;
  const result = spawnSync('script', ['-qfec', command, '/dev/null'], {
    encoding: 'utf8',
    env: { PATH: process.env.PATH, TZ: 'UTC', LC_ALL: 'C.UTF-8', TERM: 'xterm', ...env },
  });
  expect(result.status).toBe(0);
  return result.stdout.replaceAll('\r\n', '\n');
}

function inPipe(): string {
  const result = spawnSync(lsfifo, ['-o', 'PATH,MODE,HOLDERS', dir], {
    encoding: 'utf8',
    env: { PATH: process.env.PATH, TZ: 'UTC', LC_ALL: 'C.UTF-8', TERM: 'xterm' },
  });
  return result.stdout;
}

const ESC = '\x1b[';
const width = (line: string) => [...line].length;

describe('lsfifo on a terminal', () => {
  it('draws a boxed, coloured table when it fits', () => {
    const output = onTerminal(120, {});
    expect(output).toContain('┌');
    expect(output).toContain(ESC);
    expect(output).toContain('a-fifo-with-a-rather-long-name');
  });

  it.each<Record<string, string>>([{ NO_COLOR: '1' }, { TERM: 'dumb' }])(
    'with %o: plain columns, as in a pipe',
    (env) => {
      const output = onTerminal(120, env);
      expect(output).not.toContain(ESC);
      expect(output).not.toContain('┌');
      expect(output).toBe(inPipe());
    },
  );

  it('narrower than the table: plain columns cut to the width as lsipc cuts them', () => {
    const output = onTerminal(40, {});
    expect(output).not.toContain(ESC);
    expect(output).not.toContain('┌');
    const lines = output.trimEnd().split('\n');
    expect(lines).toHaveLength(3);
    for (const line of lines) expect(width(line)).toBeLessThanOrEqual(40);
    expect(lines[0]).toMatch(/^PATH\s+MODE\s+HOLDERS$/);
    // libsmartcols truncates the widest free-text column (PATH) without a mark.
    expect(lines[1]).toMatch(/^\/\S+ +prw-r--r-- \S+/);
    expect(output).not.toContain('a-fifo-with-a-rather-long-name');
  });

  it.each<Record<string, string>>([{}, { NO_COLOR: '1' }])(
    'with %o, 30 columns: nothing wider than the terminal',
    (env) => {
      for (const line of onTerminal(30, env).trimEnd().split('\n'))
        expect(width(line)).toBeLessThanOrEqual(30);
    },
  );
});
