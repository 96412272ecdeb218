// processContext's terminal test on real file descriptors: a pseudo-terminal is one; a pipe, a file
// and /dev/null (a character device, which it tells from a terminal without loading node:tty) are not.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
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
