// The contract every bin keeps (util-linux tools/checkusage.sh): --help and --version exit 0 on
// stdout with an empty stderr; an unknown option exits 1 with the message and the try-help line
// on stderr and nothing on stdout. Run through their shebang, they start without the cost of
// NODE_EXTRA_CA_CERTS.
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { withNamespace } from './helpers/namespace.js';

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
    // As the shebang starts node: with the V8 options it gives, which the cache was made with.
    const flags = /^#!.* node((?: --\S+)*)\n/
      .exec(readFileSync(file, 'utf8'))![1]!
      .split(' ')
      .filter(Boolean);
    const check = `const { Script } = require('node:vm'); const { readFileSync } = require('node:fs');
const script = new Script(readFileSync(${JSON.stringify(bundle)}, 'utf8'), {
  filename: ${JSON.stringify(bundle)}, cachedData: readFileSync(${JSON.stringify(bundle.replace(/\.js$/, '.cache'))}) });
process.stdout.write(String(script.cachedDataRejected));`;
    const result = spawnSync(process.execPath, [...flags, '-e', check], { encoding: 'utf8' });
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

  it('with IPCUTILS_DEBUG, the trace of an unexpected error names the TypeScript sources', () => {
    // A preloaded module makes runMain's first look at the arguments throw: an error no tool expects.
    const dir = mkdtempSync(join(tmpdir(), 'trace-'));
    const preload = join(dir, 'force.cjs');
    writeFileSync(preload, "process.argv.slice = () => { throw new TypeError('forced by the test'); };\n");
    try {
      const trace = (debug: Record<string, string>) =>
        spawnSync(process.execPath, ['--require', preload, file, '--version'], {
          encoding: 'utf8',
          env: { PATH: process.env.PATH, LC_ALL: 'C', ...debug },
        });
      const debugged = trace({ IPCUTILS_DEBUG: '1' });
      expect(debugged.status).toBe(1);
      expect(debugged.stderr).toContain('forced by the test');
      expect(debugged.stderr).toMatch(/^ {4}at .*\/packages\/[\w-]+\/src\/[\w/-]+\.ts:\d+:\d+\)?$/m);
      expect(debugged.stderr).not.toContain('.bundle.js');
      // Other runs never read the source map, and print one line.
      for (const quiet of [trace({}), trace({ IPCUTILS_DEBUG: '0' })]) {
        expect(quiet.status).toBe(1);
        expect(quiet.stderr).not.toMatch(/\.ts:\d+/);
        expect(quiet.stderr.trimEnd().split('\n')).toHaveLength(1);
      }
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

// Output errors, as util-linux's close_stdout() and coreutils' close_stdout() report them: the
// installed tool and ours run the same shell line, both found on PATH so that their messages name
// them alike. A broken pipe is made without a race: a FIFO opened read-write, then for writing,
// then its only reader closed.
const REFERENCES: Readonly<Record<string, string>> = {
  ipcs: '/usr/bin/ipcs',
  lsipc: '/usr/bin/lsipc',
  ipcrm: '/usr/bin/ipcrm',
  ipcmk: '/usr/bin/ipcmk',
  mkfifo: '/usr/bin/mkfifo',
};

/** A directory with no FIFO: lsfifo lists it (an empty list). */
const EMPTY_DIR = mkdtempSync(join(tmpdir(), 'lsfifo-empty-'));

/** Every output path each bin has without touching objects: help, version, and its listings. */
const OUTPUTS: Readonly<Record<string, readonly (readonly string[])[]>> = {
  ipcs: [['--help'], ['--version'], ['-l'], ['-a']],
  lsipc: [['--help'], ['--version'], ['-g'], ['-g', '--json'], ['-m', '--json']],
  ipcrm: [['--help'], ['--version']],
  ipcmk: [['--help'], ['--version']],
  mkfifo: [['--help'], ['--version']],
  lsfifo: [['--help'], ['--version'], ['--json', EMPTY_DIR]],
  ipcctl: [['--help'], ['--version']],
  rmfifo: [['--help'], ['--version']],
};

/** glibc's stdio buffer for a pipe or /dev/full: st_blksize. */
const STDIO_BUFFER = 4096;

type Redirect = 'full' | 'closed' | 'broken pipe, SIGPIPE ignored' | 'broken pipe';

function shellLine(redirect: Redirect, command: string, fifo: string): string {
  switch (redirect) {
    case 'full':
      return `${command} > /dev/full`;
    case 'closed':
      return `${command} >&-`;
    case 'broken pipe, SIGPIPE ignored':
      return `trap '' PIPE; exec 3<>${fifo} 4>${fifo} 3<&-; ${command} >&4`;
    case 'broken pipe':
      return `exec 3<>${fifo} 4>${fifo} 3<&-; ${command} >&4`;
  }
}

function runShell(line: string, path: string) {
  const result = spawnSync('bash', ['--norc', '--noprofile', '-c', `${line}; echo "status $?" >&2`], {
    encoding: 'utf8',
    env: { PATH: path, LC_ALL: 'C', TZ: 'UTC' },
  });
  return { stdout: result.stdout, stderr: result.stderr };
}

describe('output errors', () => {
  const dir = mkdtempSync(join(tmpdir(), 'output-errors-'));
  const fifo = join(dir, 'pipe');
  spawnSync('mkfifo', [fifo]);
  const ourPath = `${join(root, 'bin')}:/usr/bin:/bin`;
  const redirects: Redirect[] = ['full', 'closed', 'broken pipe, SIGPIPE ignored', 'broken pipe'];
  const cases = bins.flatMap(({ name }) =>
    (OUTPUTS[name] ?? []).flatMap((args) => redirects.map((redirect) => ({ name, args, redirect }))),
  );

  it('covers every bin', () => {
    expect(new Set(cases.map((testCase) => testCase.name))).toEqual(new Set(bins.map((bin) => bin.name)));
  });

  it.each(cases)('$name $args with stdout $redirect: as the reference tool', ({ name, args, redirect }) => {
    const command = [name, ...args].join(' ');
    const mine = runShell(shellLine(redirect, command, fifo), ourPath);
    const reference = REFERENCES[name];
    // mkfifo >&-: coreutils says "write error: Bad file descriptor"; node has put /dev/null on the
    // closed descriptor before our code runs (COMPATIBILITY.md), so ours is silent.
    const closedMkfifo = name === 'mkfifo' && redirect === 'closed';
    // Past one stdio buffer a util-linux tool fails before exit and says a bare `write error` (see
    // below); our help lists more options than util-linux's, so sizes can fall either side of it.
    const size = (path: string) => runShell(`${command} | wc -c`, path).stdout.trim();
    const util = name !== 'mkfifo';
    const big = util && Number(size(ourPath)) > STDIO_BUFFER;
    const sameSide = reference === undefined || big === Number(size('/usr/bin:/bin')) > STDIO_BUFFER;
    if (reference !== undefined && !closedMkfifo && sameSide) {
      const theirs = runShell(shellLine(redirect, command, fifo), '/usr/bin:/bin');
      expect(mine).toEqual(theirs);
    }
    // What util-linux's close_stdout() does, for the tools with no reference too.
    const status = /status (\d+)\n$/.exec(mine.stderr)?.[1];
    const message = mine.stderr.replace(/status \d+\n$/, '');
    switch (redirect) {
      case 'full':
        expect(message).toMatch(
          new RegExp(`(^|\\n)${name}: write error${big ? '' : ': No space left on device'}\\n$`),
        );
        expect(status).toBe('1');
        break;
      case 'closed':
        // Node has put /dev/null on the closed descriptor: every tool writes there silently.
        expect(message).toBe('');
        expect(status).toBe('0');
        break;
      case 'broken pipe, SIGPIPE ignored':
        if (big) {
          expect(message).toBe(`${name}: write error\n`);
          expect(status).toBe('1');
          break;
        }
        expect(message).toBe(util ? '' : `${name}: write error: Broken pipe\n`);
        expect(status).toBe(util ? '0' : '1');
        break;
      case 'broken pipe':
        // Killed by SIGPIPE at its first write, as a C tool is: the shell reports 128 + 13.
        expect(status).toBe('141');
        expect(message).toBe('');
        break;
    }
  });
});

// More output than one stdio buffer (st_blksize, 4096 bytes for a pipe or /dev/full): C stdio
// meets the failure while flushing a full buffer, before exit, and util-linux's close_stdout()
// then finds ferror() set with errno cleared: a bare `write error`, exit 1, a broken pipe included.
describe('output errors past the first stdio buffer', () => {
  const listings = [
    ['ipcs', '-m'],
    ['ipcs', '-a'],
    ['lsipc', '-m'],
    ['lsipc', '-m', '--json'],
  ];
  const redirects: Redirect[] = ['full', 'broken pipe, SIGPIPE ignored'];

  it('are reported as util-linux reports them, for every listing', async () => {
    await withNamespace(async (ns) => {
      const created = await ns.sh('for i in $(seq 1 120); do ipcmk -M 4096 >/dev/null || exit 1; done');
      expect(created.status).toBe(0);
      const dir = mkdtempSync(join(tmpdir(), 'output-errors-big-'));
      const fifo = join(dir, 'pipe');
      spawnSync('mkfifo', [fifo]);
      const ourPath = `${join(root, 'bin')}:/usr/bin:/bin`;
      for (const args of listings) {
        const size = await ns.run(`/usr/bin/${args[0]}`, args.slice(1), { env: { LC_ALL: 'C', TZ: 'UTC' } });
        expect(size.stdout.length).toBeGreaterThan(4096);
        for (const redirect of redirects) {
          const line = `${shellLine(redirect, args.join(' '), fifo)}; echo "status $?" >&2`;
          const shell = (path: string) =>
            ns.run('bash', ['--norc', '--noprofile', '-c', line], {
              env: { PATH: path, LC_ALL: 'C', TZ: 'UTC' },
            });
          const [mine, theirs] = [await shell(ourPath), await shell('/usr/bin:/bin')];
          expect({ args, redirect, stderr: mine.stderr }).toEqual({ args, redirect, stderr: theirs.stderr });
          expect(mine.stderr).toBe(`${args[0]}: write error\nstatus 1\n`);
        }
      }
      rmSync(dir, { recursive: true, force: true });
    });
  });
});

/**
 * What a run may not load at start-up: node modules and ICU data a tool pays for in every run and
 * uses in few or none (scripts/build.mjs: the lazy-node-module plugin and YARGS_EDITS; CONTRIBUTING,
 * "the ledger"). A preloaded module records node's module list and every Intl.Segmenter made.
 */
describe('start-up loads only what the run uses', () => {
  const NOT_AT_START_UP = [
    // process.stdout built (stream modules; net for a pipe), as yargs' width lookup did.
    'NativeModule stream',
    'NativeModule net',
    'NativeModule tty',
    // node:worker_threads for ipcrm -a and POSIX queue waits; node:crypto for rmfifo's renames.
    'NativeModule worker_threads',
    'NativeModule crypto',
    // node:assert, which yargs imports for its own misuse.
    'NativeModule assert',
    // string-width, which made one as it loaded (10 to 15 ms of ICU data).
    'Intl.Segmenter',
  ];
  const preload = `'use strict';
const { writeFileSync } = require('node:fs');
const made = [];
const { Segmenter } = Intl;
Intl.Segmenter = new Proxy(Segmenter, { construct(target, args) { made.push('Intl.Segmenter'); return Reflect.construct(target, args); } });
process.on('exit', () => writeFileSync(process.env.LOADED_LIST, [...process.moduleLoadList, ...made].join('\\n')));
`;
  const COMMANDS: Record<string, string[]> = {
    ipcs: ['-m'],
    lsipc: ['-m'],
    ipcrm: ['-m', '2147483647'],
    ipcmk: ['-M', '4096'],
    mkfifo: ['FIFO'],
    lsfifo: ['.'],
    rmfifo: ['-n', 'FIFO'],
    ipcctl: ['exists', 'sem', '2147483647'],
  };

  it('covers every bin', () => {
    expect(Object.keys(COMMANDS).sort()).toEqual(bins.map(({ name }) => name).sort());
  });

  it.each(bins)('$name', async ({ name, file }) => {
    const dir = mkdtempSync(join(tmpdir(), 'start-up-'));
    try {
      writeFileSync(join(dir, 'preload.cjs'), preload);
      // rmfifo -n and lsfifo find a FIFO, made by mkfifo's own run, or made here first.
      if (name !== 'mkfifo') spawnSync('mkfifo', [join(dir, 'FIFO')]);
      const list = join(dir, 'loaded');
      await withNamespace(async (ns) => {
        const result = await ns.run(
          'sh',
          [
            '-c',
            'cd "$0" && exec "$@"',
            dir,
            process.execPath,
            '-r',
            './preload.cjs',
            file,
            ...COMMANDS[name]!,
          ],
          { env: { LC_ALL: 'C', LOADED_LIST: list } },
        );
        expect(result.stderr).not.toMatch(/Error|at /);
      });
      const loaded = readFileSync(list, 'utf8').split('\n');
      expect(loaded).toContain('NativeModule fs');
      expect(NOT_AT_START_UP.filter((module) => loaded.includes(module))).toEqual([]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
