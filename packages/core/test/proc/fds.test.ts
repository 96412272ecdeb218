import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  chmodSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { NOBODY, waitForLine, withNamespace } from '../../../../test/helpers/namespace.js';
import { buildScript, runScriptAs } from '../../../../test/helpers/script.js';
import { makeFifo } from '../../src/fifo.js';
import { fileKey, type OpenFileStat, scanOpenFiles } from '../../src/proc/fds.js';

let dir: string;
const children: ChildProcess[] = [];

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'fds-test-'));
  chmodSync(dir, 0o755);
});

afterEach(() => {
  for (const child of children.splice(0)) child.kill('SIGKILL');
});

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

function fifo(name: string): string {
  const path = join(dir, name);
  makeFifo(path, 0o666);
  chmodSync(path, 0o666);
  return path;
}

function keyOf(path: string): string {
  return fileKey(statSync(path, { bigint: true }));
}

/** Runs `sh -c SCRIPT` (redirections that open FIFOs), then waits until it has become `sleep`. */
async function holdOpen(redirections: string, cwd = dir): Promise<ChildProcess> {
  const child = spawn('sh', ['-c', `${redirections}; echo ready; exec sleep 1000`], { cwd, stdio: 'pipe' });
  children.push(child);
  await waitForLine(child, 'ready');
  await waitFor(() => readFileSync(`/proc/${child.pid}/comm`, 'utf8') === 'sleep\n');
  return child;
}

/** Starts a command that blocks in open(2) on a FIFO and waits until the kernel shows it waiting. */
async function blockInOpen(command: string, args: string[], cwd = dir): Promise<ChildProcess> {
  const child = spawn(command, args, { cwd, stdio: 'pipe' });
  children.push(child);
  await waitFor(() => {
    const tasks = readTasks(child.pid!);
    return tasks.some(
      (tid) => readFileSync(`/proc/${child.pid}/task/${tid}/wchan`, 'utf8') === 'wait_for_partner',
    );
  });
  return child;
}

function readTasks(pid: number): string[] {
  try {
    return readdirSync(`/proc/${pid}/task`);
  } catch {
    return [];
  }
}

async function waitFor(condition: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      if (condition()) return;
    } catch {
      // not there yet
    }
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

function holdersOf(path: string) {
  const key = keyOf(path);
  const scan = scanOpenFiles({
    acceptTarget: (target) => target.startsWith('/'),
    acceptFile: (c) => c.key === key,
  });
  return scan.files.get(key)?.holders ?? [];
}

