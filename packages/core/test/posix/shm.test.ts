import { fstatSync, readFileSync, statSync } from 'node:fs';
import { constants } from 'node:os';
import { afterEach, describe, expect, it } from 'vitest';
import {
  buildScript,
  openDescriptorsOf,
  runScript,
  runScriptAsNobody,
} from '../../../../test/helpers/script.js';
import { ClosedHandleError, IpcError } from '../../src/errors.js';
import { openPosixShm, unlinkPosixShm } from '../../src/posix/shm.js';

// Test files share one namespace (and its /dev/shm): every name carries the pid.
const created: string[] = [];
function uniqueName(tag: string): string {
  const name = `shmt-${process.pid}-${tag}`;
  created.push(name);
  return name;
}

afterEach(() => {
  for (const name of created.splice(0)) {
    try {
      unlinkPosixShm(name);
    } catch {}
  }
});

/** Maps an object in another process: reads `length` bytes at `offset` (hex out), or writes hex at `offset`. */
const PEER = `
import { openPosixShm } from '../packages/core/src/posix/shm.ts';
const [action, name, offset, argument] = process.argv.slice(2);
const handle = openPosixShm(name!, { readOnly: action === 'read' });
const mapping = handle.map();
handle.close();
if (action === 'read') console.log(mapping.read(Number(offset), Number(argument)).toString('hex'));
else mapping.write(Number(offset), Buffer.from(argument!, 'hex'));
mapping.unmap();
`;

/** Opens, maps or unlinks as told and reports the outcome as JSON (for the unprivileged runs). */
const PROBE = `
import { openPosixShm, unlinkPosixShm } from '../packages/core/src/posix/shm.ts';
const [action, name] = process.argv.slice(2);
try {
  if (action === 'open') openPosixShm(name!).close();
  if (action === 'open-read') {
    const handle = openPosixShm(name!, { readOnly: true });
    const bytes = handle.map().read(0, 4).toString('hex');
    handle.close();
    console.log(JSON.stringify({ bytes }));
    process.exit(0);
  }
  if (action === 'unlink') unlinkPosixShm(name!);
  console.log(JSON.stringify({ ok: true }));
} catch (error) {
  console.log(JSON.stringify({ code: (error as { code?: string }).code, syscall: (error as { syscall?: string }).syscall }));
}
`;

