// processContext's terminal test on real file descriptors: a pseudo-terminal is one; a pipe, a file
// and /dev/null (a character device, which it tells from a terminal without loading node:tty) are not.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { buildScript } from '../../../test/helpers/script.js';

const SCRIPT = `
  import { writeSync } from 'node:fs';
  import { processContext } from '../packages/cli/src/io.ts';
  const io = processContext();
  const loaded = process.moduleLoadList.some((name) => name === 'NativeModule tty');
  writeSync(2, JSON.stringify({ isTerminal: io.isTerminal, ttyLoaded: loaded }));
`;

const dir = mkdtempSync(join(tmpdir(), 'io-test-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function probe(stdout: 'pipe' | 'file' | 'null' | 'pty') {
  const script = await buildScript(SCRIPT);
  const command = `${JSON.stringify(process.execPath)} ${script}`;
  const redirect = { pipe: ' | cat', file: ` > ${join(dir, 'out')}`, null: ' > /dev/null', pty: '' }[stdout];
  const shell = `${command} 2> ${join(dir, 'err')}${redirect}`;
  const argv = stdout === 'pty' ? ['script', '-qfec', shell, '/dev/null'] : ['sh', '-c', shell];
  const result = spawnSync(argv[0]!, argv.slice(1), { encoding: 'utf8' });
  expect(result.status).toBe(0);
  return JSON.parse(readFileSync(join(dir, 'err'), 'utf8'));
}

describe('processContext().isTerminal', () => {
  it('is true on a pseudo-terminal', async () => {
    expect(await probe('pty')).toEqual({ isTerminal: true, ttyLoaded: true });
  });

  it.each(['pipe', 'file', 'null'] as const)('is false on %s, without loading node:tty', async (stdout) => {
    expect(await probe(stdout)).toEqual({ isTerminal: false, ttyLoaded: false });
  });
});

// runMain's last resort: an error no handler expected prints one line in the tool's voice and
// exits 1; its stack only when IPCUTILS_DEBUG asks.
const FAILING = `
  import { IpcError } from '@ipcutils/core';
  import { runMain } from '../packages/cli/src/io.ts';
  void runMain((argv) => {
    if (argv[0] === 'ipc') throw new IpcError({ errno: 13, syscall: 'semctl', object: { id: 0 } });
    if (argv[0] === 'type') throw new TypeError('boom');
    if (argv[0] === 'huge') return { events: [{ fd: 1, text: Buffer.allocUnsafeSlow(2 ** 31 + 16) }], status: 0 };
    if (argv[0] === 'stream') {
      return (async function* () {
        yield { fd: 1 as const, text: 'first\\n' };
        await new Promise((resolve) => setTimeout(resolve, 10));
        yield { fd: 2 as const, text: 'then\\n' };
        yield { fd: 1 as const, text: 'last\\n' };
        return 3;
      })();
    }
    return { events: [{ fd: 1, text: 'partial\\n' }, { fd: 2, text: 'warned\\n' }], status: 0 };
  });
`;

describe('runMain', () => {
  async function fail(args: string[], env: Record<string, string> = {}) {
    const script = await buildScript(FAILING);
    const result = spawnSync(process.execPath, [script, ...args], {
      encoding: 'utf8',
      env: { PATH: process.env.PATH, ...env },
    });
    return { stdout: result.stdout, stderr: result.stderr, status: result.status, name: basename(script) };
  }

  it('writes events in order and exits with their status', async () => {
    const result = await fail([]);
    expect(result).toMatchObject({ stdout: 'partial\n', stderr: 'warned\n', status: 0 });
  });

  it('writes what a streaming command yields as it comes, and exits with the status it returns', async () => {
    const result = await fail(['stream']);
    expect(result).toMatchObject({ stdout: 'first\nlast\n', stderr: 'then\n', status: 3 });
  });

  it('writes an output of more than 2 GiB whole (one writeSync takes at most 2**31 - 1 bytes)', async () => {
    const script = await buildScript(FAILING);
    const result = spawnSync('sh', ['-c', `${JSON.stringify(process.execPath)} ${script} huge > /dev/null`], {
      encoding: 'utf8',
    });
    expect({ stderr: result.stderr, status: result.status }).toEqual({ stderr: '', status: 0 });
  });

  it('prints an unexpected error as one line and exits 1', async () => {
    const typeError = await fail(['type']);
    expect(typeError).toMatchObject({ stdout: '', stderr: `${typeError.name}: boom\n`, status: 1 });
    const ipc = await fail(['ipc']);
    expect(ipc).toMatchObject({ stderr: `${ipc.name}: semctl failed: Permission denied\n`, status: 1 });
  });

  it('prints the stack trace only when IPCUTILS_DEBUG is set', async () => {
    const quiet = await fail(['type'], { IPCUTILS_DEBUG: '0' });
    expect(quiet.stderr.split('\n')).toHaveLength(2);
    const debug = await fail(['type'], { IPCUTILS_DEBUG: '1' });
    expect(debug.stderr).toMatch(/^\S+: TypeError: boom\n\s+at /);
    expect(debug.status).toBe(1);
  });
});
