import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { NOBODY, waitForLine } from '../../../../test/helpers/namespace.js';
import { buildScript, runScript, runScriptAs, startScript } from '../../../../test/helpers/script.js';
import {
  createMsgQueue,
  getMsgQueue,
  peekMessage,
  receiveMessage,
  receiveMessageInto,
  receiveMessageSync,
  removeMsgQueue,
  sendMessage,
  sendMessageSync,
  setMsgQueue,
  statMsgQueue,
} from '../../src/sysv/msg.js';

// Keys of this file only (test files share one namespace): 0x4d53xxxx ("MS").
const keyOf = (n: number) => 0x4d530000 + ((process.pid & 0xfff) << 4) + n;

const created: number[] = [];

function track(id: number): number {
  created.push(id);
  return id;
}

afterEach(() => {
  for (const id of created.splice(0)) {
    try {
      removeMsgQueue(id);
    } catch {
      // already removed by the test
    }
  }
});

/** Whether a call is still pending after 100 ms: msqid_ds does not count waiters, unlike semncnt. */
function isWaiting(promise: Promise<unknown>): Promise<boolean> {
  return Promise.race([
    promise.then(() => false),
    new Promise<boolean>((r) => setTimeout(() => r(true), 100)),
  ]);
}

const MSG = "'../packages/core/src/sysv/msg.ts'";
const msgmnb = Number(readFileSync('/proc/sys/kernel/msgmnb', 'utf8'));
const msgmax = Number(readFileSync('/proc/sys/kernel/msgmax', 'utf8'));

describe('System V message queues', () => {
  it('creates a queue and stats it, qbytes included', () => {
    const id = track(createMsgQueue({ mode: 0o640 }));
    const queue = statMsgQueue(id);
    expect(queue).toMatchObject({
      id,
      key: 0,
      mode: 0o640,
      uid: 0,
      cuid: 0,
      cbytes: 0,
      qnum: 0,
      qbytes: msgmnb,
      lspid: 0,
      lrpid: 0,
      stime: 0,
      rtime: 0,
    });
    expect(statMsgQueue(track(createMsgQueue())).mode).toBe(0o600);
  });

  it('finds a queue by key, refuses an exclusive create with EEXIST, and reports ENOENT and EINVAL', () => {
    const key = keyOf(1);
    const id = track(createMsgQueue({ key, exclusive: true }));
    expect(getMsgQueue(key)).toBe(id);
    expect(createMsgQueue({ key })).toBe(id);
    expect(() => createMsgQueue({ key, exclusive: true })).toThrow(
      expect.objectContaining({ name: 'IpcError', code: 'EEXIST', syscall: 'msgget', key }),
    );
    expect(() => getMsgQueue(keyOf(2))).toThrow(expect.objectContaining({ code: 'ENOENT', key: keyOf(2) }));
    removeMsgQueue(id);
    expect(() => statMsgQueue(id)).toThrow(
      expect.objectContaining({ code: 'EINVAL', syscall: 'msgctl', id }),
    );
    expect(() => sendMessageSync(id, { type: 1, data: 'x' })).toThrow(
      expect.objectContaining({ code: 'EINVAL', syscall: 'msgsnd', id }),
    );
  });

  it('changes owner, mode and qbytes with IPC_SET', () => {
    const id = track(createMsgQueue());
    setMsgQueue(id, { uid: 1000, gid: 2000, mode: 0o620, qbytes: 100 });
    expect(statMsgQueue(id)).toMatchObject({ uid: 1000, gid: 2000, mode: 0o620, qbytes: 100, cuid: 0 });
  });

  it('rejects message types below 1 and texts over msgmax with EINVAL', () => {
    const id = track(createMsgQueue());
    expect(() => sendMessageSync(id, { type: 0, data: 'x' })).toThrow(
      expect.objectContaining({ code: 'EINVAL' }),
    );
    expect(() => sendMessageSync(id, { type: 1, data: Buffer.alloc(msgmax + 1) })).toThrow(
      expect.objectContaining({ code: 'EINVAL' }),
    );
    expect(statMsgQueue(id).qnum).toBe(0);
  });
});

