// Runs in the test run's private namespace, shared with other test files: every object here has a
// key or a name of its own and is removed again.
import { existsSync, statSync } from 'node:fs';
import {
  getShm,
  removeMsgQueue,
  removeSemSet,
  removeShm,
  statSemSet,
  statShm,
  unlinkMqueue,
  unlinkPosixSem,
  unlinkPosixShm,
} from '@ipcutils/core';
import { afterEach, describe, expect, it } from 'vitest';
import { createResource } from '../src/create.js';

const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const cleanup of cleanups.splice(0)) {
    try {
      cleanup();
    } catch {
      // already gone
    }
  }
});
const uniqueKey = () => 0x5b000000 | ((process.pid & 0xfff) << 12) | Math.floor(Math.random() * 0xfff);
const unique = (prefix: string) =>
  `/${prefix}-ipcmk-test-${process.pid}-${Math.random().toString(36).slice(2)}`;

describe('System V', () => {
  it('creates with a random non-zero key and the mode asked for', () => {
    const result = createResource({ kind: 'shm', size: 4096n }, { mode: 0o640, key: { kind: 'random' } });
    if (!('created' in result) || !('id' in result.created)) throw new Error('not created');
    const { id, key } = result.created;
    cleanups.push(() => removeShm(id));
    expect(key).not.toBe(0);
    expect(statShm(id)).toMatchObject({ key, size: 4096, mode: 0o640 });
  });

  it('creates with a chosen key, and refuses to hand back an existing object', () => {
    const key = uniqueKey();
    const options = { mode: 0o600, key: { kind: 'chosen', key } } as const;
    const first = createResource({ kind: 'sem', nsems: 3 }, options);
    if (!('created' in first) || !('id' in first.created)) throw new Error('not created');
    const { id } = first.created;
    cleanups.push(() => removeSemSet(id));
    expect(statSemSet(id)).toMatchObject({ key, nsems: 3 });
    expect(createResource({ kind: 'sem', nsems: 3 }, options)).toEqual({
      failure: { kind: 'sem', code: 'EEXIST', reason: 'File exists', existingKey: key },
    });
  });

  it('creates a new private object for key 0 every time', () => {
    const options = { mode: 0o600, key: { kind: 'chosen', key: 0 } } as const;
    const ids = [createResource({ kind: 'msg' }, options), createResource({ kind: 'msg' }, options)].map(
      (result) => {
        if (!('created' in result) || !('id' in result.created)) throw new Error('not created');
        const { id } = result.created;
        cleanups.push(() => removeMsgQueue(id));
        return id;
      },
    );
    expect(ids[0]).not.toBe(ids[1]);
  });

  it('reports the errno of a refused creation', () => {
    expect(createResource({ kind: 'shm', size: 0n }, { mode: 0o600, key: { kind: 'random' } })).toEqual({
      failure: { kind: 'shm', code: 'EINVAL', reason: 'Invalid argument' },
    });
  });

  it('never leaves a segment behind under another key', () => {
    const key = uniqueKey();
    createResource({ kind: 'shm', size: 1n }, { mode: 0o600, key: { kind: 'chosen', key } });
    cleanups.push(() => removeShm(getShm(key)));
    expect(
      createResource({ kind: 'shm', size: 1n }, { mode: 0o600, key: { kind: 'chosen', key } }),
    ).toMatchObject({
      failure: { code: 'EEXIST' },
    });
  });
});

describe('POSIX', () => {
  it('creates shared memory of the size asked for, and refuses an existing name (no truncation)', () => {
    const name = unique('pshm');
    cleanups.push(() => unlinkPosixShm(name));
    expect(
      createResource({ kind: 'pshm', name, size: 4096n }, { mode: 0o600, key: { kind: 'random' } }),
    ).toEqual({
      created: { kind: 'pshm', name },
    });
    expect(statSync(`/dev/shm${name}`).size).toBe(4096);
    expect(
      createResource({ kind: 'pshm', name, size: 8192n }, { mode: 0o600, key: { kind: 'random' } }),
    ).toMatchObject({ failure: { kind: 'pshm', code: 'EEXIST', existingName: name } });
    expect(statSync(`/dev/shm${name}`).size).toBe(4096);
  });

  it('creates a message queue and a semaphore, and refuses them again on an existing name', () => {
    const name = unique('p');
    cleanups.push(
      () => unlinkMqueue(name),
      () => unlinkPosixSem(name),
    );
    expect(createResource({ kind: 'pmsg', name }, { mode: 0o644, key: { kind: 'random' } })).toEqual({
      created: { kind: 'pmsg', name },
    });
    expect(createResource({ kind: 'psem', name }, { mode: 0o644, key: { kind: 'random' } })).toEqual({
      created: { kind: 'psem', name },
    });
    for (const kind of ['pmsg', 'psem'] as const) {
      expect(createResource({ kind, name }, { mode: 0o644, key: { kind: 'random' } })).toMatchObject({
        failure: { kind, code: 'EEXIST', existingName: name },
      });
    }
    expect(existsSync(`/dev/shm/sem.${name.slice(1)}`)).toBe(true);
  });

  it('reports the errno of a refused creation', () => {
    expect(
      createResource({ kind: 'pmsg', name: 'no-slash' }, { mode: 0o644, key: { kind: 'random' } }),
    ).toEqual({
      failure: { kind: 'pmsg', code: 'EINVAL', reason: 'Invalid argument' },
    });
  });
});