describe('scanOpenFiles on live processes', () => {
  it('reports read, write and read-write holders from fdinfo flags, merging descriptors per process', async () => {
    const reader = fifo('reader');
    const writer = fifo('writer');
    const both = fifo('both');
    const merged = fifo('merged');
    const unused = fifo('unused');
    // O_RDWR (<>) never blocks on a FIFO; with it open, the read-only and write-only opens return at once.
    const r = await holdOpen('exec 3<>reader 4<reader 3>&-');
    const w = await holdOpen('exec 3<>writer 4>writer 3>&-');
    const rw = await holdOpen('exec 3<>both');
    const m = await holdOpen('exec 3<>merged 4<merged 5>merged 3>&-');
    expect(holdersOf(reader)).toEqual([
      { pid: r.pid, command: 'sleep', access: 'read', fds: [4], opening: false },
    ]);
    expect(holdersOf(writer)).toEqual([
      { pid: w.pid, command: 'sleep', access: 'write', fds: [4], opening: false },
    ]);
    expect(holdersOf(both)).toEqual([
      { pid: rw.pid, command: 'sleep', access: 'readwrite', fds: [3], opening: false },
    ]);
    expect(holdersOf(merged)).toEqual([
      { pid: m.pid, command: 'sleep', access: 'readwrite', fds: [4, 5], opening: false },
    ]);
    expect(holdersOf(unused)).toEqual([]);
  });

  it('lists every holding process in pid order', async () => {
    const shared = fifo('shared');
    const a = await holdOpen('exec 3<>shared');
    const b = await holdOpen('exec 3>shared');
    const pids = holdersOf(shared).map((holder) => holder.pid);
    expect(pids).toEqual([a.pid!, b.pid!].sort((x, y) => x - y));
  });

  it('finds threads blocked in open() waiting for the other end, with the absolute path they open', async () => {
    const readerSide = fifo('blocked-reader');
    const writerSide = fifo('blocked-writer');
    const r = await blockInOpen('sh', ['-c', 'exec 3<blocked-reader']);
    const w = await blockInOpen('sh', ['-c', 'exec 3>blocked-writer']);
    const key = keyOf(readerSide);
    const scan = scanOpenFiles({ acceptFile: (c) => c.key === key || c.key === keyOf(writerSide) });
    expect(scan.files.get(key)).toMatchObject({ target: readerSide });
    expect(holdersOf(readerSide)).toEqual([
      { pid: r.pid, command: 'sh', access: 'read', fds: [], opening: true },
    ]);
    expect(holdersOf(writerSide)).toEqual([
      { pid: w.pid, command: 'sh', access: 'write', fds: [], opening: true },
    ]);
  });

  it('finds an open() blocked in a worker thread (Node fs.open) and one relative to a directory descriptor', async () => {
    const node = fifo('node-open');
    const atDir = fifo('at-dir');
    const n = await blockInOpen(process.execPath, [
      '-e',
      `require('fs').open(${JSON.stringify(node)}, 'r', () => {})`,
    ]);
    const python = `import os\nd = os.open(${JSON.stringify(dir)}, os.O_RDONLY)\nos.chdir('/')\nos.open('at-dir', os.O_WRONLY, dir_fd=d)`;
    const p = await blockInOpen('python3', ['-c', python]);
    expect(holdersOf(node)).toEqual([
      { pid: n.pid, command: 'node', access: 'read', fds: [], opening: true },
    ]);
    expect(holdersOf(atDir)).toMatchObject([{ pid: p.pid, access: 'write', opening: true }]);
  });

  it('reports an opener whose path no longer leads to a FIFO as unresolved', async () => {
    const path = fifo('renamed-while-opening');
    const opener = await blockInOpen('sh', ['-c', 'exec 3<renamed-while-opening']);
    renameSync(path, join(dir, 'renamed-away'));
    const scan = scanOpenFiles({ acceptFile: () => false });
    expect(scan.unresolvedOpeners).toContainEqual({
      pid: opener.pid,
      tid: opener.pid,
      command: 'sh',
      path: 'renamed-while-opening',
    });
  });

  it('only stats descriptors whose link text passes acceptTarget', async () => {
    const path = fifo('filtered');
    // Node gives a child socketpairs for stdio, so the holder makes an unnamed pipe of its own.
    const script = `import os, time\nfifo = os.open('filtered', os.O_RDWR)\nr, w = os.pipe()\nos.dup2(r, 100)\nos.dup2(w, 101)\nos.close(r)\nos.close(w)\nprint('ready', flush=True)\ntime.sleep(1000)`;
    const holder = spawn('python3', ['-c', script], { cwd: dir, stdio: 'pipe' });
    children.push(holder);
    await waitForLine(holder, 'ready');
    const seen: string[] = [];
    const scan = scanOpenFiles({
      acceptTarget: (target) => target.startsWith('pipe:['),
      acceptFile: (candidate) => {
        seen.push(candidate.target);
        return true;
      },
      openers: false,
    });
    expect(seen.length).toBeGreaterThan(0);
    expect(seen.every((target) => target.startsWith('pipe:['))).toBe(true);
    expect(scan.files.has(keyOf(path))).toBe(false);
    // The holder's own pipe is found through the same scan, both ends.
    const pipes = [...scan.files.values()].filter((file) => file.holders.some((h) => h.pid === holder.pid));
    const own = pipes.filter((file) =>
      file.holders.some((h) => h.pid === holder.pid && h.fds.join() === '100,101'),
    );
    expect(own).toHaveLength(1);
    expect(own[0]!.holders.find((h) => h.pid === holder.pid)?.access).toBe('readwrite');
    expect(
      pipes.every((file) => file.target.startsWith('pipe:[') && (file.stat.mode & 0o170000) === 0o010000),
    ).toBe(true);
  });

  it('scans a process holding a thousand FIFOs quickly', async () => {
    const many = join(dir, 'many');
    mkdirSync(many);
    const paths = Array.from({ length: 1000 }, (_, i) => join(many, `f${i}`));
    for (const path of paths) makeFifo(path);
    const script = `import os, sys\nfds = [os.open(p, os.O_RDWR) for p in sys.argv[1:]]\nprint('ready', flush=True)\nimport time\ntime.sleep(1000)`;
    const holder = spawn('python3', ['-c', script, ...paths], { stdio: 'pipe' });
    children.push(holder);
    await waitForLine(holder, 'ready');
    const keys = new Set(paths.map(keyOf));
    const started = performance.now();
    const scan = scanOpenFiles({
      acceptTarget: (t) => t.startsWith('/'),
      acceptFile: (c) => keys.has(c.key),
    });
    const elapsed = performance.now() - started;
    expect(scan.files.size).toBe(1000);
    expect([...scan.files.values()].every((f) => f.holders[0]?.pid === holder.pid)).toBe(true);
    expect(elapsed).toBeLessThan(2000);
  });
});

