import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { formatHolders, holdersOf, scanHolders } from '../../src/cleanup/holders.js';
import type { FileIdentity, IpcObject, PosixIpcObject } from '../../src/cleanup/objects.js';
import type { ShmSegment } from '../../src/types.js';
import { FakeProc, OUR_NAMESPACE } from './fake-proc.js';

let proc: FakeProc;
let files: string;

beforeEach(() => {
  proc = new FakeProc();
  files = mkdtempSync(join(tmpdir(), 'holders-files-'));
});
afterEach(() => {
  proc.remove();
  rmSync(files, { recursive: true, force: true });
});

function segment(id: number, nattch: number): IpcObject {
  const record: ShmSegment = {
    key: 0x1234,
    id,
    uid: 0,
    gid: 0,
    cuid: 0,
    cgid: 0,
    mode: 0o600,
    size: 4096,
    cpid: 1,
    lpid: 1,
    nattch,
    atime: 0,
    dtime: 0,
    ctime: 1,
  };
  return { kind: 'shm', record };
}

function posixShm(name: string): IpcObject & { kind: 'pshm' } {
  const path = join(files, name);
  writeFileSync(path, 'x');
  const stats = statSync(path, { bigint: true });
  const file: FileIdentity = { dev: stats.dev, ino: stats.ino, mtimeNs: stats.mtimeNs };
  return {
    kind: 'pshm',
    record: { name, path, uid: 0, gid: 0, mode: 0o600, mtime: 1, size: 1 },
    file,
    times: { atime: 1, mtime: 1, ctime: 1 },
  };
}

/** A maps line for a file, with the device as the kernel prints it (glibc's major/minor of st_dev). */
function mapsLineFor(object: PosixIpcObject): string {
  const { dev, ino } = object.file;
  const major = ((dev >> 8n) & 0xfffn) | ((dev >> 32n) & ~0xfffn);
  const minor = (dev & 0xffn) | ((dev >> 12n) & ~0xffn);
  const device = `${major.toString(16).padStart(2, '0')}:${minor.toString(16).padStart(2, '0')}`;
  return `7f0000001000-7f0000002000 rw-s 00000000 ${device} ${ino}                 ${object.record.path}\n`;
}

const SYSV = (key: number, id: number) =>
  `7f57e0d34000-7f57e0d35000 rw-s 00000000 00:01 ${id}                          /SYSV${key.toString(16).padStart(8, '0')} (deleted)\n`;
const LIBC =
  '7f57e0a00000-7f57e0a28000 r--p 00000000 08:01 1234                       /usr/lib/x86_64-linux-gnu/libc.so.6\n';

describe('System V segments', () => {
  it('are held by the processes of our IPC namespace that map /SYSV…, by shmid in the inode column', () => {
    proc.add({ pid: 10, command: 'postgres', maps: LIBC + SYSV(0x1234, 7), ipcNamespace: OUR_NAMESPACE });
    proc.add({
      pid: 11,
      command: 'worker',
      maps: SYSV(0x1234, 7) + SYSV(0x99, 8),
      ipcNamespace: OUR_NAMESPACE,
    });
    // Same id, another namespace: another segment.
    proc.add({ pid: 12, command: 'container', maps: SYSV(0x1234, 7), ipcNamespace: 'ipc:[4026532000]' });
    proc.add({ pid: 13, command: 'bash', maps: LIBC, ipcNamespace: OUR_NAMESPACE });
    const scan = scanHolders({ procRoot: proc.root });
    expect(scan.uninspectable).toEqual([]);
    expect(holdersOf(scan, segment(7, 2))).toEqual({
      holders: [
        { pid: 10, command: 'postgres' },
        { pid: 11, command: 'worker' },
      ],
      complete: true,
    });
    expect(holdersOf(scan, segment(8, 1))).toEqual({
      holders: [{ pid: 11, command: 'worker' }],
      complete: true,
    });
    expect(formatHolders(holdersOf(scan, segment(7, 2))!)).toBe('10(postgres),11(worker)');
  });

  it('a process whose namespace cannot be read makes the answer incomplete: the holders seen, then "?"', () => {
    proc.add({ pid: 10, command: 'postgres', maps: SYSV(0x1234, 7) });
    const scan = scanHolders({ procRoot: proc.root });
    expect(scan.uninspectable).toEqual([10]);
    const answer = holdersOf(scan, segment(7, 1))!;
    expect(answer).toEqual({ holders: [], complete: false });
    expect(formatHolders(answer)).toBe('?');
    expect(formatHolders({ holders: [{ pid: 8, command: 'nginx' }], complete: false })).toBe('8(nginx),?');
  });

  it('nattch 0 means nobody, whatever could not be inspected', () => {
    proc.add({ pid: 10, command: 'postgres', maps: SYSV(0x1234, 7) });
    const scan = scanHolders({ procRoot: proc.root });
    expect(holdersOf(scan, segment(7, 0))).toEqual({ holders: [], complete: true });
    expect(formatHolders({ holders: [], complete: true })).toBe('');
  });

  it('semaphore sets and queues have no holders to show', () => {
    const scan = scanHolders({ procRoot: proc.root });
    const set: IpcObject = {
      kind: 'sem',
      record: { key: 1, id: 1, uid: 0, gid: 0, cuid: 0, cgid: 0, mode: 0o600, nsems: 1, otime: 0, ctime: 1 },
    };
    expect(holdersOf(scan, set)).toBeUndefined();
  });
});

describe('POSIX files', () => {
  it('are held by processes that map them or have them open, matched by device and inode', () => {
    const a = posixShm('a');
    const b = posixShm('b');
    const c = posixShm('c');
    proc.add({ pid: 20, command: 'mapper', maps: LIBC + mapsLineFor(a), ipcNamespace: OUR_NAMESPACE });
    proc.add({ pid: 21, command: 'opener', fds: { 3: a.record.path, 4: b.record.path, 5: '/dev/null' } });
    // The same path text elsewhere, another inode: not a holder.
    proc.add({
      pid: 22,
      command: 'other',
      maps: `7f0000001000-7f0000002000 rw-s 00000000 00:99 1                 ${c.record.path}\n`,
    });
    const scan = scanHolders({ procRoot: proc.root, sysv: false, files: [a.file, b.file, c.file] });
    expect(holdersOf(scan, a)).toEqual({
      holders: [
        { pid: 20, command: 'mapper' },
        { pid: 21, command: 'opener' },
      ],
      complete: true,
    });
    expect(holdersOf(scan, b)).toEqual({ holders: [{ pid: 21, command: 'opener' }], complete: true });
    expect(holdersOf(scan, c)).toEqual({ holders: [], complete: true });
  });

  it('a file the scan did not look for is a programming error, not "nobody"', () => {
    const a = posixShm('a');
    const scan = scanHolders({ procRoot: proc.root, sysv: false, files: [] });
    expect(() => holdersOf(scan, a)).toThrow(/did not look for/);
  });
});
