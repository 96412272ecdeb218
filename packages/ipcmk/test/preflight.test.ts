import { describe, expect, it } from 'vitest';
import { findKnownRejection } from '../src/preflight.js';
import type { ResourceRequest } from '../src/request.js';

const limits = () => ({ shmmax: 1n << 20n, semmsl: 250 });
const reject = (...resources: ResourceRequest[]) => findKnownRejection(resources, limits);
const EINVAL = { code: 'EINVAL', reason: 'Invalid argument' };

describe('findKnownRejection', () => {
  it('accepts what the kernel accepts', () => {
    expect(
      reject(
        { kind: 'shm', size: 1n << 20n },
        { kind: 'pshm', name: '/a', size: 0n },
        { kind: 'msg' },
        { kind: 'pmsg', name: '/q' },
        { kind: 'sem', nsems: 250 },
        { kind: 'psem', name: 's' },
      ),
    ).toBeUndefined();
  });

  it.each<[string, ResourceRequest]>([
    ['shm of 0 bytes', { kind: 'shm', size: 0n }],
    ['pshm beyond off_t', { kind: 'pshm', name: '/a', size: 1n << 63n }],
    ['pshm named ""', { kind: 'pshm', name: '', size: 1n }],
    ['pshm named "///"', { kind: 'pshm', name: '///', size: 1n }],
    ['pshm named "/a/b"', { kind: 'pshm', name: '/a/b', size: 1n }],
    ['pmsg without "/"', { kind: 'pmsg', name: 'q' }],
    ['sem of 0', { kind: 'sem', nsems: 0 }],
    ['sem of -1', { kind: 'sem', nsems: -1 }],
    ['psem named "a/b"', { kind: 'psem', name: 'a/b' }],
  ])('%s is EINVAL, as the real call would be', (_label, resource) => {
    expect(reject(resource)).toEqual({ kind: resource.kind, ...EINVAL });
  });

  it.each<[string, ResourceRequest]>([
    ['shm over shmmax', { kind: 'shm', size: (1n << 20n) + 1n }],
    ['sem over SEMMSL', { kind: 'sem', nsems: 251 }],
  ])('%s after another request is EINVAL, before the first is created', (_label, resource) => {
    expect(reject({ kind: 'msg' }, resource)).toEqual({ kind: resource.kind, ...EINVAL });
  });

  it('leaves a lone request over a limit to the kernel, without reading the limits', () => {
    const unread = () => {
      throw new Error('limits read');
    };
    expect(findKnownRejection([{ kind: 'shm', size: 1n << 40n }], unread)).toBeUndefined();
    expect(findKnownRejection([{ kind: 'sem', nsems: 99999 }], unread)).toBeUndefined();
    expect(findKnownRejection([{ kind: 'shm', size: 0n }], unread)).toEqual({ kind: 'shm', ...EINVAL });
    expect(() => findKnownRejection([{ kind: 'msg' }, { kind: 'sem', nsems: 1 }], unread)).toThrow(
      'limits read',
    );
  });

  it.each([
    ['pshm', 255, undefined],
    ['pshm', 256, 'ENAMETOOLONG'],
    ['pshm', 259, 'ENAMETOOLONG'],
    ['pshm', 260, 'EINVAL'],
    ['psem', 251, undefined],
    ['psem', 252, 'ENAMETOOLONG'],
    ['psem', 256, 'EINVAL'],
    ['pmsg', 255, undefined],
    ['pmsg', 256, 'ENAMETOOLONG'],
    ['pmsg', 400, 'ENAMETOOLONG'],
  ] as const)('a %s name of %d bytes: %s, as glibc 2.36 and the kernel answer', (kind, length, code) => {
    const name = `/${'n'.repeat(length)}`;
    const resource = kind === 'pshm' ? { kind, name, size: 1n } : { kind, name };
    expect(reject(resource)?.code).toBe(code);
  });

  it('rejects message queue names the kernel cannot look up', () => {
    expect(reject({ kind: 'pmsg', name: '/' })).toMatchObject({
      code: 'ENOENT',
      reason: 'No such file or directory',
    });
    expect(reject({ kind: 'pmsg', name: '/a/b' })).toMatchObject({
      code: 'EACCES',
      reason: 'Permission denied',
    });
  });

  it('counts name lengths in bytes', () => {
    expect(reject({ kind: 'pmsg', name: `/${'é'.repeat(128)}` })?.code).toBe('ENAMETOOLONG');
  });

  it('names the first rejected resource in creation order', () => {
    expect(reject({ kind: 'msg' }, { kind: 'pmsg', name: 'x' }, { kind: 'sem', nsems: 0 })).toMatchObject({
      kind: 'pmsg',
    });
  });

  it('refuses POSIX sizes it cannot hand to ftruncate exactly', () => {
    expect(reject({ kind: 'pshm', name: 'a', size: 1n << 60n })).toMatchObject({
      kind: 'pshm',
      code: 'ETOOBIG',
    });
  });

  it('leaves what it cannot know to the kernel', () => {
    const unknown = () => ({});
    expect(
      findKnownRejection(
        [
          { kind: 'shm', size: 1n << 62n },
          { kind: 'sem', nsems: 99999 },
        ],
        unknown,
      ),
    ).toBeUndefined();
  });
});
