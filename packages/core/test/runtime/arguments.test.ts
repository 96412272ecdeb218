/**
 * Issue #13 items 3 and 5: every integer argument is checked against its C type before any call
 * (nothing touched), data goes in as its bytes, and wrong types are TypeErrors naming the argument.
 */
import { describe, expect, it } from 'vitest';
import { ClosedHandleError, IpcError } from '../../src/errors.js';
import { getMqueueCurmsgs, openMqueue, unlinkMqueue } from '../../src/posix/mqueue.js';
import { getPosixSemValue } from '../../src/posix/sem.js';
import { openPosixShm, unlinkPosixShm } from '../../src/posix/shm.js';
import { ftok } from '../../src/sysv/ftok.js';
import {
  createMsgQueue,
  receiveMessageSync,
  removeMsgQueue,
  sendMessageSync,
  setMsgQueue,
  statMsgQueue,
} from '../../src/sysv/msg.js';
import {
  createSemSet,
  getSemValue,
  removeSemSet,
  semopSync,
  setAllSemValues,
  setSemSet,
  setSemValue,
  statSemSet,
} from '../../src/sysv/sem.js';
import { attachShm, createShm, removeShm, setShm, statShm } from '../../src/sysv/shm.js';

describe('integer arguments', () => {
  it('refuses values that ffi-rs would wrap, before any call, and leaves every object alone', () => {
    const segments = [createShm({ size: 16 }), createShm({ size: 16 })];
    const queues = [createMsgQueue(), createMsgQueue()];
    const set = createSemSet({ nsems: 1 });
    try {
      setSemValue(set, 0, 5);
      for (const id of [
        2 ** 32,
        2 ** 32 + 1,
        2 ** 32 + segments[1]!,
        Number.NaN,
        -1,
        1.7,
        Number.POSITIVE_INFINITY,
      ]) {
        expect(() => removeShm(id)).toThrow(RangeError);
        expect(() => removeMsgQueue(id)).toThrow(RangeError);
        expect(() => attachShm(id)).toThrow(RangeError);
      }
      expect(() => setSemValue(set, 0, 2 ** 32 + 7)).toThrow(RangeError);
      expect(() => setSemValue(set, 2 ** 32, 1)).toThrow(RangeError);
      expect(() => setAllSemValues(set, [65536 + 3])).toThrow(RangeError);
      expect(() => semopSync(set, [{ num: 65536, op: 1 }])).toThrow(RangeError);
      expect(() => semopSync(set, [{ num: 0, op: 32768 }])).toThrow(RangeError);
      expect(() => semopSync(set, [{ num: 0, op: -65535 }])).toThrow(RangeError);
      expect(() => createShm({ size: -1 })).toThrow(RangeError);
      expect(() => createShm({ size: 16, mode: 0o10000 })).toThrow(RangeError);
      expect(() => createShm({ size: 16, key: 2 ** 32 })).toThrow(RangeError);
      expect(() => sendMessageSync(queues[0]!, { type: 2 ** 64, data: 'x' })).toThrow(RangeError);
      expect(() => receiveMessageSync(queues[0]!, { maxSize: -1 })).toThrow(RangeError);
      expect(() => receiveMessageSync(queues[0]!, { type: 1.5 })).toThrow(RangeError);
      // Nothing was touched.
      for (const id of segments) expect(statShm(id).id).toBe(id);
      for (const id of queues) expect(statMsgQueue(id).qnum).toBe(0);
      expect(getSemValue(set, 0)).toBe(5);
    } finally {
      for (const id of segments) removeShm(id);
      for (const id of queues) removeMsgQueue(id);
      removeSemSet(set);
    }
  });

  it('refuses owners, groups and modes that are no uid_t, gid_t or mode, and touches nothing', () => {
    const queue = createMsgQueue();
    const set = createSemSet({ nsems: 1 });
    const segment = createShm({ size: 16 });
    const before = { uid: 65534, gid: 65534, mode: 0o640 };
    try {
      setMsgQueue(queue, before);
      setSemSet(set, before);
      setShm(segment, before);
      // NaN was written as 0 (root became the owner), 1.5 as 1, and '644' & 0o777 as mode 0o204.
      for (const value of [Number.NaN, 1.5, -1, 2 ** 32]) {
        expect(() => setMsgQueue(queue, { uid: value })).toThrow(RangeError);
        expect(() => setSemSet(set, { gid: value })).toThrow(RangeError);
        expect(() => setShm(segment, { mode: value })).toThrow(RangeError);
      }
      expect(() => setMsgQueue(queue, { mode: '644' as unknown as number })).toThrow(
        new TypeError('mode must be a number (got "644")'),
      );
      expect(() => setSemSet(set, { uid: '0' as unknown as number })).toThrow(TypeError);
      expect(() => setShm(segment, null as unknown as object)).toThrow(
        new TypeError('changes must be an object (got null)'),
      );
      expect(statMsgQueue(queue)).toMatchObject({ ...before, mode: 0o640 });
      expect(statSemSet(set)).toMatchObject(before);
      expect(statShm(segment)).toMatchObject({ uid: 65534, gid: 65534 });
      expect(statShm(segment).mode & 0o777).toBe(0o640);
    } finally {
      removeMsgQueue(queue);
      removeSemSet(set);
      removeShm(segment);
    }
  });

  it('refuses an ftok project id that is no int, instead of another key, and a name that is no string', () => {
    const key = ftok('/tmp', 1);
    for (const projectId of [Number.NaN, 2 ** 32 + 1, 1.9]) {
      expect(() => ftok('/tmp', projectId)).toThrow(RangeError);
    }
    expect(() => ftok('/tmp', '1' as unknown as number)).toThrow(
      new TypeError('projectId must be a number (got "1")'),
    );
    expect(() => ftok(42 as unknown as string, 1)).toThrow(new TypeError('path must be a string (got 42)'));
    expect(() => getPosixSemValue(42 as unknown as string)).toThrow(
      new TypeError('name must be a string (got 42)'),
    );
    expect(() => getMqueueCurmsgs(42 as unknown as string)).toThrow(
      new TypeError('name must be a string (got 42)'),
    );
    expect(ftok('/tmp', 1)).toBe(key);
  });

  it('refuses a POSIX message priority outside unsigned int, and sizes and offsets out of range', () => {
    const name = `/args-${process.pid}`;
    const queue = openMqueue(name, { create: true, maxMessages: 2, messageSize: 16 });
    const shm = openPosixShm(`args-${process.pid}`, { create: true, size: 4096 });
    try {
      expect(() => queue.sendSync('x', { priority: 2 ** 32 })).toThrow(RangeError);
      expect(() => queue.sendSync('x', { priority: -1 })).toThrow(RangeError);
      expect(queue.getAttributes().currentMessages).toBe(0);
      expect(() => shm.resize(2 ** 64)).toThrow(RangeError);
      expect(() => shm.map({ offset: -4096 })).toThrow(RangeError);
      expect(() => shm.map().read(0.5, 1)).toThrow(RangeError);
      expect(shm.size).toBe(4096);
    } finally {
      queue.close();
      unlinkMqueue(name);
      shm.close();
      unlinkPosixShm(`args-${process.pid}`);
    }
  });
});

