import { readFileSync, statSync } from 'node:fs';
import { constants } from 'node:os';
import { afterEach, describe, expect, it } from 'vitest';
import { waitForLine } from '../../../../test/helpers/namespace.js';
import { buildScript, runScript, runScriptAsNobody, startScript } from '../../../../test/helpers/script.js';
import { ClosedHandleError, IpcError } from '../../src/errors.js';
import { getPosixSemValue, openPosixSem, unlinkPosixSem } from '../../src/posix/sem.js';

// Matched by number: errors.ts's errnoName(11) gives 'EWOULDBLOCK' (os.constants.errno lists both names).
const { EAGAIN } = constants.errno;

// Test files share one namespace (and its /dev/shm): every name carries the pid.
const created: string[] = [];
function uniqueName(tag: string): string {
  const name = `semt-${process.pid}-${tag}`;
  created.push(name);
  return name;
}

afterEach(() => {
  for (const name of created.splice(0)) {
    try {
      unlinkPosixSem(name);
    } catch {}
  }
});

const POSTER = `
import { openPosixSem } from '../packages/core/src/posix/sem.ts';
const [name, delayMs, count] = process.argv.slice(2);
await new Promise((resolve) => setTimeout(resolve, Number(delayMs)));
const sem = openPosixSem(name!);
for (let i = 0; i < Number(count); i++) sem.post();
sem.close();
`;

const WAITER = `
import { openPosixSem } from '../packages/core/src/posix/sem.ts';
const [name] = process.argv.slice(2);
const sem = openPosixSem(name!);
const waited = sem.wait({ timeoutMs: 10_000 });
console.log('waiting');
await waited;
console.log('woke');
sem.close();
`;

/** Opens as told and reports the outcome as JSON (for the unprivileged runs). */
const PROBE = `
import { getPosixSemValue, openPosixSem, unlinkPosixSem } from '../packages/core/src/posix/sem.ts';
const [action, name] = process.argv.slice(2);
try {
  if (action === 'open') openPosixSem(name!).close();
  if (action === 'unlink') unlinkPosixSem(name!);
  if (action === 'value') {
    console.log(JSON.stringify({ value: getPosixSemValue(name!) ?? null }));
    process.exit(0);
  }
  console.log(JSON.stringify({ ok: true }));
} catch (error) {
  console.log(JSON.stringify({ code: (error as { code?: string }).code, syscall: (error as { syscall?: string }).syscall }));
}
`;

/**
 * glibc maps /dev/shm/sem.NAME once per process and unmaps it when the last sem_close drops it.
 * Found by inode: a creating sem_open maps a temporary file it then links to the name.
 */
function isMapped(name: string): boolean {
  const inode = String(statSync(`/dev/shm/sem.${name}`).ino);
  return readFileSync('/proc/self/maps', 'utf8')
    .split('\n')
    .some((line) => line.includes('/dev/shm/') && line.split(/\s+/)[4] === inode);
}

