// Runs in the test run's private namespace, shared with other test files: every object here has a
// private key or a name of its own, and nothing is enumerated.
import {
  createMsgQueue,
  createSemSet,
  createShm,
  openMqueue,
  openPosixSem,
  openPosixShm,
  statMsgQueue,
} from '@ipcutils/core';
import { describe, expect, it } from 'vitest';
import type { RemovalTarget } from '../src/command.js';
import { removeObject } from '../src/remove.js';

const unique = (prefix: string) =>
  `${prefix}-ipcrm-test-${process.pid}-${Math.random().toString(36).slice(2)}`;
const uniqueKey = () => 0x5a000000 | ((process.pid & 0xfff) << 12) | Math.floor(Math.random() * 0xfff);

describe('System V', () => {
  it('removes by id, then finds the id gone', () => {
    const id = createShm({ size: 16 });
    const target: RemovalTarget = { type: 'shm', by: 'id', id };
    expect(removeObject(target)).toEqual({ target, status: 'removed', id });
    expect(removeObject(target)).toEqual({
      target,
      status: 'not-found',
      id,
      error: { code: 'EINVAL', reason: 'Invalid argument' },
    });
  });

  it('removes by key with the id the lookup found, and reports a missing key without an id', () => {
    const key = uniqueKey();
    const id = createMsgQueue({ key, exclusive: true });
    const target: RemovalTarget = { type: 'msg', by: 'key', key, text: String(key) };
    expect(removeObject(target)).toEqual({ target, status: 'removed', id });
    expect(() => statMsgQueue(id)).toThrow();
    expect(removeObject(target)).toEqual({
      target,
      status: 'not-found',
      error: { code: 'ENOENT', reason: 'No such file or directory' },
    });
  });

  it('tells the hook the id right before removing, and not when the lookup fails', () => {
    const key = uniqueKey();
    const id = createSemSet({ nsems: 1, key, exclusive: true });
    const seen: (number | undefined)[] = [];
    const target: RemovalTarget = { type: 'sem', by: 'key', key, text: 'k' };
    removeObject(target, { beforeRemove: (_target, found) => seen.push(found) });
    removeObject(target, { beforeRemove: (_target, found) => seen.push(found) });
    expect(seen).toEqual([id]);
  });

  it('announces a removal by id even when it fails, as util-linux does', () => {
    const seen: number[] = [];
    const outcome = removeObject(
      { type: 'sem', by: 'id', id: 0x7ffffff0 },
      { beforeRemove: (_t, id) => seen.push(id!) },
    );
    expect(outcome.status).toBe('not-found');
    expect(seen).toEqual([0x7ffffff0]);
  });
});

describe('POSIX', () => {
  it.each([
    ['pshm', (name: string) => openPosixShm(name, { create: true }).close()],
    ['psem', (name: string) => openPosixSem(name, { create: true }).close()],
    ['pmsg', (name: string) => openMqueue(name, { create: true }).close()],
  ] as const)('%s: removes by name, then reports it not found', (type, create) => {
    const name = `/${unique(type)}`;
    create(name);
    const target: RemovalTarget = { type, by: 'name', name };
    const announced: RemovalTarget[] = [];
    expect(removeObject(target, { beforeRemove: (t) => announced.push(t) })).toEqual({
      target,
      status: 'removed',
    });
    expect(announced).toEqual([target]);
    expect(removeObject(target)).toMatchObject({ status: 'not-found', error: { code: 'ENOENT' } });
  });

  it('reports a message queue name over NAME_MAX as too long', () => {
    const target: RemovalTarget = { type: 'pmsg', by: 'name', name: `/${'x'.repeat(300)}` };
    expect(removeObject(target)).toMatchObject({ status: 'name-too-long', error: { code: 'ENAMETOOLONG' } });
  });

  it('reports an errno util-linux does not expect as a failure', () => {
    const target: RemovalTarget = { type: 'pmsg', by: 'name', name: 'no-slash' };
    expect(removeObject(target)).toEqual({
      target,
      status: 'failed',
      error: { code: 'EINVAL', reason: 'Invalid argument' },
    });
  });
});
