// End to end: the built lsfifo and rmfifo, run by name as users run them, on real FIFOs held open
// by real processes, inside a private pid namespace (its processes are all ours to inspect, except
// where a test runs as nobody on purpose).
import type { ChildProcess } from 'node:child_process';
import {
  chmodSync,
  chownSync,
  existsSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { makeFifo } from '@ipcutils/core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type IpcNamespace, NOBODY, type RunOptions, type User, waitForLine } from './helpers/namespace.js';

const root = join(import.meta.dirname, '..');
const ENV = { PATH: `${join(root, 'bin')}:/usr/bin:/bin`, TZ: 'UTC', LC_ALL: 'C' };
const MTIME = Date.UTC(2024, 0, 2, 3, 4, 5) / 1000;

let ns: IpcNamespace;
let work: string;
const holders: ChildProcess[] = [];

beforeAll(async () => {
  for (const bin of ['lsfifo', 'rmfifo']) {
    if (!existsSync(join(root, 'packages/fifo-tools/dist', `${bin}.js`))) {
      throw new Error(`${bin} is not built: run node scripts/build.mjs first`);
    }
  }
  const { IpcNamespace } = await import('./helpers/namespace.js');
  ns = await IpcNamespace.create({ pid: true });
  work = mkdtempSync(join(tmpdir(), 'fifo-tools-'));
  chmodSync(work, 0o755);
});

afterEach(async () => {
  // Killing nsenter leaves its child running inside: end every process of the namespace but its init.
  await ns.run('kill', ['-KILL', '-1']);
  holders.splice(0);
});

afterAll(async () => {
  // close() ends the pid namespace's init, and with it every process left inside.
  await ns.close();
  rmSync(work, { recursive: true, force: true });
});

/** A fresh directory for one test; FIFOs get a fixed mtime so listings are stable. */
function directory(name: string, fifos: string[] = [], owner?: User): string {
  const dir = join(work, name);
  mkdirSync(dir);
  for (const fifo of fifos) {
    const path = join(dir, fifo);
    mkdirSync(join(path, '..'), { recursive: true });
    makeFifo(path, 0o644);
    utimesSync(path, MTIME, MTIME);
  }
  if (owner) {
    for (const entry of ['.', ...readdirSync(dir, { recursive: true }).map(String)]) {
      chownSync(join(dir, entry), owner.uid, owner.gid);
    }
  }
  return dir;
}

/** A python3 process in the namespace holding FIFOs: r (read end), w (write end), rw (both). */
async function hold(ends: Record<string, 'r' | 'w' | 'rw'>, options: RunOptions = {}): Promise<void> {
  // O_RDWR never blocks on a FIFO; with it open, O_RDONLY and O_WRONLY return at once too.
  const script = `
import os, sys, time
keep = []
for path, end in zip(sys.argv[1::2], sys.argv[2::2]):
    both = os.open(path, os.O_RDWR)
    if end == 'rw':
        keep.append(both)
        continue
    keep.append(os.open(path, os.O_RDONLY if end == 'r' else os.O_WRONLY))
    os.close(both)
print('ready', flush=True)
time.sleep(1000)
`;
  const child = ns.spawn('/usr/bin/python3', ['-c', script, ...Object.entries(ends).flat()], options);
  holders.push(child);
  await waitForLine(child, 'ready');
}

/**
 * Runs a command in the namespace. nsenter starts it in the namespace's root directory (setns of a
 * mount namespace resets the working directory), so `cwd` is entered by the shell, or nothing runs.
 */
function run(bin: string, args: string[], options: RunOptions = {}) {
  const { cwd, ...rest } = options;
  const env = { ...ENV, ...options.env };
  if (cwd === undefined) return ns.run(bin, args, { ...rest, env });
  return ns.run('sh', ['-c', 'cd "$0" && exec "$@"', cwd, bin, ...args], { ...rest, env });
}

/** Pids differ from run to run. */
function maskPids(text: string): string {
  return text.replace(/\b\d+ (\(?)(python3|sh|sleep)\b/g, '<pid> $1$2');
}

describe('lsfifo', () => {
  it('lists FIFOs with owner, mode, time and who holds which end, in aligned columns', async () => {
    const dir = directory('listing', ['none', 'reader', 'writer', 'both', 'sp ace', 'new\nline', 'sub/deep']);
    symlinkSync(join(dir, 'none'), join(dir, 'link'));
    writeFileSync(join(dir, 'regular'), '');
    await hold({ [join(dir, 'reader')]: 'r', [join(dir, 'writer')]: 'w', [join(dir, 'both')]: 'rw' });
    await hold({ [join(dir, 'sp ace')]: 'r' });
    const result = await run('lsfifo', [], { cwd: dir });
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    expect(maskPids(result.stdout)).toMatchInlineSnapshot(`
      "PATH          OWNER GROUP MODE       MTIME               HOLDERS
      ./both        root  root  prw-r--r-- 2024-01-02 03:04:05 <pid> python3 (rw)
      ./new\\x0aline root  root  prw-r--r-- 2024-01-02 03:04:05 none
      ./none        root  root  prw-r--r-- 2024-01-02 03:04:05 none
      ./reader      root  root  prw-r--r-- 2024-01-02 03:04:05 <pid> python3 (r)
      ./sp ace      root  root  prw-r--r-- 2024-01-02 03:04:05 <pid> python3 (r)
      ./sub/deep    root  root  prw-r--r-- 2024-01-02 03:04:05 none
      ./writer      root  root  prw-r--r-- 2024-01-02 03:04:05 <pid> python3 (w)
      "
    `);
  });

  it('prints typed JSON, limits the depth, follows only links named on the command line', async () => {
    const dir = directory('json', ['held', 'sub/deep']);
    symlinkSync(join(dir, 'held'), join(dir, 'link'));
    await hold({ [join(dir, 'held')]: 'rw' });
    const json = await run('lsfifo', ['--json', '--depth', '1', dir]);
    expect(json.status).toBe(0);
    const { fifos } = JSON.parse(json.stdout);
    expect(fifos).toEqual([
      {
        path: join(dir, 'held'),
        owner: 'root',
        group: 'root',
        mode: 0o644,
        permissions: 'prw-r--r--',
        mtime: '2024-01-02T03:04:05.000Z',
        holders: [
          { pid: expect.any(Number), command: 'python3', access: 'readwrite', fds: [3], opening: false },
        ],
        holders_complete: true,
      },
    ]);
    const link = await run('lsfifo', ['--noheadings', '-o', 'path,holders', join(dir, 'link')]);
    expect(maskPids(link.stdout)).toBe(`${join(dir, 'link')} <pid> python3 (rw)\n`);
  });

  it('shows a reader still blocked in open() as opening', async () => {
    const dir = directory('opening', ['waiting']);
    const child = ns.spawn('sh', ['-c', `echo ready; exec 3<${join(dir, 'waiting')}`]);
    holders.push(child);
    await waitForLine(child, 'ready');
    let stdout = '';
    for (let attempt = 0; attempt < 100 && !stdout.includes('opening'); attempt++) {
      stdout = (await run('lsfifo', ['-n', '-o', 'holders', dir])).stdout;
    }
    expect(maskPids(stdout)).toBe('<pid> sh (r, opening)\n');
  });

  it('says "unknown", not "none", when processes cannot be inspected', async () => {
    const dir = directory('as-nobody', ['roots', 'own', 'free']);
    chmodSync(join(dir, 'own'), 0o666);
    await hold({ [join(dir, 'roots')]: 'rw' });
    await hold({ [join(dir, 'own')]: 'r' }, { user: NOBODY });
    const result = await run('lsfifo', ['-o', 'path,holders', dir], { user: NOBODY });
    expect(result.status).toBe(0);
    const width = `${dir}/roots`.length;
    expect(maskPids(result.stdout)).toBe(
      [
        `${'PATH'.padEnd(width)} HOLDERS`,
        `${`${dir}/free`.padEnd(width)} unknown`,
        `${`${dir}/own`.padEnd(width)} <pid> python3 (r), unknown`,
        `${dir}/roots unknown`,
        '',
      ].join('\n'),
    );
    const json = JSON.parse(
      (await run('lsfifo', ['-J', '-o', 'path,holders', dir], { user: NOBODY })).stdout,
    );
    expect(json.fifos.map((f: { holders_complete: boolean }) => f.holders_complete)).toEqual([
      false,
      false,
      false,
    ]);
  });

  it('--all-processes lists the FIFOs processes hold, --pipes adds unnamed pipes', async () => {
    const dir = directory('all', ['held', 'free']);
    await hold({ [join(dir, 'held')]: 'w' });
    const all = await run('lsfifo', ['-a', '-n', '-o', 'path,type,holders']);
    const rows = all.stdout.split('\n').map((row) => maskPids(row).split(/ +/).join(' '));
    expect(rows).toContain(`${join(dir, 'held')} fifo <pid> python3 (w)`);
    expect(all.stdout).not.toContain(join(dir, 'free'));
    expect(all.stdout).not.toContain('pipe:[');
    const pipes = await run('lsfifo', ['-a', '--pipes', '-J']);
    const types = new Set(JSON.parse(pipes.stdout).fifos.map((f: { type: string }) => f.type));
    expect(types).toEqual(new Set(['fifo', 'pipe']));
  });

  it('reports a path it cannot read and still lists the rest', async () => {
    const dir = directory('errors', ['ok']);
    const result = await run('lsfifo', ['-n', '-o', 'path', join(dir, 'missing'), dir]);
    expect(result).toEqual({
      status: 1,
      stdout: `${dir}/ok\n`,
      stderr: `lsfifo: cannot access '${dir}/missing': No such file or directory\n`,
    });
  });
});

describe('rmfifo', () => {
  it('refuses every non-FIFO named on the command line and leaves it in place', async () => {
    const dir = directory('refuse', ['fifo', 'tree/inner']);
    writeFileSync(join(dir, 'regular'), 'data');
    symlinkSync(join(dir, 'fifo'), join(dir, 'link'));
    symlinkSync(join(dir, 'tree'), join(dir, 'tree-link'));
    const made = await run(
      'sh',
      [
        '-c',
        'mknod device c 1 3 && python3 -c "import socket; socket.socket(socket.AF_UNIX).bind(\'socket\')"',
      ],
      { cwd: dir },
    );
    expect(made.status).toBe(0);
    const names = ['regular', 'tree', 'link', 'device', 'socket', 'missing'];
    const result = await run('rmfifo', names, { cwd: dir });
    expect(result).toEqual({
      status: 1,
      stdout: '',
      stderr: [
        "rmfifo: not removing 'regular': not a FIFO (regular file)",
        "rmfifo: not removing 'tree': is a directory (-r removes the FIFOs below it)",
        "rmfifo: not removing 'link': not a FIFO (symbolic link)",
        "rmfifo: not removing 'device': not a FIFO (character special file)",
        "rmfifo: not removing 'socket': not a FIFO (socket)",
        "rmfifo: cannot remove 'missing': No such file or directory",
        '',
      ].join('\n'),
    });
    expect(readdirSync(dir).sort()).toEqual([
      'device',
      'fifo',
      'link',
      'regular',
      'socket',
      'tree',
      'tree-link',
    ]);
    // -r does not follow a link to a directory either, named or found in the tree.
    const recursive = await run('rmfifo', ['-r', 'tree-link'], { cwd: dir });
    expect(recursive.status).toBe(1);
    expect(lstatSync(join(dir, 'tree/inner')).isFIFO()).toBe(true);
    expect(lstatSync(join(dir, 'fifo')).isFIFO()).toBe(true);
  });

  it('--dry-run prints what would go and removes nothing', async () => {
    const dir = directory('dry', ['a', 'sp ace', 'new\nline', 'sub/b']);
    const result = await run('rmfifo', ['--dry-run', '-r', '.'], { cwd: dir });
    expect(result.status).toBe(0);
    expect(result.stdout.split('\n').sort().join('\n')).toBe(
      [
        '',
        "would remove './a'",
        "would remove './new'$'\\n''line'",
        "would remove './sp ace'",
        "would remove './sub/b'",
      ].join('\n'),
    );
    expect(readdirSync(dir).sort()).toEqual(['a', 'new\nline', 'sp ace', 'sub']);
  });

  it('--unused removes only FIFOs nobody holds or is opening', async () => {
    const dir = directory('unused', ['free', 'reader', 'writer', 'both', 'waiting']);
    await hold({ [join(dir, 'reader')]: 'r', [join(dir, 'writer')]: 'w', [join(dir, 'both')]: 'rw' });
    const waiting = ns.spawn('sh', ['-c', `echo ready; exec 3>${join(dir, 'waiting')}`]);
    holders.push(waiting);
    await waitForLine(waiting, 'ready');
    await new Promise((resolve) => setTimeout(resolve, 200));
    const result = await run('rmfifo', ['--unused', '-v', 'free', 'reader', 'writer', 'both', 'waiting'], {
      cwd: dir,
    });
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    expect(maskPids(result.stdout)).toBe(
      [
        "removed 'free'",
        "skipped 'reader': in use by <pid> (python3)",
        "skipped 'writer': in use by <pid> (python3)",
        "skipped 'both': in use by <pid> (python3)",
        "skipped 'waiting': in use by <pid> (sh)",
        '',
      ].join('\n'),
    );
    expect(readdirSync(dir).sort()).toEqual(['both', 'reader', 'waiting', 'writer']);
  });

  it("escapes a holder's command name, which its owner chooses, in messages", async () => {
    const dir = directory('command-name', ['held']);
    // The kernel's comm is the program's file name: another user can make it a terminal escape.
    const program = join(dir, '\x1b[2J\x1b]0;x\x07');
    writeFileSync(program, readFileSync('/bin/sleep'), { mode: 0o755 });
    const child = ns.spawn('sh', [
      '-c',
      'exec 3<>"$0"; echo ready; exec "$1" 1000',
      join(dir, 'held'),
      program,
    ]);
    holders.push(child);
    await waitForLine(child, 'ready');
    await new Promise((resolve) => setTimeout(resolve, 200));
    const result = await run('rmfifo', ['--unused', '-v', 'held'], { cwd: dir });
    expect({ ...result, stdout: result.stdout.replace(/\d+/, '<pid>') }).toEqual({
      status: 0,
      stdout: "skipped 'held': in use by <pid> (\\x1b[2J\\x1b]0;x\\x07)\n",
      stderr: '',
    });
  });

  it('--unused as a user who cannot inspect every process removes nothing and says why', async () => {
    const dir = directory('unknown', ['free'], NOBODY);
    const result = await run('rmfifo', ['--unused', 'free'], { cwd: dir, user: NOBODY });
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(
      /^rmfifo: not removing 'free': cannot tell whether it is in use: process(es)? [\d, ]+( and \d+ more)? cannot be inspected\n$/,
    );
    expect(existsSync(join(dir, 'free'))).toBe(true);
    // Without --unused the same user may remove it.
    expect(await run('rmfifo', ['-v', 'free'], { cwd: dir, user: NOBODY })).toEqual({
      status: 0,
      stdout: "removed 'free'\n",
      stderr: '',
    });
  });

  it('removes a FIFO from a directory its user may write and search but not read, as rm does', async () => {
    const dir = directory('search-only', ['fifo'], NOBODY);
    chmodSync(dir, 0o333);
    const result = await run('rmfifo', ['-v', join(dir, 'fifo')], { user: NOBODY });
    expect(result).toEqual({ status: 0, stdout: `removed '${join(dir, 'fifo')}'\n`, stderr: '' });
    expect(existsSync(join(dir, 'fifo'))).toBe(false);
  });

  it('--older-than keeps FIFOs modified more recently', async () => {
    const dir = directory('age', ['old', 'new']);
    const now = Date.now() / 1000;
    utimesSync(join(dir, 'new'), now - 60, now - 60);
    const result = await run('rmfifo', ['--older-than', '12h', '-v', 'old', 'new'], { cwd: dir });
    expect(result).toEqual({
      status: 0,
      stdout: "removed 'old'\nskipped 'new': modified too recently\n",
      stderr: '',
    });
    expect(readdirSync(dir)).toEqual(['new']);
  });

  it('a flag given a value removes nothing; a true after a flag is a path', async () => {
    // yargs took `--verbose=yes` as the flag's value and removed x, and `-v true` as -v's value.
    const dir = directory('flags', ['x', 'true']);
    expect(await run('rmfifo', ['--verbose=yes', 'x'], { cwd: dir })).toEqual({
      status: 1,
      stdout: '',
      stderr:
        "rmfifo: option '--verbose' doesn't allow an argument\nTry 'rmfifo --help' for more information.\n",
    });
    expect(readdirSync(dir).sort()).toEqual(['true', 'x']);
    expect(await run('rmfifo', ['-v', 'true'], { cwd: dir })).toEqual({
      status: 0,
      stdout: "removed 'true'\n",
      stderr: '',
    });
    expect(readdirSync(dir)).toEqual(['x']);
  });

  it('removes thousands of FIFOs in a tree quickly, --unused included', async () => {
    const names = Array.from({ length: 3000 }, (_, i) => `d${i % 30}/f${i}`);
    const dir = directory('many', names);
    await hold({ [join(dir, 'd0/f0')]: 'r' });
    const started = Date.now();
    const listed = await run('lsfifo', ['-n', '-o', 'path', dir]);
    expect(listed.stdout.split('\n')).toHaveLength(3001);
    const removed = await run('rmfifo', ['-r', '--unused', dir]);
    const elapsed = Date.now() - started;
    expect(removed).toEqual({ status: 0, stdout: '', stderr: '' });
    expect(readdirSync(dir, { recursive: true }).filter((entry) => String(entry).includes('/f'))).toEqual([
      'd0/f0',
    ]);
    expect(elapsed).toBeLessThan(15_000);
  });
});

describe.each(['lsfifo', 'rmfifo'])('%s command line', (bin) => {
  it('--help and --version print on stdout and exit 0', async () => {
    const help = await run(bin, ['--help']);
    expect(help.status).toBe(0);
    expect(help.stderr).toBe('');
    expect(help.stdout).toMatch(new RegExp(`^\\nUsage:\\n ${bin} \\[options\\]`));
    expect(await run(bin, ['-V'])).toEqual({ status: 0, stdout: `${bin} (ipcutils) 0.2.0\n`, stderr: '' });
  });

  it('an unknown option is one line plus the try-help line, exit 1', async () => {
    expect(await run(bin, ['--frobnicate', 'x'])).toEqual({
      status: 1,
      stdout: '',
      stderr: `${bin}: unrecognized option '--frobnicate'\nTry '${bin} --help' for more information.\n`,
    });
  });
});

describe('rmfifo leaves no temporary names behind', () => {
  it('after all of the above', () => {
    const leftovers = readdirSync(work, { recursive: true }).filter((entry) =>
      String(entry).includes('.rmfifo-'),
    );
    expect(leftovers).toEqual([]);
    expect(readFileSync(join(root, 'packages/fifo-tools/dist/rmfifo.js'), 'utf8')).toMatch(
      /^#!\/usr\/bin\/env -S -u NODE_EXTRA_CA_CERTS node\n/,
    );
  });
});