describe('openPosixSem', () => {
  it('creates a semaphore with its value and mode as /dev/shm/sem.NAME', () => {
    const name = uniqueName('create');
    const sem = openPosixSem(name, { create: true, mode: 0o640, value: 3 });
    try {
      expect(sem.name).toBe(name);
      expect(sem.value()).toBe(3);
      expect(statSync(`/dev/shm/sem.${name}`).mode & 0o777).toBe(0o640);
      expect(getPosixSemValue(name)).toBe(3);
    } finally {
      sem.close();
    }
  });

  it('posts and try-waits, failing with EAGAIN at 0', () => {
    const name = uniqueName('trywait');
    const sem = openPosixSem(name, { create: true });
    try {
      expect(sem.value()).toBe(0);
      expect(() => sem.tryWait()).toThrow(expect.objectContaining({ errno: EAGAIN, syscall: 'sem_trywait' }));
      sem.post();
      sem.post();
      expect(sem.value()).toBe(2);
      sem.tryWait();
      expect(sem.value()).toBe(1);
      sem.tryWait();
      expect(() => sem.tryWait()).toThrow(IpcError);
      expect(sem.value()).toBe(0);
    } finally {
      sem.close();
    }
  });

  it('names the same semaphore with or without a leading slash', () => {
    const name = uniqueName('slash');
    const plain = openPosixSem(name, { create: true, value: 1 });
    const slashed = openPosixSem(`/${name}`);
    try {
      slashed.post();
      expect(plain.value()).toBe(2);
      expect(getPosixSemValue(`/${name}`)).toBe(2);
    } finally {
      plain.close();
      slashed.close();
    }
  });

  it('keeps a second handle of the same semaphore working after the first is closed', () => {
    const name = uniqueName('twice');
    const first = openPosixSem(name, { create: true, value: 5 });
    const second = openPosixSem(name);
    first.close();
    expect(isMapped(name)).toBe(true);
    second.post();
    expect(second.value()).toBe(6);
    second.close();
    expect(isMapped(name)).toBe(false);
  });

  it('fails with EEXIST on an exclusive create of an existing semaphore', () => {
    const name = uniqueName('excl');
    openPosixSem(name, { create: true }).close();
    expect(() => openPosixSem(name, { create: true, exclusive: true })).toThrow(
      expect.objectContaining({ name: 'IpcError', code: 'EEXIST', syscall: 'sem_open', objectName: name }),
    );
  });

  it('fails with ENOENT when opening a missing semaphore without create', () => {
    const name = `semt-${process.pid}-missing`;
    expect(() => openPosixSem(name)).toThrow(
      expect.objectContaining({ code: 'ENOENT', syscall: 'sem_open' }),
    );
    expect(getPosixSemValue(name)).toBeUndefined();
  });

  it('refuses a value above SEM_VALUE_MAX or below 0 with RangeError, creating nothing', () => {
    const name = uniqueName('big');
    expect(() => openPosixSem(name, { create: true, value: 2 ** 31 })).toThrow(RangeError);
    expect(() => openPosixSem(name, { create: true, value: -1 })).toThrow(RangeError);
    expect(() => statSync(`/dev/shm/sem.${name}`)).toThrow();
    const max = openPosixSem(name, { create: true, value: 2 ** 31 - 1 });
    expect(max.value()).toBe(2 ** 31 - 1);
    max.close();
  });

  it('fails with EINVAL for a name with an inner slash', () => {
    expect(() => openPosixSem('a/b', { create: true })).toThrow(expect.objectContaining({ code: 'EINVAL' }));
  });

  it('fails with ENAMETOOLONG when "sem." + name exceeds NAME_MAX (255)', () => {
    expect(() => openPosixSem('s'.repeat(252), { create: true })).toThrow(
      expect.objectContaining({ code: 'ENAMETOOLONG' }),
    );
    const longest = uniqueName('x'.repeat(251 - `semt-${process.pid}-`.length));
    openPosixSem(longest, { create: true }).close();
    expect(getPosixSemValue(longest)).toBe(0);
  });

  it('refuses a name with a NUL byte instead of opening the semaphore named by its prefix', () => {
    const prefix = uniqueName('nul');
    expect(() => openPosixSem(`${prefix}\0tail`, { create: true })).toThrow(
      expect.objectContaining({ code: 'EINVAL' }),
    );
    expect(() => statSync(`/dev/shm/sem.${prefix}`)).toThrow();
    expect(getPosixSemValue(`${prefix}\0tail`)).toBeUndefined();
  });

  it('fails with EACCES for an unprivileged user on a 0600 root-owned semaphore', async () => {
    const name = uniqueName('eacces');
    openPosixSem(name, { create: true, mode: 0o600, value: 4 }).close();
    await expect(runScriptAsNobody(PROBE, ['open', name])).resolves.toEqual({
      code: 'EACCES',
      syscall: 'sem_open',
    });
    await expect(runScriptAsNobody(PROBE, ['value', name])).resolves.toEqual({ value: null });
    // /dev/shm is sticky: unlink(2) fails with EPERM, which glibc's sem_unlink reports as EACCES.
    await expect(runScriptAsNobody(PROBE, ['unlink', name])).resolves.toEqual({
      code: 'EACCES',
      syscall: 'sem_unlink',
    });
    expect(getPosixSemValue(name)).toBe(4);
  });

  it('lets an unprivileged user read the value of a 0666 semaphore', async () => {
    const name = uniqueName('open-to-all');
    const old = process.umask(0);
    try {
      openPosixSem(name, { create: true, mode: 0o666, value: 7 }).close();
    } finally {
      process.umask(old);
    }
    await expect(runScriptAsNobody(PROBE, ['value', name])).resolves.toEqual({ value: 7 });
  });
});