describe('data in, data out', () => {
  it('writes a Float64Array into a segment as its bytes, and reads them back', () => {
    const id = createShm({ size: 64 });
    const attachment = attachShm(id);
    try {
      const values = new Float64Array([1.5, -2.25, Math.PI]);
      attachment.write(8, values);
      const back = new Float64Array(3);
      expect(attachment.readInto(8, back)).toBe(24);
      expect([...back]).toEqual([...values]);
      expect(attachment.read(8, 24)).toEqual(Buffer.from(values.buffer));
      attachment.write(0, new DataView(new ArrayBuffer(2)));
    } finally {
      attachment.detach();
      removeShm(id);
    }
  });

  it('sends any ArrayBufferView as a System V message, with its byte length', () => {
    const id = createMsgQueue();
    try {
      sendMessageSync(id, { type: 1, data: new Uint8Array([1, 2, 3]) });
      sendMessageSync(id, { type: 2, data: new Float64Array([0.5]) });
      sendMessageSync(id, { type: 3, data: new Uint16Array([1, 2]).subarray(1) });
      expect(receiveMessageSync(id).data).toEqual(Buffer.from([1, 2, 3]));
      expect(receiveMessageSync(id).data).toEqual(Buffer.from(new Float64Array([0.5]).buffer));
      expect(receiveMessageSync(id).data).toEqual(Buffer.from([2, 0]));
    } finally {
      removeMsgQueue(id);
    }
  });

  it('gives a TypeError naming the argument for a wrong type', () => {
    const id = createMsgQueue();
    try {
      expect(() => sendMessageSync(id, { type: 1, data: 42 as unknown as string })).toThrow(
        new TypeError('message.data must be a string or an ArrayBufferView (got 42)'),
      );
      expect(() => sendMessageSync(id, { type: '1' as unknown as number, data: 'x' })).toThrow(
        new TypeError('message.type must be a number (got "1")'),
      );
      expect(() => removeShm('3' as unknown as number)).toThrow(
        new TypeError('id must be a number (got "3")'),
      );
      expect(() => openMqueue(7 as unknown as string)).toThrow(
        new TypeError('name must be a string (got 7)'),
      );
      expect(() => semopSync(id, [{ num: 0, op: null as unknown as number }])).toThrow(
        /ops\[0\]\.op must be a number/,
      );
      expect(() => semopSync(id, [null as unknown as { num: number; op: number }])).toThrow(
        new TypeError('ops[0] must be an object { num, op, flags? } (got null)'),
      );
      const nowait = 'false' as unknown as boolean;
      expect(() => semopSync(id, [{ num: 0, op: 1, flags: { nowait } }])).toThrow(
        new TypeError('ops[0].flags.nowait must be a boolean (got "false")'),
      );
    } finally {
      removeMsgQueue(id);
    }
  });

  it('gives ClosedHandleError a code like IpcError', () => {
    const id = createShm({ size: 8 });
    const attachment = attachShm(id);
    attachment.detach();
    removeShm(id);
    try {
      attachment.read(0, 1);
    } catch (error) {
      expect(error).toBeInstanceOf(ClosedHandleError);
      expect(error).toMatchObject({ code: 'EBADF' });
      expect(error).not.toBeInstanceOf(IpcError);
      return;
    }
    expect.unreachable();
  });
});