describe('openPosixShm', () => {
  it('creates an object of the requested size and mode in /dev/shm', () => {
    const name = uniqueName('create');
    const handle = openPosixShm(name, { create: true, mode: 0o640, size: 5000 });
    try {
      expect(handle.name).toBe(name);
      expect(handle.size).toBe(5000);
      expect(fstatSync(handle.fd).size).toBe(5000);
      const stat = statSync(`/dev/shm/${name}`);
      expect(stat.size).toBe(5000);
      expect(stat.mode & 0o777).toBe(0o640);
    } finally {
      handle.close();
    }
  });

  it('accepts the name with or without a leading slash, as glibc strips it', () => {
    const name = uniqueName('slash');
    const plain = openPosixShm(name, { create: true, size: 16 });
    const slashed = openPosixShm(`/${name}`);
    try {
      expect(statSync(`/proc/self/fd/${slashed.fd}`).ino).toBe(statSync(`/proc/self/fd/${plain.fd}`).ino);
      const mapping = plain.map();
      mapping.write(3, 'x');
      expect(slashed.map().read(3, 1).toString()).toBe('x');
    } finally {
      plain.close();
      slashed.close();
    }
    unlinkPosixShm(`/${name}`);
    expect(() => statSync(`/dev/shm/${name}`)).toThrow();
  });

  it('fails with EEXIST on an exclusive create of an existing object', () => {
    const name = uniqueName('excl');
    openPosixShm(name, { create: true }).close();
    expect(() => openPosixShm(name, { create: true, exclusive: true })).toThrow(
      expect.objectContaining({ name: 'IpcError', code: 'EEXIST', syscall: 'shm_open', objectName: name }),
    );
  });

  it('fails with ENOENT when opening a missing object without create', () => {
    expect(() => openPosixShm(`shmt-${process.pid}-missing`)).toThrow(
      expect.objectContaining({ code: 'ENOENT', syscall: 'shm_open' }),
    );
  });

  it('fails with EINVAL for an empty name or one with an inner slash', () => {
    expect(() => openPosixShm('/', { create: true })).toThrow(expect.objectContaining({ code: 'EINVAL' }));
    expect(() => openPosixShm('a/b', { create: true })).toThrow(expect.objectContaining({ code: 'EINVAL' }));
  });

  it('fails with ENAMETOOLONG for a name longer than NAME_MAX (255)', () => {
    expect(() => openPosixShm('s'.repeat(256), { create: true })).toThrow(
      expect.objectContaining({ code: 'ENAMETOOLONG' }),
    );
  });

  it('refuses a name with a NUL byte instead of opening the object named by its prefix', () => {
    const prefix = uniqueName('nul');
    expect(() => openPosixShm(`${prefix}\0tail`, { create: true })).toThrow(
      expect.objectContaining({ code: 'EINVAL' }),
    );
    expect(() => statSync(`/dev/shm/${prefix}`)).toThrow();
  });

  it('fails with EACCES for an unprivileged user on a 0600 root-owned object', async () => {
    const name = uniqueName('eacces');
    openPosixShm(name, { create: true, mode: 0o600, size: 8 }).close();
    await expect(runScriptAsNobody(PROBE, ['open', name])).resolves.toEqual({
      code: 'EACCES',
      syscall: 'shm_open',
    });
    await expect(runScriptAsNobody(PROBE, ['open-read', name])).resolves.toEqual({
      code: 'EACCES',
      syscall: 'shm_open',
    });
    // /dev/shm is sticky (1777): unlink(2) fails with EPERM, which glibc's shm_unlink reports as EACCES.
    await expect(runScriptAsNobody(PROBE, ['unlink', name])).resolves.toEqual({
      code: 'EACCES',
      syscall: 'shm_unlink',
    });
    expect(statSync(`/dev/shm/${name}`).size).toBe(8);
  });

  it('lets an unprivileged user read, but not write, a 0644 object', async () => {
    const name = uniqueName('readable');
    const handle = openPosixShm(name, { create: true, mode: 0o644, size: 8 });
    const mapping = handle.map();
    mapping.write(0, Buffer.from([0xde, 0xad, 0xbe, 0xef]));
    mapping.unmap();
    handle.close();
    await expect(runScriptAsNobody(PROBE, ['open-read', name])).resolves.toEqual({ bytes: 'deadbeef' });
    await expect(runScriptAsNobody(PROBE, ['open', name])).resolves.toEqual({
      code: 'EACCES',
      syscall: 'shm_open',
    });
  });
});