describe('scanOpenFiles on a /proc fixture', () => {
  // Syscall numbers of openat(2), which the fixture's blocked thread is in.
  const OPENAT: Record<string, number> = { x64: 257, arm64: 56 };

  function makeProc(target: string): { root: string; stat: OpenFileStat } {
    const root = mkdtempSync(join(tmpdir(), 'proc-fixture-'));
    const pid = (n: number, files: Record<string, string>, links: Record<string, string>) => {
      for (const [name, text] of Object.entries(files)) {
        mkdirSync(join(root, String(n), name, '..'), { recursive: true });
        writeFileSync(join(root, String(n), name), text);
      }
      for (const [name, to] of Object.entries(links)) {
        mkdirSync(join(root, String(n), name, '..'), { recursive: true });
        symlinkSync(to, join(root, String(n), name));
      }
    };
    // 100: the FIFO read on fd 3 and written on fd 4; fd 5 closed since readdir; fd 7 lost its fdinfo.
    pid(
      100,
      {
        comm: 'holder\n',
        'fdinfo/3': 'pos:\t0\nflags:\t0100000\nmnt_id:\t1\n',
        'fdinfo/4': 'pos:\t0\nflags:\t0100001\nmnt_id:\t1\n',
        'fdinfo/6': 'pos:\t0\nflags:\t02\n',
        'task/100/wchan': '0',
      },
      { 'fd/3': target, 'fd/4': target, 'fd/5': join(root, 'gone'), 'fd/6': 'pipe:[99]', 'fd/7': target },
    );
    // 200 exited between the readdir of /proc and ours of its fd directory.
    mkdirSync(join(root, '200'));
    // 300: a thread blocked opening the FIFO relative to its cwd (the path sits at 0x1000 in "mem").
    const mem = Buffer.alloc(0x1100);
    mem.write(`${basename(target)}\0`, 0x1000);
    pid(
      300,
      {
        comm: 'opener\n',
        'task/300/wchan': 'wait_for_partner',
        'task/300/syscall': `${OPENAT[process.arch] ?? 0} 0xffffff9c 0x1000 0x1 0x0 0x0 0x0 0x7ffd 0x7f00\n`,
      },
      { 'task/300/cwd': dirname(target) },
    );
    mkdirSync(join(root, '300', 'fd'));
    writeFileSync(join(root, '300', 'mem'), mem);
    const stat = statSync(target, { bigint: true });
    return {
      root,
      stat: {
        dev: stat.dev,
        ino: stat.ino,
        mode: Number(stat.mode),
        uid: 0,
        gid: 0,
        size: 0,
        mtimeMs: Number(stat.mtimeMs),
      },
    };
  }

  it('merges descriptors, skips closed ones and vanished processes, and resolves the blocked opener', () => {
    const target = fifo('fixture');
    const { root } = makeProc(target);
    const targets: string[] = [];
    const scan = scanOpenFiles({
      procRoot: root,
      acceptTarget: (t) => {
        targets.push(t);
        return true;
      },
    });
    const file = scan.files.get(keyOf(target));
    expect(file?.holders).toEqual([
      { pid: 100, command: 'holder', access: 'readwrite', fds: [3, 4], opening: false },
      ...(OPENAT[process.arch]
        ? [{ pid: 300, command: 'opener', access: 'write', fds: [], opening: true }]
        : []),
    ]);
    expect(file?.target).toBe(target);
    expect(targets.sort()).toEqual([join(root, 'gone'), target, target, target, 'pipe:[99]'].sort());
    expect(scan.uninspectable).toEqual([]);
    expect(scan.unresolvedOpeners).toEqual([]);
    rmSync(root, { recursive: true });
  });
});

