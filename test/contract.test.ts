// The contract every bin keeps (util-linux tools/checkusage.sh): --help and --version exit 0 on
// stdout with an empty stderr; an unknown option exits 1 with the message and the try-help line
// on stderr and nothing on stdout.
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '..');
const bins = readdirSync(join(root, 'packages')).flatMap((dir) => {
  const manifest = JSON.parse(readFileSync(join(root, 'packages', dir, 'package.json'), 'utf8'));
  return Object.entries<string>(manifest.bin ?? {}).map(([name, file]) => ({
    name,
    file: join(root, 'packages', dir, file),
  }));
});

function run(file: string, args: string[]) {
  const result = spawnSync(process.execPath, [file, ...args], {
    encoding: 'utf8',
    env: { PATH: process.env.PATH, LC_ALL: 'C', TZ: 'UTC' },
  });
  return { stdout: result.stdout, stderr: result.stderr, status: result.status };
}

describe.each(bins)('$name', ({ name, file }) => {
  it('--help prints usage on stdout and exits 0', () => {
    const result = run(file, ['--help']);
    expect(result).toMatchObject({ status: 0, stderr: '' });
    expect(result.stdout).toMatch(new RegExp(`^\\s*Usage:\\s*\\n?\\s*${name}\\b`, 'm'));
  });

  it('--version names ipcutils and exits 0', () => {
    const result = run(file, ['--version']);
    expect(result).toMatchObject({ status: 0, stderr: '' });
    expect(result.stdout).toMatch(/ipcutils.*\b0\.1\.0\n$/);
  });

  it('an unknown option fails with the message and the try-help line only on stderr', () => {
    const result = run(file, ['--no-such-option']);
    expect(result.status).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(/--no-such-option/);
    expect(result.stderr).toMatch(new RegExp(`\\nTry '${name} --help' for more information\\.\\n$`));
    expect(result.stderr.trimEnd().split('\n')).toHaveLength(2);
  });
});