describe('waiting', () => {
  it('returns at once when the semaphore is available', async () => {
    const name = uniqueName('available');
    const sem = openPosixSem(name, { create: true, value: 2 });
    try {
      await sem.wait();
      await sem.wait({ timeoutMs: 0 });
      expect(sem.value()).toBe(0);
    } finally {
      sem.close();
    }
  });

  it('is woken off the event loop by a post from another process', async () => {
    const name = uniqueName('wake');
    const sem = openPosixSem(name, { create: true });
    let ticks = 0;
    const timer = setInterval(() => ticks++, 5);
    try {
      const pending = sem.wait({ timeoutMs: 20_000 });
      // The poster starts only now: a wait that blocked the main thread would never let it start.
      const poster = startScript(await buildScript(POSTER), [name, '300', '1']);
      await pending;
      expect(ticks).toBeGreaterThan(20);
      expect(sem.value()).toBe(0);
      await new Promise((resolve) => poster.once('exit', resolve));
    } finally {
      clearInterval(timer);
      sem.close();
    }
  });

  it('wakes a waiter in another process with a post', async () => {
    const name = uniqueName('wake-peer');
    const sem = openPosixSem(name, { create: true });
    try {
      const waiter = startScript(await buildScript(WAITER), [name]);
      const output: string[] = [];
      waiter.stdout?.on('data', (chunk: Buffer) => output.push(chunk.toString()));
      await waitForLine(waiter, 'waiting');
      expect(output.join('')).not.toContain('woke');
      sem.post();
      const code = await new Promise((resolve) => waiter.once('exit', resolve));
      expect(code).toBe(0);
      expect(output.join('')).toContain('woke');
      expect(sem.value()).toBe(0);
    } finally {
      sem.close();
    }
  });

  it('times out with ETIMEDOUT without freezing the event loop', async () => {
    const name = uniqueName('timeout');
    const sem = openPosixSem(name, { create: true });
    let ticks = 0;
    const timer = setInterval(() => ticks++, 5);
    try {
      const started = Date.now();
      const error = await sem.wait({ timeoutMs: 300 }).catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(IpcError);
      expect(error).toMatchObject({ code: 'ETIMEDOUT', syscall: 'sem_timedwait', objectName: name });
      expect(Date.now() - started).toBeGreaterThanOrEqual(290);
      expect(ticks).toBeGreaterThan(20);
      await expect(sem.wait({ timeoutMs: 0 })).rejects.toMatchObject({ code: 'ETIMEDOUT' });
      await expect(sem.wait({ timeoutMs: Number.NaN })).rejects.toThrow(RangeError);
      await expect(sem.wait({ timeoutMs: 1.5 })).rejects.toMatchObject({ code: 'ETIMEDOUT' });
      expect(sem.value()).toBe(0);
    } finally {
      clearInterval(timer);
      sem.close();
    }
  });

  it('takes several posts from another process, one per wait', async () => {
    const name = uniqueName('count');
    const sem = openPosixSem(name, { create: true });
    try {
      await runScript(await buildScript(POSTER), [name, '0', '3']);
      expect(sem.value()).toBe(3);
      await Promise.all([sem.wait(), sem.wait(), sem.wait()]);
      expect(sem.value()).toBe(0);
    } finally {
      sem.close();
    }
  });
});

describe('closing and unlinking', () => {
  it('throws ClosedHandleError on every use after close, and close is idempotent', async () => {
    const name = uniqueName('closed');
    const sem = openPosixSem(name, { create: true, value: 1 });
    expect(isMapped(name)).toBe(true);
    sem.close();
    expect(isMapped(name)).toBe(false);
    expect(() => sem.close()).not.toThrow();
    expect(() => sem.post()).toThrow(ClosedHandleError);
    expect(() => sem.tryWait()).toThrow(ClosedHandleError);
    expect(() => sem.value()).toThrow(ClosedHandleError);
    await expect(sem.wait()).rejects.toThrow(ClosedHandleError);
    expect(getPosixSemValue(name)).toBe(1);
  });

  it('unmaps the semaphore at once and fails a pending wait with ClosedHandleError (no thread holds it)', async () => {
    const name = uniqueName('close-pending');
    const sem = openPosixSem(name, { create: true });
    const pending = sem.wait({ timeoutMs: 20_000 });
    sem.close();
    expect(() => sem.post()).toThrow(ClosedHandleError);
    expect(isMapped(name)).toBe(false);
    await expect(pending).rejects.toMatchObject({ name: 'ClosedHandleError', code: 'EBADF' });
    // A later post is not consumed by the abandoned wait.
    await runScript(await buildScript(POSTER), [name, '0', '1']);
    expect(getPosixSemValue(name)).toBe(1);
  });

  it('unlinks a semaphore, then fails with ENOENT; an open handle keeps working', () => {
    const name = uniqueName('unlink');
    const sem = openPosixSem(name, { create: true });
    unlinkPosixSem(`/${name}`);
    expect(() => statSync(`/dev/shm/sem.${name}`)).toThrow(expect.objectContaining({ code: 'ENOENT' }));
    expect(() => unlinkPosixSem(name)).toThrow(
      expect.objectContaining({ code: 'ENOENT', syscall: 'sem_unlink', objectName: name }),
    );
    sem.post();
    expect(sem.value()).toBe(1);
    sem.close();
  });
});