describe('mappings', () => {
  it('reads back what it wrote, bounded by the mapped size', () => {
    const name = uniqueName('rw');
    const handle = openPosixShm(name, { create: true, size: 4096 });
    const mapping = handle.map();
    try {
      expect(mapping.size).toBe(4096);
      expect(mapping.readOnly).toBe(false);
      expect(mapping.read(0, 8)).toEqual(Buffer.alloc(8));
      mapping.write(4090, 'abcdef');
      mapping.write(100, new Uint8Array([1, 2, 3, 4]).subarray(1, 3));
      expect(mapping.read(4090, 6).toString()).toBe('abcdef');
      expect([...mapping.read(99, 4)]).toEqual([0, 2, 3, 0]);
      expect(mapping.read(10, 0).length).toBe(0);
      expect(() => mapping.read(4090, 7)).toThrow(RangeError);
      expect(() => mapping.write(4095, 'xy')).toThrow(RangeError);
      expect(() => mapping.read(-1, 1)).toThrow(RangeError);
      expect(() => mapping.read(0.5, 1)).toThrow(RangeError);
      expect(mapping.read(4095, 1).toString()).toBe('f');
      // The file is the same memory.
      expect(readFileSync(`/dev/shm/${name}`).subarray(4090).toString()).toBe('abcdef');
    } finally {
      mapping.unmap();
      handle.close();
    }
  });

  it('shows a byte written through one process mapping to another process mapping, both ways', async () => {
    const name = uniqueName('cross');
    const handle = openPosixShm(name, { create: true, size: 8192 });
    const mapping = handle.map();
    try {
      mapping.write(5000, Buffer.from('c0ffee', 'hex'));
      const peer = await buildScript(PEER);
      await expect(runScript(peer, ['read', name, '5000', '3'])).resolves.toBe('c0ffee\n');
      await runScript(peer, ['write', name, '8191', '7f']);
      expect(mapping.read(8191, 1)).toEqual(Buffer.from([0x7f]));
    } finally {
      mapping.unmap();
      handle.close();
    }
  });

  it('refuses writes through a read-only mapping with EACCES, leaving memory untouched', () => {
    const name = uniqueName('readonly');
    const handle = openPosixShm(name, { create: true, size: 64 });
    const writable = handle.map();
    const readOnly = handle.map({ readOnly: true });
    try {
      writable.write(0, 'keep');
      expect(readOnly.readOnly).toBe(true);
      const error = (() => {
        try {
          readOnly.write(0, 'lost');
        } catch (caught) {
          return caught;
        }
      })();
      expect(error).toBeInstanceOf(IpcError);
      expect(error).toMatchObject({ code: 'EACCES', objectName: name });
      expect(readOnly.read(0, 4).toString()).toBe('keep');
      expect(writable.read(0, 4).toString()).toBe('keep');
    } finally {
      writable.unmap();
      readOnly.unmap();
      handle.close();
    }
  });

  it('maps a read-only handle read-only, and fails with EACCES for a writable mapping of it', () => {
    const name = uniqueName('readonly-handle');
    openPosixShm(name, { create: true, size: 32 }).close();
    const handle = openPosixShm(name, { readOnly: true });
    try {
      const mapping = handle.map();
      expect(mapping.readOnly).toBe(true);
      expect(() => mapping.write(0, 'x')).toThrow(expect.objectContaining({ code: 'EACCES' }));
      mapping.unmap();
      expect(() => handle.map({ readOnly: false })).toThrow(
        expect.objectContaining({ code: 'EACCES', syscall: 'mmap' }),
      );
      expect(() => handle.resize(64)).toThrow(expect.objectContaining({ syscall: 'ftruncate' }));
    } finally {
      handle.close();
    }
  });

  it('fails with an IpcError naming the object when pwrite fails on a read-only handle', () => {
    const name = uniqueName('readonly-pwrite');
    openPosixShm(name, { create: true, size: 8 }).close();
    const handle = openPosixShm(name, { readOnly: true });
    try {
      let thrown: unknown;
      try {
        handle.write(0, 'x');
      } catch (error) {
        thrown = error;
      }
      // pwrite(2) on an O_RDONLY descriptor: EBADF, as the kernel says, but as the library's error.
      expect(thrown).toBeInstanceOf(IpcError);
      expect(thrown).toMatchObject({ code: 'EBADF', syscall: 'pwrite', objectName: name });
      expect((thrown as Error).message).toBe(`pwrite (${name}): Bad file descriptor`);
      // The other failures pread and pwrite can meet read as glibc words them, not "Unknown error 5".
      for (const [code, text] of [
        ['EIO', 'Input/output error'],
        ['ENOSPC', 'No space left on device'],
        ['EDQUOT', 'Disk quota exceeded'],
      ] as const) {
        expect(new IpcError({ errno: constants.errno[code], syscall: 'pwrite' }).message).toBe(
          `pwrite: ${text}`,
        );
      }
      expect(handle.read(0, 8)).toEqual(Buffer.alloc(8));
    } finally {
      handle.close();
    }
  });

  it('fails with EINVAL when mapping an empty object', () => {
    const name = uniqueName('empty');
    const handle = openPosixShm(name, { create: true });
    try {
      expect(handle.size).toBe(0);
      expect(() => handle.map()).toThrow(expect.objectContaining({ code: 'EINVAL', syscall: 'mmap' }));
    } finally {
      handle.close();
    }
  });

  it('throws ClosedHandleError after unmap, and the process survives', () => {
    const name = uniqueName('unmapped');
    const handle = openPosixShm(name, { create: true, size: 4096 });
    const mapping = handle.map();
    mapping.write(0, 'x');
    mapping.unmap();
    expect(() => mapping.read(0, 1)).toThrow(ClosedHandleError);
    expect(() => mapping.write(0, 'y')).toThrow(ClosedHandleError);
    expect(() => mapping.unmap()).not.toThrow();
    // A new mapping still sees the data.
    const again = handle.map();
    expect(again.read(0, 1).toString()).toBe('x');
    again.unmap();
    handle.close();
  });

  it('grows and shrinks the object; access past the shrunken end fails instead of raising SIGBUS', () => {
    const name = uniqueName('resize');
    const handle = openPosixShm(name, { create: true, size: 3 * 4096 });
    const mapping = handle.map();
    try {
      mapping.write(2 * 4096 + 10, 'tail');
      handle.resize(4096);
      expect(handle.size).toBe(4096);
      expect(mapping.size).toBe(3 * 4096);
      mapping.write(4000, 'head');
      expect(mapping.read(4000, 4).toString()).toBe('head');
      expect(() => mapping.read(2 * 4096 + 10, 4)).toThrow(
        expect.objectContaining({ name: 'IpcError', code: 'EFAULT' }),
      );
      expect(() => mapping.write(4096, 'x')).toThrow(expect.objectContaining({ code: 'EFAULT' }));
      handle.resize(3 * 4096);
      // Regrown pages are zero.
      expect(mapping.read(2 * 4096 + 10, 4)).toEqual(Buffer.alloc(4));
      expect(() => handle.resize(-1)).toThrow(RangeError);
    } finally {
      mapping.unmap();
      handle.close();
    }
  });
});