describe('sending and receiving', () => {
  it('sends and receives by type: any, exact, lowest up to |type|, and except', () => {
    const id = track(createMsgQueue());
    sendMessageSync(id, { type: 3, data: 'three' });
    sendMessageSync(id, { type: 1, data: Buffer.from([0, 1, 2]) });
    sendMessageSync(id, { type: 2, data: 'two' });
    sendMessageSync(id, { type: 5, data: '' });
    expect(statMsgQueue(id)).toMatchObject({ qnum: 4, cbytes: 11, lspid: process.pid });
    expect(receiveMessageSync(id, { type: -2 })).toEqual({ type: 1, data: Buffer.from([0, 1, 2]) });
    expect(receiveMessageSync(id, { type: 5 })).toEqual({ type: 5, data: Buffer.alloc(0) });
    expect(receiveMessageSync(id, { type: 3, except: true })).toEqual({ type: 2, data: Buffer.from('two') });
    expect(receiveMessageSync(id)).toEqual({ type: 3, data: Buffer.from('three') });
    expect(statMsgQueue(id)).toMatchObject({ qnum: 0, cbytes: 0, lrpid: process.pid });
  });

  it('receives a message of exactly msgmax bytes with the default maxSize', () => {
    const id = track(createMsgQueue());
    const data = Buffer.alloc(msgmax, 0x5a);
    sendMessageSync(id, { type: 9, data });
    expect(receiveMessageSync(id).data.equals(data)).toBe(true);
  });

  it('fails with E2BIG and keeps the message when it is longer than maxSize, or truncates with noError', async () => {
    const id = track(createMsgQueue());
    sendMessageSync(id, { type: 1, data: 'abcdefgh' });
    expect(() => receiveMessageSync(id, { maxSize: 4 })).toThrow(
      expect.objectContaining({ code: 'E2BIG', syscall: 'msgrcv', id }),
    );
    await expect(receiveMessage(id, { maxSize: 7 })).rejects.toMatchObject({ code: 'E2BIG' });
    expect(statMsgQueue(id)).toMatchObject({ qnum: 1, cbytes: 8 });
    expect(receiveMessageSync(id, { maxSize: 4, noError: true })).toEqual({
      type: 1,
      data: Buffer.from('abcd'),
    });
    expect(statMsgQueue(id).qnum).toBe(0);
  });

  it('receives with any maxSize, without writing or keeping a buffer of that size', async () => {
    const id = track(createMsgQueue());
    // No message is longer than INT_MAX (msgmax's ceiling): a larger maxSize is that receive.
    sendMessageSync(id, { type: 1, data: 'one' });
    expect(receiveMessageSync(id, { maxSize: Number.MAX_SAFE_INTEGER })).toEqual({
      type: 1,
      data: Buffer.from('one'),
    });
    sendMessageSync(id, { type: 2, data: 'two' });
    expect(peekMessage(id, 0, { maxSize: 2 ** 40 }).data.toString()).toBe('two');
    // A 256 MiB receive buffer is address space: the kernel writes only the message's bytes.
    const before = process.memoryUsage().rss;
    expect((await receiveMessage(id, { maxSize: 2 ** 28 })).data.toString()).toBe('two');
    sendMessageSync(id, { type: 3, data: 'three' });
    const into = Buffer.allocUnsafeSlow(2 ** 28);
    expect(await receiveMessageInto(id, into)).toEqual({ type: 3, length: 5 });
    expect(process.memoryUsage().rss - before).toBeLessThan(64 * 2 ** 20);
  });

  it('refuses a message over msgmax with EINVAL before copying it', async () => {
    const id = track(createMsgQueue());
    const huge = Buffer.allocUnsafeSlow(2 ** 28);
    const before = process.memoryUsage().rss;
    const refused = expect.objectContaining({ code: 'EINVAL', syscall: 'msgsnd', id });
    expect(() => sendMessageSync(id, { type: 1, data: huge })).toThrow(refused);
    await expect(sendMessage(id, { type: 1, data: huge })).rejects.toEqual(refused);
    expect(() => sendMessageSync(id, { type: 1, data: Buffer.alloc(msgmax + 1) })).toThrow(
      `exceed msgmax (${msgmax})`,
    );
    expect(process.memoryUsage().rss - before).toBeLessThan(64 * 2 ** 20);
    expect(statMsgQueue(id).qnum).toBe(0);
  });

  it('fails with ENOMSG when nothing matches and nowait is set', async () => {
    const id = track(createMsgQueue());
    expect(() => receiveMessageSync(id)).toThrow(expect.objectContaining({ code: 'ENOMSG', id }));
    sendMessageSync(id, { type: 2, data: 'x' });
    expect(() => receiveMessageSync(id, { type: 1 })).toThrow(expect.objectContaining({ code: 'ENOMSG' }));
    await expect(receiveMessage(id, { type: 3, nowait: true })).rejects.toMatchObject({ code: 'ENOMSG' });
  });

  it('fails with EAGAIN when the queue is full and nowait is set', async () => {
    const id = track(createMsgQueue());
    setMsgQueue(id, { qbytes: 10 });
    sendMessageSync(id, { type: 1, data: '12345678' });
    expect(() => sendMessageSync(id, { type: 1, data: '123' })).toThrow(
      expect.objectContaining({ code: 'EAGAIN', syscall: 'msgsnd', id }),
    );
    await expect(sendMessage(id, { type: 1, data: '123' }, { nowait: true })).rejects.toMatchObject({
      code: 'EAGAIN',
    });
    expect(statMsgQueue(id)).toMatchObject({ qnum: 1, cbytes: 8 });
  });

  it('waits in a thread to send until there is room, with the event loop running', async () => {
    const id = track(createMsgQueue());
    setMsgQueue(id, { qbytes: 10 });
    sendMessageSync(id, { type: 1, data: '12345678' });
    const sending = sendMessage(id, { type: 2, data: 'later' });
    expect(await isWaiting(sending)).toBe(true);
    expect(receiveMessageSync(id).data.toString()).toBe('12345678');
    await sending;
    expect(receiveMessageSync(id)).toEqual({ type: 2, data: Buffer.from('later') });
  });

  it('waits in a thread to receive until a message arrives, with the event loop running', async () => {
    const id = track(createMsgQueue());
    let ticks = 0;
    const timer = setInterval(() => ticks++, 10);
    const receiving = receiveMessage(id, { type: 4 });
    try {
      expect(await isWaiting(receiving)).toBe(true);
      sendMessageSync(id, { type: 3, data: 'not this one' });
      expect(await isWaiting(receiving)).toBe(true);
      await sendMessage(id, { type: 4, data: 'this one' });
      expect(await receiving).toEqual({ type: 4, data: Buffer.from('this one') });
    } finally {
      clearInterval(timer);
    }
    expect(ticks).toBeGreaterThanOrEqual(5);
    expect(statMsgQueue(id).qnum).toBe(1);
  });

  it('rejects a waiting receive and a waiting send with EIDRM when the queue is removed', async () => {
    const id = createMsgQueue();
    const receiving = receiveMessage(id);
    expect(await isWaiting(receiving)).toBe(true);
    removeMsgQueue(id);
    await expect(receiving).rejects.toMatchObject({ name: 'IpcError', code: 'EIDRM', syscall: 'msgrcv', id });

    const full = createMsgQueue();
    setMsgQueue(full, { qbytes: 4 });
    sendMessageSync(full, { type: 1, data: '1234' });
    const sending = sendMessage(full, { type: 1, data: '5' });
    expect(await isWaiting(sending)).toBe(true);
    removeMsgQueue(full);
    await expect(sending).rejects.toMatchObject({ code: 'EIDRM', syscall: 'msgsnd', id: full });
  });
});

