// Names are bytes (issue 11): a name that is not UTF-8 survives as a string and reaches the
// kernel as the same bytes, through node:fs and through libc. The libc part runs on real objects
// in the test runner's private namespace; every name carries the pid (test files share it).
import { mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { makeFifo } from '../src/fifo.js';
import { fsPath, nameFromBytes, nameToBytes } from '../src/names.js';
import { listPosixMqueues, listPosixSems, listPosixShm } from '../src/posix/list.js';
import { openMqueue, unlinkMqueue } from '../src/posix/mqueue.js';
import { openPosixSem, unlinkPosixSem } from '../src/posix/sem.js';
import { openPosixShm, unlinkPosixShm } from '../src/posix/shm.js';
import { userId } from '../src/users.js';

const bytes = (...values: number[]) => Buffer.from(values);

describe('nameFromBytes and nameToBytes', () => {
  it.each([
    ['a lone 0xff', bytes(0xff), '\udcff'],
    ['a continuation byte first', bytes(0x80, 0x61), '\udc80a'],
    ['a truncated sequence', bytes(0x78, 0xc3), 'x\udcc3'],
    ['an overlong "/"', bytes(0xc0, 0xaf), '\udcc0\udcaf'],
    ['an encoded surrogate', bytes(0xed, 0xa0, 0x80), '\udced\udca0\udc80'],
    ['a code point past U+10FFFF', bytes(0xf4, 0x90, 0x80, 0x80), '\udcf4\udc90\udc80\udc80'],
    [
      'valid text beside a bad byte',
      Buffer.from([...Buffer.from('é'), 0xff, ...Buffer.from('😀')]),
      'é\udcff😀',
    ],
    ['U+FFFD itself', Buffer.from('\ufffd'), '\ufffd'],
  ])('%s', (_, raw, name) => {
    expect(nameFromBytes(raw)).toBe(name);
    expect(nameToBytes(name)).toEqual(raw);
  });

  it('gives back any bytes exactly', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), (raw) => {
        expect(nameToBytes(nameFromBytes(raw))).toEqual(Buffer.from(raw));
      }),
      { numRuns: 2000 },
    );
  });

  it('leaves valid UTF-8 as node decodes it', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', maxLength: 32 }), (text) => {
        const raw = Buffer.from(text);
        expect(nameFromBytes(raw)).toBe(raw.toString('utf8'));
        expect(nameToBytes(text)).toEqual(raw);
      }),
    );
  });

  it('encodes a lone surrogate that stands for no byte as U+FFFD, as Buffer.from does', () => {
    expect(nameToBytes('a\ud800b')).toEqual(Buffer.from('a\ufffdb'));
  });

  it('fsPath passes plain text as it is and escaped bytes as a Buffer', () => {
    expect(fsPath('/dev/shm/é')).toBe('/dev/shm/é');
    expect(fsPath('/dev/shm/\udcff')).toEqual(Buffer.from('/dev/shm/\xff', 'latin1'));
  });
});

describe('names reach the kernel as their bytes', () => {
  const dir = mkdtempSync(join(tmpdir(), 'names-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const latin1 = (names: Buffer[]) => names.map((name) => name.toString('latin1')).sort();

  it('node:fs: a file read back by readdir is the same file', () => {
    writeFileSync(Buffer.from(join(dir, 'f\xff'), 'latin1'), '');
    const [entry] = readdirSync(dir, { encoding: 'buffer' });
    const name = nameFromBytes(entry!);
    expect(name).toBe('f\udcff');
    expect(statSync(fsPath(join(dir, name))).isFile()).toBe(true);
  });

  it('getpwnam: a user name that is not UTF-8 is looked up, not refused by ffi-rs', () => {
    // ffi-rs's String type threw "invalid utf-16: lone surrogate found" (ipcrm --creator $'\xff').
    expect(userId('nosuch\udcff')).toBeUndefined();
    expect(userId('root')).toBe(0);
  });

  it('makeFifo', () => {
    makeFifo(join(dir, 'p\udc80abc'));
    expect(statSync(Buffer.from(join(dir, 'p\x80abc'), 'latin1')).isFIFO()).toBe(true);
  });

  it('shm_open, sem_open, mq_open and their unlink, and the /dev listings', () => {
    const bare = `n${process.pid}\udcff\udcc3`;
    const onDisk = `n${process.pid}\xff\xc3`;
    const shm = openPosixShm(`/${bare}`, { create: true, exclusive: true });
    shm.close();
    openPosixSem(`/${bare}`, { create: true, exclusive: true }).close();
    openMqueue(`/${bare}`, { create: true, exclusive: true, maxMessages: 1, messageSize: 8 }).close();
    try {
      expect(latin1(readdirSync('/dev/shm', { encoding: 'buffer' }))).toEqual(
        expect.arrayContaining([onDisk, `sem.${onDisk}`]),
      );
      expect(latin1(readdirSync('/dev/mqueue', { encoding: 'buffer' }))).toContain(onDisk);
      expect(listPosixShm()?.map((object) => object.name)).toContain(bare);
      expect(listPosixSems()?.map((object) => object.name)).toContain(bare);
      expect(listPosixMqueues()?.map((object) => object.name)).toContain(`/${bare}`);
    } finally {
      unlinkPosixShm(`/${bare}`);
      unlinkPosixSem(`/${bare}`);
      unlinkMqueue(`/${bare}`);
    }
    expect(latin1(readdirSync('/dev/shm', { encoding: 'buffer' }))).not.toContain(onDisk);
    expect(latin1(readdirSync('/dev/mqueue', { encoding: 'buffer' }))).not.toContain(onDisk);
  });
});