describe('closing and unlinking', () => {
  it('throws ClosedHandleError after close; mappings outlive the handle and hold the descriptor', () => {
    const name = uniqueName('closed');
    const path = `/dev/shm/${name}`;
    const handle = openPosixShm(name, { create: true, size: 128 });
    const mapping = handle.map();
    expect(openDescriptorsOf(path)).toBe(1);
    handle.close();
    expect(() => handle.fd).toThrow(ClosedHandleError);
    expect(() => handle.size).toThrow(ClosedHandleError);
    expect(() => handle.map()).toThrow(ClosedHandleError);
    expect(() => handle.resize(10)).toThrow(ClosedHandleError);
    expect(() => handle.close()).not.toThrow();
    mapping.write(0, 'after close');
    expect(mapping.read(0, 11).toString()).toBe('after close');
    // The mapping fstat()s the descriptor before each access, so it stays open until the unmap.
    expect(openDescriptorsOf(path)).toBe(1);
    mapping.unmap();
    expect(openDescriptorsOf(path)).toBe(0);
  });

  it('closes the descriptor at once when nothing is mapped', () => {
    const name = uniqueName('close-now');
    const handle = openPosixShm(name, { create: true, size: 8 });
    expect(openDescriptorsOf(`/dev/shm/${name}`)).toBe(1);
    handle.close();
    expect(openDescriptorsOf(`/dev/shm/${name}`)).toBe(0);
  });

  it('unlinks an object, then fails with ENOENT; an open mapping keeps working', () => {
    const name = uniqueName('unlink');
    const handle = openPosixShm(name, { create: true, size: 16 });
    const mapping = handle.map();
    unlinkPosixShm(name);
    expect(() => statSync(`/dev/shm/${name}`)).toThrow(expect.objectContaining({ code: 'ENOENT' }));
    expect(() => unlinkPosixShm(name)).toThrow(
      expect.objectContaining({ code: 'ENOENT', syscall: 'shm_unlink', objectName: name }),
    );
    mapping.write(0, 'orphan');
    expect(mapping.read(0, 6).toString()).toBe('orphan');
    mapping.unmap();
    handle.close();
  });
});
