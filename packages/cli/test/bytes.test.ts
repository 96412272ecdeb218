// Arguments and output keep bytes that are not UTF-8 (issue 11): runMain hands main the bytes of
// /proc/self/cmdline (a byte that is not UTF-8 as a lone surrogate, see core's names.ts) and
// writes such a character back as its byte; the renderers escape it as libsmartcols does.
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { buildScript } from '../../../test/helpers/script.js';
import { processArguments } from '../src/io.js';
import {
  encodeSafe,
  escapeInvalidBytes,
  escapeRaw,
  quoteExport,
  quoteJson,
} from '../src/smartcols/encode.js';

const ECHO = `
  import { runMain } from '../packages/cli/src/io.ts';
  void runMain((argv) => ({
    events: [{ fd: 1, text: argv.map((arg) => JSON.stringify(arg) + ' ' + arg).join('\\n') + '\\n' }],
    status: 0,
  }));
`;

/** Runs the echo script through sh, each argument given as printf octal escapes. */
async function echo(args: Buffer[], nodeOptions = ''): Promise<string> {
  const script = await buildScript(ECHO);
  const words = args.map(
    (arg) => `"$(printf '${[...arg].map((byte) => `\\${byte.toString(8).padStart(3, '0')}`).join('')}')"`,
  );
  const result = spawnSync('sh', ['-c', `"${process.execPath}" ${nodeOptions} ${script} ${words.join(' ')}`]);
  expect(result.stderr.toString()).toBe('');
  return result.stdout.toString('latin1');
}

describe('runMain: the arguments as bytes', () => {
  it('gives main each byte that is not UTF-8 and writes it back as that byte', async () => {
    const out = await echo([
      Buffer.from('/\xff', 'latin1'),
      Buffer.from('é'),
      Buffer.from('\x80abc', 'latin1'),
    ]);
    const e = Buffer.from('é').toString('latin1');
    expect(out).toBe(`"/\\udcff" /\xff\n"${e}" ${e}\n"\\udc80abc" \x80abc\n`);
  });

  it('finds the arguments after node options, and empty arguments keep their places', async () => {
    const out = await echo(
      [Buffer.from(''), Buffer.from('\xfe', 'latin1'), Buffer.from('')],
      '--no-warnings',
    );
    expect(out).toBe('"" \n"\\udcfe" \xfe\n"" \n');
  });

  it('keeps node argv when there is nothing to recover or cmdline does not match', () => {
    expect(processArguments(['node', 'script', 'a', 'é'])).toEqual(['a', 'é']);
    // This process's cmdline has no such arguments: node's argv stands.
    expect(processArguments(['node', 'script', '\ufffd', 'x'])).toEqual(['\ufffd', 'x']);
  });
});

describe('escaping bytes that are not UTF-8', () => {
  it('human tables escape them in every locale, and valid text only outside UTF-8', () => {
    expect(encodeSafe('a\udcffé', true)).toEqual({ text: 'a\\xffé', width: 6 });
    expect(encodeSafe('a\udcffé', false)).toEqual({ text: 'a\\xff\\xc3\\xa9', width: 13 });
    // glibc's iswprint(U+FFFD) is true: a real U+FFFD is text.
    expect(encodeSafe('\ufffd', true)).toEqual({ text: '\ufffd', width: 1 });
  });

  it('raw and export output escape the byte; JSON carries it as it is', () => {
    expect(escapeRaw('\udc80abc')).toBe('\\x80abc');
    expect(quoteExport('x\udcc3')).toBe('"x\\xc3"');
    expect(quoteJson('\udcff')).toBe('"\udcff"');
  });

  it('messages of tools without a reference show \\xNN', () => {
    expect(escapeInvalidBytes('pshm /a\udcff: No such file')).toBe('pshm /a\\xff: No such file');
    expect(escapeInvalidBytes('😀 é')).toBe('😀 é');
  });
});