describe('scanOpenFiles and hidepid', () => {
  const HIDDEN = `
import { scanOpenFiles } from '../packages/core/src/proc/fds.ts';
console.log(scanOpenFiles({ procRoot: process.argv[2], openers: false }).processesHidden);
`;

  it.each([
    ['hidepid=invisible', 'true'],
    ['hidepid=2', 'true'],
    ['hidepid=ptraceable', 'true'],
    ['hidepid=noaccess', 'false'],
    ['hidepid=0', 'false'],
  ])('as a user, a /proc mounted with %s hides processes: %s', async (option, hidden) => {
    const source = readFileSync(join(import.meta.dirname, '../../src/proc/fds.ts'));
    const script = await buildScript(
      `${HIDDEN}// source ${createHash('sha1').update(source).digest('hex')}\n`,
    );
    const root = mkdtempSync(join(tmpdir(), 'proc-hidepid-'));
    chmodSync(root, 0o755);
    mkdirSync(join(root, 'self'));
    const line = `22 1 0:21 / ${root} rw,nosuid,nodev,noexec,relatime shared:12 - proc proc rw,${option}\n`;
    writeFileSync(join(root, 'self/mountinfo'), `21 1 0:20 / / rw - ext4 /dev/sda rw\n${line}`);
    const asNobody = await runScriptAs(NOBODY, script, [root]);
    const asRoot = spawnSync(process.execPath, [script, root], { encoding: 'utf8' });
    rmSync(root, { recursive: true });
    expect(asNobody.stdout).toBe(`${hidden}\n`);
    // root sees every process whatever the mount options say.
    expect(asRoot.stdout).toBe('false\n');
  });
});

describe('scanOpenFiles as an unprivileged user, in a private pid namespace', () => {
  const SCAN = `
import { statSync } from 'node:fs';
import { fileKey, scanOpenFiles } from '../packages/core/src/proc/fds.ts';
const paths = process.argv.slice(2);
const names = new Map(paths.map((path) => [fileKey(statSync(path, { bigint: true })), path]));
const scan = scanOpenFiles({ acceptTarget: (t) => t.startsWith('/'), acceptFile: (c) => names.has(c.key) });
const files = [...scan.files.values()].map((file) => ({ path: names.get(file.key), holders: file.holders }));
console.log(JSON.stringify({ uninspectable: scan.uninspectable, hidden: scan.processesHidden, files }));
`;

  it("reports root's processes as uninspectable and still finds the user's own holders", async () => {
    // buildScript caches by the snippet's text alone: name the source so an edit rebuilds it.
    const source = readFileSync(join(import.meta.dirname, '../../src/proc/fds.ts'));
    const script = await buildScript(`${SCAN}// source ${createHash('sha1').update(source).digest('hex')}\n`);
    const rootsFifo = fifo('held-by-root');
    const ownFifo = fifo('held-by-nobody');
    await withNamespace(
      async (ns) => {
        const rootHolder = ns.spawn('sh', ['-c', `exec 3<>${rootsFifo}; echo ready; exec sleep 1000`]);
        const ownHolder = ns.spawn('sh', ['-c', `exec 3<>${ownFifo}; echo ready; exec sleep 1000`], {
          user: NOBODY,
        });
        await Promise.all([waitForLine(rootHolder, 'ready'), waitForLine(ownHolder, 'ready')]);
        // "ready" comes before the holders exec sleep: scan until both have.
        const scanAsRoot = async () =>
          JSON.parse((await ns.run(process.execPath, [script, rootsFifo, ownFifo])).stdout);
        let asRoot = await scanAsRoot();
        for (let attempt = 0; attempt < 100; attempt++) {
          const commands = asRoot.files.flatMap((f: { holders: { command: string }[] }) =>
            f.holders.map((h) => h.command),
          );
          if (commands.length === 2 && commands.every((command: string) => command === 'sleep')) break;
          asRoot = await scanAsRoot();
        }
        const asNobody = JSON.parse(
          (await ns.run(process.execPath, [script, rootsFifo, ownFifo], { user: NOBODY })).stdout,
        );
        // Root sees everything in the namespace: complete, both holders.
        expect(asRoot.uninspectable).toEqual([]);
        expect(asRoot.files.map((f: { path: string }) => f.path).sort()).toEqual([ownFifo, rootsFifo].sort());
        // nobody cannot read root's descriptors (pid 1 is the namespace's root-owned init).
        expect(asNobody.uninspectable).toContain(1);
        expect(asNobody.uninspectable.length).toBeGreaterThanOrEqual(2);
        expect(asNobody.hidden).toBe(false);
        expect(asNobody.files).toEqual([
          {
            path: ownFifo,
            holders: [expect.objectContaining({ command: 'sleep', access: 'readwrite', fds: [3] })],
          },
        ]);
      },
      { pid: true },
    );
  });
});
