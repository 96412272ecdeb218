import { execFileSync } from 'node:child_process';
import {
  chownSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  symlinkSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { withNamespace } from '../../../../test/helpers/namespace.js';
import { listPosixMqueues, listPosixSems, listPosixShm } from '../../src/posix/list.js';

const MTIME = 1795238463;

// Every directory standing in for /dev/shm or /dev/mqueue lives under one base, removed at the end.
const base = mkdtempSync(join(tmpdir(), 'posix-list-'));
afterAll(() => rmSync(base, { recursive: true, force: true }));

function makeDir(prefix: string): string {
  return mkdtempSync(join(base, prefix));
}

function makeFile(dir: string, name: string, options: { size?: number; mode?: number; text?: string } = {}) {
  const path = join(dir, name);
  writeFileSync(path, options.text ?? Buffer.alloc(options.size ?? 0), { mode: options.mode ?? 0o644 });
  utimesSync(path, MTIME, MTIME + 0.999);
  return path;
}

/** The directory's entries in readdir(3) order, as `ls -U` prints them. */
function readdirOrder(dir: string): string[] {
  return execFileSync('ls', ['-U', '-A', dir]).toString().split('\n').filter(Boolean);
}

const QSIZE = (bytes: number) =>
  `QSIZE:${String(bytes).padEnd(10)} NOTIFY:0     SIGNO:0     NOTIFY_PID:0     \n`;

describe('listPosixShm', () => {
  it('lists every /dev/shm entry but sem.* with its stat(2) fields', () => {
    const dir = makeDir('dev-shm-');
    makeFile(dir, 'pshm_b', { size: 1048576, mode: 0o600 });
    makeFile(dir, 'pshm_a', { size: 8192 });
    makeFile(dir, 'sem.psem_a', { size: 32 });
    const odd = makeFile(dir, 'odd owner', { size: 5, mode: 0o640 });
    chownSync(odd, 12345, 23456);

    const objects = listPosixShm(dir);
    expect(objects?.map((o) => o.name).sort()).toEqual(['odd owner', 'pshm_a', 'pshm_b']);
    expect(objects?.find((o) => o.name === 'pshm_b')).toStrictEqual({
      name: 'pshm_b',
      path: join(dir, 'pshm_b'),
      uid: 0,
      gid: 0,
      mode: 0o600,
      mtime: MTIME,
      size: 1048576,
    });
    expect(objects?.find((o) => o.name === 'odd owner')).toMatchObject({
      uid: 12345,
      gid: 23456,
      mode: 0o640,
    });
  });

  it('keeps readdir order instead of sorting', () => {
    const dir = makeDir('dev-shm-order-');
    for (const name of ['zeta', 'alpha', 'mid', 'beta', 'omega', 'sem.x', 'gamma']) makeFile(dir, name);
    const expected = readdirOrder(dir).filter((name) => !name.startsWith('sem.'));
    expect(listPosixShm(dir)?.map((o) => o.name)).toEqual(expected);
  });

  it('follows symlinks like fstatat(…, 0) and skips entries it cannot stat', () => {
    const dir = makeDir('dev-shm-links-');
    makeFile(dir, 'target', { size: 10, mode: 0o600 });
    symlinkSync(join(dir, 'target'), join(dir, 'link'));
    symlinkSync(join(dir, 'gone'), join(dir, 'dangling'));
    const objects = listPosixShm(dir);
    expect(objects?.map((o) => o.name).sort()).toEqual(['link', 'target']);
    expect(objects?.find((o) => o.name === 'link')).toMatchObject({ size: 10, mode: 0o600 });
  });

  it('returns undefined when the directory cannot be opened, and resolves relative paths', () => {
    expect(listPosixShm(join(tmpdir(), 'no-such-dev-shm'))).toBeUndefined();
    const dir = makeDir('dev-shm-rel-');
    makeFile(dir, 'x');
    expect(listPosixShm(relative(process.cwd(), dir))?.[0]?.path).toBe(join(dir, 'x'));
  });
});

describe('listPosixSems', () => {
  it('lists sem.NAME entries as NAME with the value the callback reports', () => {
    const dir = makeDir('dev-shm-sem-');
    makeFile(dir, 'sem.psem_a', { size: 32 });
    makeFile(dir, 'sem.psem_b', { size: 32, mode: 0o600 });
    makeFile(dir, 'pshm_a', { size: 8192 });
    const asked: string[] = [];
    const objects = listPosixSems(dir, (name) => {
      asked.push(name);
      return name === 'psem_a' ? 3 : 0;
    });
    expect(asked.sort()).toEqual(['psem_a', 'psem_b']);
    expect(objects?.find((o) => o.name === 'psem_a')).toStrictEqual({
      name: 'psem_a',
      path: join(dir, 'sem.psem_a'),
      uid: 0,
      gid: 0,
      mode: 0o644,
      mtime: MTIME,
      value: 3,
    });
    expect(objects?.find((o) => o.name === 'psem_b')).toMatchObject({ mode: 0o600, value: 0 });
  });

  it('skips a semaphore the callback cannot open, as util-linux skips a failed sem_open()', () => {
    const dir = makeDir('dev-shm-sem-skip-');
    makeFile(dir, 'sem.open');
    makeFile(dir, 'sem.locked', { mode: 0o600 });
    expect(listPosixSems(dir, (name) => (name === 'open' ? 1 : undefined))?.map((o) => o.name)).toEqual([
      'open',
    ]);
  });

  it('lists every semaphore without a value when no callback is given, in readdir order', () => {
    const dir = makeDir('dev-shm-sem-all-');
    for (const name of ['sem.b', 'sem.a', 'x', 'sem.c']) makeFile(dir, name);
    const objects = listPosixSems(dir);
    expect(objects?.map((o) => o.name)).toEqual(
      readdirOrder(dir)
        .filter((name) => name.startsWith('sem.'))
        .map((name) => name.slice(4)),
    );
    expect(objects?.every((o) => !('value' in o))).toBe(true);
  });

  it('skips silently an entry removed between readdir and stat', () => {
    const dir = makeDir('dev-shm-sem-race-');
    for (const name of ['sem.a', 'sem.b', 'sem.c']) makeFile(dir, name);
    const order = readdirOrder(dir).map((name) => name.slice(4));
    // While the first semaphore is opened, another process unlinks the last one.
    const objects = listPosixSems(dir, (name) => {
      if (name === order[0]) rmSync(join(dir, `sem.${order[2]}`));
      return 1;
    });
    expect(objects?.map((o) => o.name)).toEqual(order.slice(0, 2));
  });

  it('returns undefined when the directory cannot be opened', () => {
    expect(listPosixSems(join(tmpdir(), 'no-such-dev-shm'), () => 1)).toBeUndefined();
  });
});

describe('listPosixMqueues', () => {
  it('names queues "/" + file, with QSIZE and the curmsgs the callback reports', () => {
    const dir = makeDir('dev-mqueue-');
    makeFile(dir, 'pmq_a', { text: QSIZE(21) });
    makeFile(dir, 'pmq_b', { text: QSIZE(0), mode: 0o600 });
    const objects = listPosixMqueues(dir, (name) => (name === '/pmq_a' ? 2 : undefined));
    expect(objects?.find((o) => o.name === '/pmq_a')).toStrictEqual({
      name: '/pmq_a',
      path: join(dir, 'pmq_a'),
      uid: 0,
      gid: 0,
      mode: 0o644,
      mtime: MTIME,
      qsize: 21,
      curmsgs: 2,
    });
    const b = objects?.find((o) => o.name === '/pmq_b');
    expect(b).toMatchObject({ qsize: 0, mode: 0o600 });
    expect(b && 'curmsgs' in b).toBe(false);
    expect(objects?.map((o) => o.name)).toEqual(readdirOrder(dir).map((name) => `/${name}`));
  });

  it('skips files that do not start with QSIZE: or cannot be read', () => {
    const dir = makeDir('dev-mqueue-bad-');
    makeFile(dir, 'good', { text: QSIZE(7) });
    makeFile(dir, 'junk', { text: 'hello\n' });
    makeFile(dir, 'empty', { text: '' });
    makeFile(dir, 'late', { text: `x\n${QSIZE(1)}` });
    mkdirSync(join(dir, 'subdir'));
    expect(listPosixMqueues(dir)?.map((o) => [o.name, o.qsize])).toEqual([['/good', 7]]);
  });

  it('returns undefined when the directory does not exist (mqueue not mounted)', () => {
    expect(listPosixMqueues(join(tmpdir(), 'no-such-dev-mqueue'))).toBeUndefined();
  });

  it('throws the fs error when the path exists but cannot be opened as a directory', () => {
    const dir = makeDir('dev-mqueue-file-');
    const file = makeFile(dir, 'not-a-dir');
    expect(() => listPosixMqueues(file)).toThrow(expect.objectContaining({ code: 'ENOTDIR' }));
  });

  it('skips silently a queue removed between readdir and stat', () => {
    const dir = makeDir('dev-mqueue-race-');
    for (const name of ['q1', 'q2', 'q3']) makeFile(dir, name, { text: QSIZE(1) });
    const order = readdirOrder(dir);
    const objects = listPosixMqueues(dir, (name) => {
      if (name === `/${order[0]}`) rmSync(join(dir, order[1]!));
      return 0;
    });
    expect(objects?.map((o) => o.name)).toEqual([`/${order[0]}`, `/${order[2]}`]);
  });
});

describe('real POSIX objects in a private namespace', () => {
  it('lists what shm_open, sem_open and mq_open created', async () => {
    const binary = join(makeDir('make-objects-'), 'make-objects');
    const source = join(dirname(fileURLToPath(import.meta.url)), 'make-objects.c');
    execFileSync('gcc', ['-o', binary, source, '-lrt', '-pthread']);
    await withNamespace(async (ns) => {
      const made = await ns.run(binary);
      expect(made.stderr).toBe('');
      expect(made.status).toBe(0);
      // The namespace's own /dev/shm and /dev/mqueue, seen through its root.
      const root = `/proc/${ns.targetPid}/root`;
      const shm = listPosixShm(`${root}/dev/shm`);
      expect(shm?.map((o) => [o.name, o.size, o.mode])).toEqual([['pshm_a', 8192, 0o644]]);
      // glibc's sem_t on x86-64 keeps the value in the low 32 bits of its first word.
      const sems = listPosixSems(`${root}/dev/shm`, (name) =>
        readFileSync(`${root}/dev/shm/sem.${name}`).readUInt32LE(0),
      );
      expect(sems?.map((o) => [o.name, o.value, o.mode])).toEqual([['psem_a', 3, 0o644]]);
      const queues = listPosixMqueues(`${root}/dev/mqueue`);
      expect(queues?.map((o) => [o.name, o.qsize, o.mode])).toEqual([['/pmq_a', 21, 0o644]]);
      const now = Date.now() / 1000;
      expect(Math.abs((queues?.[0]?.mtime ?? 0) - now)).toBeLessThan(60);
    });
  });
});
