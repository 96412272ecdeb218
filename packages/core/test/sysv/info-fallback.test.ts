// Kernels before 4.17 have no XXX_STAT_ANY and answer it with EINVAL, like an empty index. This
// kernel has it, so the bindings are wrapped to play an old kernel (and to inject errors); every
// other call goes to libc.
import { constants } from 'node:os';
import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  MSG_STAT,
  MSG_STAT_ANY,
  SEM_STAT,
  SEM_STAT_ANY,
  SHM_STAT,
  SHM_STAT_ANY,
} from '../../src/ffi/constants.js';
import type { Raw } from '../../src/ffi/libc.js';

const fake = vi.hoisted(() => ({
  /** Answer XXX_STAT_ANY with EINVAL, as Linux < 4.17 does. */
  oldKernel: false,
  /** index -> errno to answer XXX_STAT (either kind) with. */
  failures: new Map<number, number>(),
  /** Every stat command the lister issued, as [index, cmd, succeeded]. */
  calls: [] as [number, number, boolean][],
}));

vi.mock('../../src/ffi/libc.js', async (importOriginal) => {
  const real = await importOriginal<typeof import('../../src/ffi/libc.js')>();
  const { EINVAL } = (await import('node:os')).constants.errno;
  const failed = (errnoCode: number): Raw => ({ value: -1, errnoCode, errnoMessage: `errno ${errnoCode}` });
  const answer = (index: number, cmd: number, statAny: number, call: () => Raw): Raw => {
    const errno = fake.failures.get(index);
    if (errno !== undefined) return failed(errno);
    if (fake.oldKernel && cmd === statAny) return failed(EINVAL);
    return call();
  };
  const intercept = (index: number, cmd: number, statAny: number, stat: number, call: () => Raw): Raw => {
    if (cmd !== statAny && cmd !== stat) return call();
    const raw = answer(index, cmd, statAny, call);
    fake.calls.push([index, cmd, raw.value !== -1]);
    return raw;
  };
  return {
    ...real,
    shmctl: (id: number, cmd: number, buf?: Buffer) =>
      intercept(id, cmd, 15, 13, () => real.shmctl(id, cmd, buf)),
    msgctl: (id: number, cmd: number, buf?: Buffer) =>
      intercept(id, cmd, 13, 11, () => real.msgctl(id, cmd, buf)),
    semctl: (id: number, num: number, cmd: number, arg?: number | Buffer) =>
      intercept(id, cmd, 20, 18, () => real.semctl(id, num, cmd, arg)),
  };
});

const { listMsgQueuesBySyscall, listSemSetsBySyscall, listShmSegmentsBySyscall } = await import(
  '../../src/sysv/info.js'
);
const { createShm, removeShm, statShm } = await import('../../src/sysv/shm.js');
const { createMsgQueue, removeMsgQueue, statMsgQueue } = await import('../../src/sysv/msg.js');
const { createSemSet, removeSemSet, statSemSet } = await import('../../src/sysv/sem.js');

afterEach(() => {
  fake.oldKernel = false;
  fake.failures.clear();
  fake.calls.length = 0;
});

/** The index of an id: Linux ids are seq * 32768 + index. */
const indexOf = (id: number) => id % 32768;

