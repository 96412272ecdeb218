import { afterEach, describe, expect, it } from 'vitest';
import { NOBODY, waitForLine } from '../../../../test/helpers/namespace.js';
import { buildScript, runScript, runScriptAs, startScript } from '../../../../test/helpers/script.js';
import { ClosedHandleError, IpcError } from '../../src/errors.js';
import { SHM_DEST, SHM_LOCKED } from '../../src/ffi/constants.js';
import {
  attachShm,
  createShm,
  getShm,
  lockShm,
  removeShm,
  type ShmAttachment,
  setShm,
  statShm,
  unlockShm,
} from '../../src/sysv/shm.js';

// Keys of this file only (test files share one namespace): 0x5348xxxx ("SH").
const keyOf = (n: number) => 0x53480000 + ((process.pid & 0xfff) << 4) + n;

const created: number[] = [];
const attachments: ShmAttachment[] = [];

function track(id: number): number {
  created.push(id);
  return id;
}

function attach(id: number, readOnly = false): ShmAttachment {
  const attachment = attachShm(id, { readOnly });
  attachments.push(attachment);
  return attachment;
}

afterEach(() => {
  for (const attachment of attachments.splice(0)) if (attachment.attached) attachment.detach();
  for (const id of created.splice(0)) {
    try {
      removeShm(id);
    } catch {
      // already removed by the test
    }
  }
});

const CODE_OF = `
const codeOf = (f: () => unknown) => {
  try {
    const value = f();
    return value === undefined ? 'ok' : value;
  } catch (error) {
    return (error as { code?: string; name: string }).code ?? (error as Error).name;
  }
};`;

describe('System V shared memory segments', () => {
  it('creates a private segment and stats it', () => {
    const id = track(createShm({ size: 5000, mode: 0o640 }));
    expect(statShm(id)).toMatchObject({
      id,
      key: 0,
      size: 5000,
      mode: 0o640,
      uid: 0,
      cuid: 0,
      cpid: process.pid,
      lpid: 0,
      nattch: 0,
      atime: 0,
      dtime: 0,
    });
    expect(Math.abs(statShm(id).ctime - Date.now() / 1000)).toBeLessThan(5);
  });

  it('defaults to mode 0600', () => {
    const id = track(createShm({ size: 1 }));
    expect(statShm(id).mode).toBe(0o600);
  });

  it('finds a segment by key, and refuses an exclusive create of that key with EEXIST', () => {
    const key = keyOf(1);
    const id = track(createShm({ size: 100, key, exclusive: true }));
    expect(getShm(key)).toBe(id);
    expect(statShm(id).key).toBe(key);
    expect(createShm({ size: 100, key })).toBe(id);
    expect(() => createShm({ size: 100, key, exclusive: true })).toThrow(
      expect.objectContaining({ name: 'IpcError', code: 'EEXIST', syscall: 'shmget', key }),
    );
  });

  it('reports ENOENT for a key nobody created, and EINVAL for a missing id', () => {
    expect(() => getShm(keyOf(2))).toThrow(expect.objectContaining({ code: 'ENOENT', key: keyOf(2) }));
    const id = createShm({ size: 1 });
    removeShm(id);
    expect(() => statShm(id)).toThrow(expect.objectContaining({ code: 'EINVAL', syscall: 'shmctl', id }));
    expect(() => removeShm(id)).toThrow(expect.objectContaining({ code: 'EINVAL', id }));
    expect(() => attachShm(id)).toThrow(expect.objectContaining({ code: 'EINVAL', syscall: 'shmat', id }));
  });

  it('changes owner and mode with IPC_SET, keeping the other fields', () => {
    const id = track(createShm({ size: 64, mode: 0o600 }));
    setShm(id, { uid: 1234, gid: 4321, mode: 0o644 });
    expect(statShm(id)).toMatchObject({ uid: 1234, gid: 4321, mode: 0o644, cuid: 0, cgid: 0, size: 64 });
    setShm(id, { mode: 0o7640 });
    expect(statShm(id)).toMatchObject({ uid: 1234, gid: 4321, mode: 0o640 });
  });

  it('locks and unlocks a segment (SHM_LOCKED in the mode)', () => {
    const id = track(createShm({ size: 4096, mode: 0o600 }));
    lockShm(id);
    expect(statShm(id).mode).toBe(0o600 | SHM_LOCKED);
    unlockShm(id);
    expect(statShm(id).mode).toBe(0o600);
  });

  it('keeps a removed segment while attached (SHM_DEST, key reset) and frees it on the last detach', () => {
    const key = keyOf(3);
    const id = createShm({ size: 64, key, mode: 0o600 });
    const attachment = attach(id);
    attachment.write(0, 'still here');
    removeShm(id);
    expect(statShm(id)).toMatchObject({ key: 0, nattch: 1, mode: 0o600 | SHM_DEST });
    expect(() => getShm(key)).toThrow(expect.objectContaining({ code: 'ENOENT' }));
    expect(attachment.read(0, 10).toString()).toBe('still here');
    attachment.detach();
    expect(() => statShm(id)).toThrow(expect.objectContaining({ code: 'EINVAL' }));
  });
});

