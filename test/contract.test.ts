// The contract every bin keeps (util-linux tools/checkusage.sh): --help and --version exit 0 on
// stdout with an empty stderr; an unknown option exits 1 with the message and the try-help line
// on stderr and nothing on stdout. Run through their shebang, they start without the cost of
// NODE_EXTRA_CA_CERTS.
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
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

/** A certificate file node cannot load: node warns on stderr when it tries. */
const missingCerts = { PATH: process.env.PATH, LC_ALL: 'C', NODE_EXTRA_CA_CERTS: '/nonexistent/ca.crt' };

it('bare node loads NODE_EXTRA_CA_CERTS at start-up (what the shebang avoids)', () => {
  const result = spawnSync(process.execPath, ['-e', '0'], { encoding: 'utf8', env: missingCerts });
  expect(result.status).toBe(0);
  expect(result.stderr).toContain('Ignoring extra certs from `/nonexistent/ca.crt`');
});

describe.each(bins)('$name', ({ name, file }) => {
  it('started by its shebang, never loads NODE_EXTRA_CA_CERTS', () => {
    const result = spawnSync(file, ['--version'], { encoding: 'utf8', env: missingCerts });
    expect(result).toMatchObject({ status: 0, stderr: '' });
    expect(result.stdout).toMatch(new RegExp(`^${name}\\b.*ipcutils`));
  });

  it('its bundle compiles with the code cache made at build time (V8 accepts it)', () => {
    const bundle = join(dirname(file), `${name}.bundle.js`);
    const check = `const { Script } = require('node:vm'); const { readFileSync } = require('node:fs');
const script = new Script(readFileSync(${JSON.stringify(bundle)}, 'utf8'), {
  filename: ${JSON.stringify(bundle)}, cachedData: readFileSync(${JSON.stringify(bundle.replace(/\.js$/, '.cache'))}) });
process.stdout.write(String(script.cachedDataRejected));`;
    const result = spawnSync(process.execPath, ['-e', check], { encoding: 'utf8' });
    expect(result).toMatchObject({ status: 0, stdout: 'false', stderr: '' });
  });

  it('runs as before without its code cache, or with a damaged one', () => {
    const dir = mkdtempSync(join(tmpdir(), 'code-cache-'));
    try {
      const loader = join(dir, basename(file));
      copyFileSync(file, loader);
      copyFileSync(join(dirname(file), `${name}.bundle.js`), join(dir, `${name}.bundle.js`));
      const version = run(file, ['--version']).stdout;
      expect(run(loader, ['--version'])).toEqual({ status: 0, stdout: version, stderr: '' });
      writeFileSync(join(dir, `${name}.bundle.cache`), 'not a code cache');
      expect(run(loader, ['--version'])).toEqual({ status: 0, stdout: version, stderr: '' });
    } finally {
      rmSync(dir, { recursive: true });
    }
  });

  it('runs on a terminal (node:tty is loaded on demand through the bundle)', () => {
    const command = `${JSON.stringify(process.execPath)} ${JSON.stringify(file)} --version`;
    const result = spawnSync('script', ['-qfec', command, '/dev/null'], {
      encoding: 'utf8',
      env: { PATH: process.env.PATH, LC_ALL: 'C' },
    });
    expect(result.status).toBe(0);
    expect(result.stdout).toMatch(new RegExp(`^${name}\\b.*ipcutils.*\r\n$`));
  });

  it('--help prints usage on stdout and exits 0', () => {
    const result = run(file, ['--help']);
    expect(result).toMatchObject({ status: 0, stderr: '' });
    expect(result.stdout).toMatch(new RegExp(`^\\s*Usage:\\s*\\n?\\s*${name}\\b`, 'm'));
  });

  it('--version names ipcutils and exits 0', () => {
    const result = run(file, ['--version']);
    expect(result).toMatchObject({ status: 0, stderr: '' });
    expect(result.stdout).toMatch(/ipcutils.*\b0\.2\.0\n$/);
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