describe('messages across processes', () => {
  it('receives in another process what this one sent, and gets its reply', async () => {
    const id = track(createMsgQueue());
    const script = await buildScript(`
      import { receiveMessage, sendMessage } from ${MSG};
      const id = Number(process.argv[2]);
      console.log('listening');
      const request = await receiveMessage(id, { type: 1 });
      await sendMessage(id, { type: 2, data: 'echo: ' + request.data.toString() });
    `);
    const child = startScript(script, [String(id)]);
    await waitForLine(child, 'listening');
    const reply = receiveMessage(id, { type: 2 });
    await sendMessage(id, { type: 1, data: 'ping' });
    expect(await reply).toEqual({ type: 2, data: Buffer.from('echo: ping') });
    const queue = statMsgQueue(id);
    expect(queue).toMatchObject({ qnum: 0, lspid: child.pid });
    // msgrcv records the receiving thread's id (task_pid): every receive runs on the main thread now.
    expect(queue.lrpid).toBe(process.pid);
  });

  it('wakes a receiver here with a message another process sends', async () => {
    const id = track(createMsgQueue());
    const receiving = receiveMessage(id);
    const script = await buildScript(`
      import { sendMessageSync } from ${MSG};
      sendMessageSync(Number(process.argv[2]), { type: 7, data: Buffer.from([1, 2, 3, 255]) });
    `);
    await runScript(script, [String(id)]);
    expect(await receiving).toEqual({ type: 7, data: Buffer.from([1, 2, 3, 255]) });
  });
});

describe('message queue permissions (as nobody)', () => {
  it('gives EACCES to send, receive or stat a 0600 queue, EPERM to remove it or to raise qbytes', async () => {
    const privateId = track(createMsgQueue({ mode: 0o600 }));
    sendMessageSync(privateId, { type: 1, data: 'secret' });
    const script = await buildScript(`
      import { createMsgQueue, removeMsgQueue, receiveMessageSync, sendMessageSync, setMsgQueue, statMsgQueue } from ${MSG};
      const codeOf = (f: () => unknown) => {
        try { const value = f(); return value === undefined ? 'ok' : value; }
        catch (error) { return (error as { code?: string }).code ?? String(error); }
      };
      const [privateId, msgmnb] = process.argv.slice(2).map(Number);
      const own = createMsgQueue();
      console.log(JSON.stringify({
        send: codeOf(() => sendMessageSync(privateId, { type: 1, data: 'x' })),
        receive: codeOf(() => receiveMessageSync(privateId)),
        stat: codeOf(() => statMsgQueue(privateId)),
        remove: codeOf(() => removeMsgQueue(privateId)),
        lowerOwn: codeOf(() => setMsgQueue(own, { qbytes: msgmnb - 1 })),
        raiseOwn: codeOf(() => setMsgQueue(own, { qbytes: msgmnb + 1 })),
        removeOwn: codeOf(() => removeMsgQueue(own)),
      }));
    `);
    const result = await runScriptAs(NOBODY, script, [String(privateId), String(msgmnb)]);
    expect(result.status).toBe(0);
    expect(JSON.parse(result.stdout)).toEqual({
      send: 'EACCES',
      receive: 'EACCES',
      stat: 'EACCES',
      remove: 'EPERM',
      lowerOwn: 'ok',
      raiseOwn: 'EPERM',
      removeOwn: 'ok',
    });
    expect(statMsgQueue(privateId)).toMatchObject({ qnum: 1, cbytes: 6 });
  });
});