describe('ShmAttachment', () => {
  it('writes and reads bytes and strings, and counts the attachment', () => {
    const id = track(createShm({ size: 5000 }));
    const attachment = attach(id);
    expect(attachment).toMatchObject({ id, size: 5000, readOnly: false, attached: true });
    expect(statShm(id)).toMatchObject({ nattch: 1, lpid: process.pid });
    attachment.write(0, Buffer.from([1, 2, 3]));
    attachment.write(4990, 'héllo');
    expect([...attachment.read(0, 4)]).toEqual([1, 2, 3, 0]);
    expect(attachment.read(4990, 6).toString()).toBe('héllo');
    expect(attachment.read(10, 0)).toEqual(Buffer.alloc(0));
  });

  it('writes a Buffer that is a view into a larger one (pooled and offset buffers)', () => {
    const id = track(createShm({ size: 64 }));
    const attachment = attach(id);
    const big = Buffer.from('0123456789abcdef');
    attachment.write(8, big.subarray(10, 14));
    expect(attachment.read(8, 4).toString()).toBe('abcd');
  });

  it('attaches a segment larger than a Buffer can be (4 GiB) and reaches every byte of it', () => {
    // Pages are allocated when touched: this costs the few written here.
    const size = 5 * 2 ** 30 + 5;
    const id = track(createShm({ size }));
    const attachment = attach(id);
    expect(attachment.size).toBe(size);
    // Across the 1 GiB and 4 GiB marks, and at the very end.
    for (const at of [2 ** 30 - 3, 2 ** 32 - 2]) {
      attachment.write(at, 'abcdefgh');
      expect(attachment.read(at - 1, 10).toString('latin1')).toBe('\0abcdefgh\0');
      const into = Buffer.alloc(6);
      expect(attachment.readInto(at + 1, into)).toBe(6);
      expect(into.toString()).toBe('bcdefg');
    }
    attachment.write(size - 5, new Uint8Array([1, 2, 3, 4, 5]));
    expect([...attachment.read(size - 6, 6)]).toEqual([0, 1, 2, 3, 4, 5]);
    expect(() => attachment.read(size - 4, 5)).toThrow(RangeError);
  });

  it('bounds every access by the segment size, not the page-rounded mapping', () => {
    const id = track(createShm({ size: 5000 }));
    const attachment = attach(id);
    expect(() => attachment.read(4999, 1)).not.toThrow();
    expect(() => attachment.read(4999, 2)).toThrow(RangeError);
    expect(() => attachment.read(5000, 1)).toThrow(RangeError);
    expect(() => attachment.write(4996, 'abcde')).toThrow(RangeError);
    expect(() => attachment.read(-1, 1)).toThrow(RangeError);
    expect(() => attachment.read(0.5, 1)).toThrow(RangeError);
    expect(() => attachment.read(0, Number.NaN)).toThrow(RangeError);
    expect(attachment.read(4990, 10)).toEqual(Buffer.alloc(10));
  });

  it('refuses a write through a read-only attachment with EACCES and leaves the memory alone', () => {
    const id = track(createShm({ size: 128 }));
    const writer = attach(id);
    writer.write(0, 'original');
    const reader = attach(id, true);
    expect(reader.readOnly).toBe(true);
    expect(reader.read(0, 8).toString()).toBe('original');
    let caught: unknown;
    try {
      reader.write(0, 'changed!');
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(IpcError);
    expect(caught).toMatchObject({ code: 'EACCES', id });
    expect(writer.read(0, 8).toString()).toBe('original');
    expect(statShm(id).nattch).toBe(2);
  });

  it('throws ClosedHandleError on every use after detach, and the process carries on', () => {
    const id = track(createShm({ size: 4096 }));
    const attachment = attach(id);
    attachment.write(0, 'x');
    attachment.detach();
    expect(attachment.attached).toBe(false);
    expect(() => attachment.read(0, 1)).toThrow(ClosedHandleError);
    expect(() => attachment.write(0, 'y')).toThrow(ClosedHandleError);
    expect(() => attachment.detach()).toThrow(ClosedHandleError);
    expect(statShm(id).nattch).toBe(0);
    const again = attach(id);
    expect(again.read(0, 1).toString()).toBe('x');
  });

  it('survives misuse in a separate process: exit status 0, no SIGSEGV', async () => {
    const script = await buildScript(`
      import { attachShm, createShm, removeShm } from '../packages/core/src/sysv/shm.ts';
      ${CODE_OF}
      const id = createShm({ size: 100 });
      const rw = attachShm(id);
      const ro = attachShm(id, { readOnly: true });
      const results = [
        codeOf(() => ro.write(0, 'no')),
        codeOf(() => rw.read(90, 11)),
        codeOf(() => rw.write(100, 'x')),
      ];
      rw.detach();
      ro.detach();
      removeShm(id);
      results.push(codeOf(() => rw.read(0, 1)), codeOf(() => ro.write(0, 'x')), codeOf(() => rw.detach()));
      console.log(JSON.stringify(results));
    `);
    expect(JSON.parse(await runScript(script))).toEqual([
      'EACCES',
      'RangeError',
      'RangeError',
      // ClosedHandleError's code.
      'EBADF',
      'EBADF',
      'EBADF',
    ]);
  });
});

describe('shared memory across processes', () => {
  it('reads in another process what this one wrote, and the other way round', async () => {
    const id = track(createShm({ size: 8192 }));
    const attachment = attach(id);
    attachment.write(8000, 'from the parent');
    const script = await buildScript(`
      import { attachShm } from '../packages/core/src/sysv/shm.ts';
      const attachment = attachShm(Number(process.argv[2]));
      const seen = attachment.read(8000, 15).toString();
      attachment.write(0, 'child saw: ' + seen);
      attachment.detach();
      console.log(seen);
    `);
    expect(await runScript(script, [String(id)])).toBe('from the parent\n');
    expect(attachment.read(0, 26).toString()).toBe('child saw: from the parent');
    expect(statShm(id)).toMatchObject({ nattch: 1 });
    expect(statShm(id).lpid).not.toBe(process.pid);
  });

  it('sees a write made while both processes stay attached', async () => {
    const id = track(createShm({ size: 4096 }));
    const attachment = attach(id);
    const script = await buildScript(`
      import { attachShm } from '../packages/core/src/sysv/shm.ts';
      import { createInterface } from 'node:readline';
      const attachment = attachShm(Number(process.argv[2]), { readOnly: true });
      console.log('attached');
      for await (const _ of createInterface({ input: process.stdin })) {
        console.log(attachment.read(0, 5).toString());
        break;
      }
      attachment.detach();
    `);
    const child = startScript(script, [String(id)]);
    let output = '';
    let errors = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    child.stderr?.on('data', (chunk: Buffer) => {
      errors += chunk.toString();
    });
    const closed = new Promise((resolve) => child.once('close', resolve));
    await waitForLine(child, 'attached');
    expect(statShm(id).nattch).toBe(2);
    attachment.write(0, 'ready');
    child.stdin?.end('go\n');
    expect(await closed).toBe(0);
    expect(errors).toBe('');
    expect(output).toBe('attached\nready\n');
    expect(statShm(id).nattch).toBe(1);
  });
});

describe('shared memory permissions (as nobody)', () => {
  it('gives EACCES to attach, stat or write, EPERM to change or remove, and allows a read-only attach of 0644', async () => {
    const privateId = track(createShm({ size: 64, mode: 0o600 }));
    const sharedId = track(createShm({ size: 64, mode: 0o644 }));
    attach(sharedId).write(0, 'public');
    const script = await buildScript(`
      import { attachShm, removeShm, setShm, statShm } from '../packages/core/src/sysv/shm.ts';
      ${CODE_OF}
      const [privateId, sharedId] = process.argv.slice(2).map(Number);
      const ro = attachShm(sharedId, { readOnly: true });
      console.log(JSON.stringify({
        uid: process.getuid(),
        attachPrivate: codeOf(() => attachShm(privateId, { readOnly: true })),
        statPrivate: codeOf(() => statShm(privateId)),
        removePrivate: codeOf(() => removeShm(privateId)),
        setShared: codeOf(() => setShm(sharedId, { mode: 0o666 })),
        attachSharedReadWrite: codeOf(() => attachShm(sharedId)),
        statShared: codeOf(() => statShm(sharedId).mode),
        readShared: ro.read(0, 6).toString(),
        writeReadOnly: codeOf(() => ro.write(0, 'x')),
      }));
    `);
    const result = await runScriptAs(NOBODY, script, [String(privateId), String(sharedId)]);
    expect(result.status).toBe(0);
    expect(JSON.parse(result.stdout)).toEqual({
      uid: 65534,
      attachPrivate: 'EACCES',
      statPrivate: 'EACCES',
      removePrivate: 'EPERM',
      setShared: 'EPERM',
      attachSharedReadWrite: 'EACCES',
      statShared: 0o644,
      readShared: 'public',
      writeReadOnly: 'EACCES',
    });
    expect(statShm(privateId).mode).toBe(0o600);
  });
});