describe('listing on a kernel without XXX_STAT_ANY', () => {
  it('falls back to SHM_STAT after the first object is found, and lists the same records', () => {
    const id = createShm({ size: 777, mode: 0o600 });
    try {
      fake.oldKernel = true;
      const segment = listShmSegmentsBySyscall().find((s) => s.id === id);
      expect(segment).toEqual(statShm(id));
      // Until an object turns up each EINVAL costs one more SHM_STAT; from then on SHM_STAT only.
      const firstFound = fake.calls.findIndex(([, , ok]) => ok);
      expect(fake.calls[firstFound]?.[1]).toBe(SHM_STAT);
      expect(fake.calls[firstFound - 1]?.[1]).toBe(SHM_STAT_ANY);
      expect(fake.calls.slice(firstFound).every(([, cmd]) => cmd === SHM_STAT)).toBe(true);
      expect(fake.calls.some(([index, cmd]) => index === indexOf(id) && cmd === SHM_STAT)).toBe(true);
    } finally {
      removeShm(id);
    }
  });

  it('falls back for message queues and semaphore sets too', () => {
    const queue = createMsgQueue();
    const set = createSemSet({ nsems: 2 });
    try {
      fake.oldKernel = true;
      expect(listMsgQueuesBySyscall().find((q) => q.id === queue)).toEqual(statMsgQueue(queue));
      expect(fake.calls.map(([, cmd]) => cmd)).toContain(MSG_STAT);
      fake.calls.length = 0;
      expect(listSemSetsBySyscall().find((s) => s.id === set)).toEqual(statSemSet(set));
      expect(fake.calls.map(([, cmd]) => cmd)).toContain(SEM_STAT);
    } finally {
      removeMsgQueue(queue);
      removeSemSet(set);
    }
  });

  it('never probes with the plain STAT once STAT_ANY has worked', () => {
    const first = createShm({ size: 1 });
    const hole = createShm({ size: 1 });
    const last = createShm({ size: 1 });
    removeShm(hole);
    try {
      const ids = listShmSegmentsBySyscall().map((s) => s.id);
      expect(ids).toEqual(expect.arrayContaining([first, last]));
      expect(ids).not.toContain(hole);
      const firstFound = fake.calls.findIndex(([, , ok]) => ok);
      expect(fake.calls[firstFound]?.[1]).toBe(SHM_STAT_ANY);
      expect(fake.calls.slice(firstFound).every(([, cmd]) => cmd === SHM_STAT_ANY)).toBe(true);
    } finally {
      removeShm(first);
      removeShm(last);
    }
  });
});

describe("the 'readable' listing (util-linux's fallback)", () => {
  it('stats with the plain XXX_STAT only, so what the caller may not read (EACCES) is left out', () => {
    const shm = createShm({ size: 1 });
    const msg = createMsgQueue();
    const sem = createSemSet({ nsems: 1 });
    try {
      fake.failures.set(indexOf(shm), constants.errno.EACCES);
      expect(listShmSegmentsBySyscall('readable').map((s) => s.id)).not.toContain(shm);
      expect(fake.calls.length).toBeGreaterThan(0);
      expect(fake.calls.every(([, cmd]) => cmd === SHM_STAT)).toBe(true);
      // Failures are by index, and the queue's index may be the segment's: they are the shm's only.
      fake.failures.clear();
      fake.calls.length = 0;
      expect(listMsgQueuesBySyscall('readable').map((q) => q.id)).toContain(msg);
      expect(fake.calls.every(([, cmd]) => cmd === MSG_STAT)).toBe(true);
      fake.calls.length = 0;
      expect(listSemSetsBySyscall('readable').map((s) => s.id)).toContain(sem);
      expect(fake.calls.every(([, cmd]) => cmd === SEM_STAT)).toBe(true);
    } finally {
      removeShm(shm);
      removeMsgQueue(msg);
      removeSemSet(sem);
    }
  });
});

describe('errors while listing', () => {
  it('skips indexes that answer EACCES or EIDRM, and lists the rest', () => {
    const denied = createShm({ size: 1 });
    const removed = createShm({ size: 1 });
    const kept = createShm({ size: 2 });
    try {
      fake.failures.set(indexOf(denied), constants.errno.EACCES);
      fake.failures.set(indexOf(removed), constants.errno.EIDRM);
      const ids = listShmSegmentsBySyscall().map((s) => s.id);
      expect(ids).toContain(kept);
      expect(ids).not.toContain(denied);
      expect(ids).not.toContain(removed);
    } finally {
      for (const id of [denied, removed, kept]) removeShm(id);
    }
  });

  it('throws any other error as an IpcError naming the index', () => {
    const id = createShm({ size: 1 });
    try {
      fake.failures.set(indexOf(id), constants.errno.EFAULT);
      expect(() => listShmSegmentsBySyscall()).toThrow(
        expect.objectContaining({ name: 'IpcError', code: 'EFAULT', syscall: 'shmctl', id: indexOf(id) }),
      );
    } finally {
      removeShm(id);
    }
  });
});

describe('the constants the fake relies on', () => {
  it('are the kernel values', () => {
    expect([SHM_STAT_ANY, SHM_STAT, MSG_STAT_ANY, MSG_STAT, SEM_STAT_ANY, SEM_STAT]).toEqual([
      15, 13, 13, 11, 20, 18,
    ]);
  });
});
