import { readFileSync, statSync } from 'node:fs';
import { constants } from 'node:os';
import { afterEach, describe, expect, it } from 'vitest';
import {
  buildScript,
  openDescriptorsOf,
  runScript,
  runScriptAsNobody,
  startScript,
} from '../../../../test/helpers/script.js';
import { ClosedHandleError, IpcError } from '../../src/errors.js';
import {
  getMqueueCurmsgs,
  openMqueue,
  type PosixMqueueHandle,
  unlinkMqueue,
} from '../../src/posix/mqueue.js';

// Matched by number: errors.ts's errnoName(11) gives 'EWOULDBLOCK' (os.constants.errno lists both names).
const { EAGAIN } = constants.errno;

// Test files share one namespace: every queue name carries the pid.
const created: string[] = [];
// RLIMIT_MSGQUEUE (819200 bytes per user by default) is shared with the other test files: keep
// queues small and unlink each one after its test.
const SMALL = { maxMessages: 4, messageSize: 64 };
function uniqueName(tag: string): string {
  const name = `/mqt-${process.pid}-${tag}`;
  created.push(name);
  return name;
}

afterEach(() => {
  for (const name of created.splice(0)) {
    try {
      unlinkMqueue(name);
    } catch {}
  }
});

const SENDER = `
import { openMqueue } from '../packages/core/src/posix/mqueue.ts';
const [name, delayMs, ...messages] = process.argv.slice(2);
await new Promise((resolve) => setTimeout(resolve, Number(delayMs)));
const queue = openMqueue(name!, { writeOnly: true });
for (const message of messages) {
  const [priority, text] = message.split(':');
  await queue.send(text!, { priority: Number(priority) });
}
queue.close();
`;

const RECEIVER = `
import { openMqueue } from '../packages/core/src/posix/mqueue.ts';
const [name, count] = process.argv.slice(2);
const queue = openMqueue(name!, { readOnly: true });
const received = [];
for (let i = 0; i < Number(count); i++) {
  const { data, priority } = await queue.receive({ timeoutMs: 10_000 });
  received.push({ text: data.toString(), priority });
}
queue.close();
console.log(JSON.stringify(received));
`;

/** Opens a queue and reports the outcome as JSON (for the unprivileged runs). */
const PROBE = `
import { getMqueueCurmsgs, openMqueue, unlinkMqueue } from '../packages/core/src/posix/mqueue.ts';
const [action, name] = process.argv.slice(2);
try {
  if (action === 'open-read') openMqueue(name!, { readOnly: true }).close();
  if (action === 'open-write') openMqueue(name!, { writeOnly: true }).close();
  if (action === 'unlink') unlinkMqueue(name!);
  if (action === 'curmsgs') {
    console.log(JSON.stringify({ curmsgs: getMqueueCurmsgs(name!) ?? null }));
    process.exit(0);
  }
  console.log(JSON.stringify({ ok: true }));
} catch (error) {
  console.log(JSON.stringify({ code: (error as { code?: string }).code, syscall: (error as { syscall?: string }).syscall }));
}
`;

function withQueue<T>(handle: PosixMqueueHandle, body: (queue: PosixMqueueHandle) => T): T {
  try {
    return body(handle);
  } finally {
    handle.close();
  }
}

describe('openMqueue', () => {
  it('creates a queue with the requested limits and mode, and reports its attributes', () => {
    const name = uniqueName('attrs');
    withQueue(openMqueue(name, { create: true, mode: 0o640, maxMessages: 4, messageSize: 32 }), (queue) => {
      expect(queue.name).toBe(name);
      expect(queue.getAttributes()).toEqual({
        flags: 0,
        maxMessages: 4,
        messageSize: 32,
        currentMessages: 0,
      });
      queue.sendSync('one');
      queue.sendSync('two');
      expect(queue.getAttributes().currentMessages).toBe(2);
      expect(getMqueueCurmsgs(name)).toBe(2);
    });
    expect(statSync(`/dev/mqueue${name}`).mode & 0o777).toBe(0o640);
  });

  it('takes the kernel default for the limit that is not given', () => {
    const name = uniqueName('default-size');
    const msgsizeDefault = Number(readFileSync('/proc/sys/fs/mqueue/msgsize_default', 'utf8'));
    withQueue(openMqueue(name, { create: true, maxMessages: 3 }), (queue) => {
      expect(queue.getAttributes()).toMatchObject({ maxMessages: 3, messageSize: msgsizeDefault });
    });
  });

  it('reports O_NONBLOCK in the flags of a non-blocking descriptor', () => {
    const name = uniqueName('flags');
    withQueue(openMqueue(name, { create: true, nonBlocking: true, ...SMALL }), (queue) => {
      expect(queue.getAttributes().flags).toBe(0o4000);
    });
  });

  it('sets O_NONBLOCK with mq_setattr on its own open description only, in this process and another', async () => {
    const name = uniqueName('setattr');
    const queue = openMqueue(name, { create: true, ...SMALL });
    const other = openMqueue(name, { readOnly: true, nonBlocking: true });
    try {
      expect(queue.setNonBlocking(true)).toEqual({
        flags: 0,
        maxMessages: 4,
        messageSize: 64,
        currentMessages: 0,
      });
      expect(queue.getAttributes().flags).toBe(0o4000);
      expect(queue.setNonBlocking(false).flags).toBe(0o4000);
      expect(other.setNonBlocking(false).flags).toBe(0o4000);
      expect(queue.setNonBlocking(true).flags).toBe(0);
      // Two mq_open calls of one queue are two open descriptions: each keeps its own flags.
      expect(other.getAttributes().flags).toBe(0);
      const script = await buildScript(`
        import { openMqueue } from '../packages/core/src/posix/mqueue.ts';
        const queue = openMqueue(process.argv[2]!, { readOnly: true });
        const old = queue.setNonBlocking(process.argv[3] === 'on');
        console.log(JSON.stringify([old.flags, queue.getAttributes().flags]));
      `);
      expect(JSON.parse(await runScript(script, [name, 'off']))).toEqual([0, 0]);
      expect(queue.getAttributes().flags).toBe(0o4000);
      expect(JSON.parse(await runScript(script, [name, 'on']))).toEqual([0, 0o4000]);
      expect(other.getAttributes().flags).toBe(0);
    } finally {
      other.close();
      queue.close();
    }
    expect(() => queue.setNonBlocking(true)).toThrow(ClosedHandleError);
  });

  it('fails with EEXIST on an exclusive create of an existing queue', () => {
    const name = uniqueName('excl');
    openMqueue(name, { create: true, ...SMALL }).close();
    expect(() => openMqueue(name, { create: true, exclusive: true })).toThrow(
      expect.objectContaining({ code: 'EEXIST', syscall: 'mq_open', objectName: name }),
    );
  });

  it('fails with ENOENT when opening a missing queue without create', () => {
    expect(() => openMqueue(`/mqt-${process.pid}-missing`)).toThrow(
      expect.objectContaining({ name: 'IpcError', code: 'ENOENT' }),
    );
  });

  it('fails with EINVAL for a name without a leading slash, as glibc does', () => {
    expect(() => openMqueue(`mqt-${process.pid}-noslash`, { create: true, ...SMALL })).toThrow(
      expect.objectContaining({ code: 'EINVAL' }),
    );
    expect(() => unlinkMqueue(`mqt-${process.pid}-noslash`)).toThrow(
      expect.objectContaining({ code: 'EINVAL' }),
    );
  });

  it('fails with ENAMETOOLONG for a name longer than NAME_MAX (255)', () => {
    const name = `/${'q'.repeat(256)}`;
    expect(() => openMqueue(name, { create: true, ...SMALL })).toThrow(
      expect.objectContaining({ code: 'ENAMETOOLONG' }),
    );
  });

  it('refuses a name with a NUL byte instead of opening the queue named by its prefix', () => {
    const prefix = uniqueName('nul');
    openMqueue(prefix, { create: true, ...SMALL }).close();
    expect(() => openMqueue(`${prefix}\0suffix`)).toThrow(expect.objectContaining({ code: 'EINVAL' }));
    expect(() => unlinkMqueue(`${prefix}\0suffix`)).toThrow(expect.objectContaining({ code: 'EINVAL' }));
    expect(getMqueueCurmsgs(prefix)).toBe(0);
  });

  it('fails with EINVAL for limits the kernel rejects', () => {
    const name = uniqueName('bad-limits');
    expect(() => openMqueue(name, { create: true, maxMessages: 0, messageSize: 8 })).toThrow(
      expect.objectContaining({ code: 'EINVAL' }),
    );
  });

  it('refuses readOnly together with writeOnly', () => {
    expect(() => openMqueue(uniqueName('rw'), { readOnly: true, writeOnly: true })).toThrow(TypeError);
  });

  it('fails with EACCES for an unprivileged user on a 0600 root-owned queue', async () => {
    const name = uniqueName('eacces');
    openMqueue(name, { create: true, mode: 0o600, ...SMALL }).close();
    await expect(runScriptAsNobody(PROBE, ['open-read', name])).resolves.toEqual({
      code: 'EACCES',
      syscall: 'mq_open',
    });
    await expect(runScriptAsNobody(PROBE, ['open-write', name])).resolves.toEqual({
      code: 'EACCES',
      syscall: 'mq_open',
    });
    await expect(runScriptAsNobody(PROBE, ['curmsgs', name])).resolves.toEqual({ curmsgs: null });
    // mq_unlink needs write permission on the (sticky, root-owned) /dev/mqueue directory entry.
    await expect(runScriptAsNobody(PROBE, ['unlink', name])).resolves.toEqual({
      code: 'EACCES',
      syscall: 'mq_unlink',
    });
    expect(getMqueueCurmsgs(name)).toBe(0);
  });

  it('lets an unprivileged user open a 0666 queue', async () => {
    const name = uniqueName('open-to-all');
    const old = process.umask(0);
    try {
      openMqueue(name, { create: true, mode: 0o666, ...SMALL }).close();
    } finally {
      process.umask(old);
    }
    await expect(runScriptAsNobody(PROBE, ['open-read', name])).resolves.toEqual({ ok: true });
  });
});

describe('sending and receiving', () => {
  it('delivers messages in one process highest priority first, FIFO within a priority', () => {
    const name = uniqueName('order');
    withQueue(openMqueue(name, { create: true, maxMessages: 8, messageSize: 64 }), (queue) => {
      queue.sendSync('low-1', { priority: 1 });
      queue.sendSync('high', { priority: 30 });
      queue.sendSync('low-2', { priority: 1 });
      queue.sendSync(Buffer.from([0, 1, 2, 255]), { priority: 7 });
      const received = [1, 2, 3, 4].map(() => queue.receiveSync());
      expect(received.map(({ priority }) => priority)).toEqual([30, 7, 1, 1]);
      expect(received[0]?.data.toString()).toBe('high');
      expect([...(received[1]?.data ?? [])]).toEqual([0, 1, 2, 255]);
      expect(received.slice(2).map(({ data }) => data.toString())).toEqual(['low-1', 'low-2']);
    });
  });

  it('sends and receives an empty message', () => {
    const name = uniqueName('empty');
    withQueue(openMqueue(name, { create: true, ...SMALL }), (queue) => {
      queue.sendSync(new Uint8Array(0), { priority: 3 });
      const message = queue.receiveSync();
      expect(message.data.length).toBe(0);
      expect(message.priority).toBe(3);
    });
  });

  it('sends a Uint8Array view with its offset', () => {
    const name = uniqueName('view');
    withQueue(openMqueue(name, { create: true, ...SMALL }), (queue) => {
      const bytes = new Uint8Array([9, 8, 7, 6, 5]);
      queue.sendSync(bytes.subarray(1, 4));
      expect([...queue.receiveSync().data]).toEqual([8, 7, 6]);
    });
  });

  it('receives in one process, by priority, what another process sent', async () => {
    const name = uniqueName('cross-send');
    const queue = openMqueue(name, { create: true, maxMessages: 8, messageSize: 128 });
    try {
      await runScript(await buildScript(SENDER), [
        name,
        '0',
        '1:first-low',
        '9:urgent',
        '5:medium',
        '1:second-low',
      ]);
      expect(queue.getAttributes().currentMessages).toBe(4);
      const received = [];
      for (let i = 0; i < 4; i++) {
        const { data, priority } = await queue.receive();
        received.push(`${priority}:${data.toString()}`);
      }
      expect(received).toEqual(['9:urgent', '5:medium', '1:first-low', '1:second-low']);
    } finally {
      queue.close();
    }
  });

  it('another process receives what this one sent, by priority', async () => {
    const name = uniqueName('cross-recv');
    withQueue(openMqueue(name, { create: true, maxMessages: 8, messageSize: 128 }), (queue) => {
      queue.sendSync('b', { priority: 2 });
      queue.sendSync('c', { priority: 100 });
      queue.sendSync('a', { priority: 0 });
    });
    const output = await runScript(await buildScript(RECEIVER), [name, '3']);
    expect(JSON.parse(output)).toEqual([
      { text: 'c', priority: 100 },
      { text: 'b', priority: 2 },
      { text: 'a', priority: 0 },
    ]);
  });

  it('waits off the event loop until another process sends', async () => {
    const name = uniqueName('wake');
    const queue = openMqueue(name, { create: true, ...SMALL });
    let ticks = 0;
    const timer = setInterval(() => ticks++, 5);
    try {
      const pending = queue.receive({ timeoutMs: 20_000 });
      // The sender starts only now: a receive that blocked the main thread would never let it start.
      const sender = startScript(await buildScript(SENDER), [name, '300', '4:wake-up']);
      const message = await pending;
      expect(message.data.toString()).toBe('wake-up');
      expect(message.priority).toBe(4);
      expect(ticks).toBeGreaterThan(20);
      await new Promise((resolve) => sender.once('exit', resolve));
    } finally {
      clearInterval(timer);
      queue.close();
    }
  });

  it('times out a receive on an empty queue with ETIMEDOUT, without freezing the event loop', async () => {
    const name = uniqueName('timeout');
    const queue = openMqueue(name, { create: true, ...SMALL });
    let ticks = 0;
    const timer = setInterval(() => ticks++, 5);
    try {
      const started = Date.now();
      const error = await queue.receive({ timeoutMs: 300 }).catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(IpcError);
      expect(error).toMatchObject({ code: 'ETIMEDOUT', syscall: 'mq_timedreceive', objectName: name });
      expect(Date.now() - started).toBeGreaterThanOrEqual(290);
      expect(ticks).toBeGreaterThan(20);
      // timeoutMs 0 polls once.
      await expect(queue.receive({ timeoutMs: 0 })).rejects.toMatchObject({ code: 'ETIMEDOUT' });
      await expect(queue.receive({ timeoutMs: -1 })).rejects.toThrow(RangeError);
      await expect(queue.receive({ timeoutMs: 1.5 })).rejects.toMatchObject({ code: 'ETIMEDOUT' });
    } finally {
      clearInterval(timer);
      queue.close();
    }
  });

  it('fails with EAGAIN when receiving without waiting on an empty queue', async () => {
    const name = uniqueName('eagain-recv');
    withQueue(openMqueue(name, { create: true, ...SMALL }), (queue) => {
      expect(() => queue.receiveSync()).toThrow(expect.objectContaining({ errno: EAGAIN }));
    });
    const nonBlocking = openMqueue(name, { nonBlocking: true });
    try {
      expect(() => nonBlocking.receiveSync()).toThrow(expect.objectContaining({ errno: EAGAIN }));
      await expect(nonBlocking.receive()).rejects.toMatchObject({
        errno: EAGAIN,
        syscall: 'mq_timedreceive',
      });
    } finally {
      nonBlocking.close();
    }
  });

  it('fails with EAGAIN on a full queue for sendSync and for send on a non-blocking descriptor', async () => {
    const name = uniqueName('eagain-send');
    withQueue(openMqueue(name, { create: true, maxMessages: 2, messageSize: 8 }), (queue) => {
      queue.sendSync('1');
      queue.sendSync('2');
      expect(() => queue.sendSync('3')).toThrow(
        expect.objectContaining({ errno: EAGAIN, syscall: 'mq_timedsend' }),
      );
      expect(queue.getAttributes().currentMessages).toBe(2);
    });
    const nonBlocking = openMqueue(name, { nonBlocking: true });
    try {
      await expect(nonBlocking.send('3')).rejects.toMatchObject({ errno: EAGAIN });
    } finally {
      nonBlocking.close();
    }
  });

  it('times out a send on a full queue, and a blocked send completes when another process receives', async () => {
    const name = uniqueName('full');
    const queue = openMqueue(name, { create: true, maxMessages: 1, messageSize: 16 });
    try {
      await queue.send('first', { priority: 1 });
      await expect(queue.send('never', { timeoutMs: 100 })).rejects.toMatchObject({ code: 'ETIMEDOUT' });
      const pending = queue.send('second', { priority: 2 });
      const output = await runScript(await buildScript(RECEIVER), [name, '2']);
      await pending;
      expect(JSON.parse(output)).toEqual([
        { text: 'first', priority: 1 },
        { text: 'second', priority: 2 },
      ]);
    } finally {
      queue.close();
    }
  });

  it('fails with EMSGSIZE for a message larger than the queue message size', async () => {
    const name = uniqueName('emsgsize');
    const queue = openMqueue(name, { create: true, maxMessages: 2, messageSize: 8 });
    try {
      expect(() => queue.sendSync(Buffer.alloc(9))).toThrow(expect.objectContaining({ code: 'EMSGSIZE' }));
      await expect(queue.send(Buffer.alloc(9))).rejects.toMatchObject({ code: 'EMSGSIZE' });
      queue.sendSync(Buffer.alloc(8, 0x61));
      expect(queue.receiveSync().data.toString()).toBe('aaaaaaaa');
    } finally {
      queue.close();
    }
  });

  it('refuses an oversized message and receives into any larger buffer without growing its own to that size', async () => {
    const name = uniqueName('huge');
    const queue = openMqueue(name, { create: true, maxMessages: 2, messageSize: 8 });
    try {
      const huge = Buffer.allocUnsafeSlow(2 ** 28);
      const before = process.memoryUsage().rss;
      await expect(queue.send(huge)).rejects.toMatchObject({ code: 'EMSGSIZE', syscall: 'mq_timedsend' });
      queue.sendSync('abc', { priority: 3 });
      expect(await queue.receiveInto(huge)).toEqual({ length: 3, priority: 3 });
      expect(huge.subarray(0, 3).toString()).toBe('abc');
      expect(process.memoryUsage().rss - before).toBeLessThan(64 * 2 ** 20);
    } finally {
      queue.close();
    }
  });

  it('fails with EINVAL for a priority of MQ_PRIO_MAX (32768) or more, with RangeError outside unsigned int', () => {
    const name = uniqueName('prio');
    withQueue(openMqueue(name, { create: true, ...SMALL }), (queue) => {
      queue.sendSync('ok', { priority: 32767 });
      expect(() => queue.sendSync('x', { priority: 32768 })).toThrow(
        expect.objectContaining({ code: 'EINVAL' }),
      );
      expect(() => queue.sendSync('x', { priority: -1 })).toThrow(RangeError);
      expect(() => queue.sendSync('x', { priority: 2 ** 32 })).toThrow(RangeError);
      expect(queue.receiveSync().priority).toBe(32767);
    });
  });

  it('fails with EBADF when sending on a read-only or receiving on a write-only descriptor', () => {
    const name = uniqueName('ebadf');
    openMqueue(name, { create: true, ...SMALL }).close();
    withQueue(openMqueue(name, { readOnly: true }), (queue) => {
      expect(() => queue.sendSync('x')).toThrow(expect.objectContaining({ code: 'EBADF' }));
    });
    withQueue(openMqueue(name, { writeOnly: true }), (queue) => {
      expect(() => queue.receiveSync()).toThrow(expect.objectContaining({ code: 'EBADF' }));
    });
  });
});

describe('closing and unlinking', () => {
  it('throws ClosedHandleError on every use after close, and close is idempotent', async () => {
    const name = uniqueName('closed');
    const queue = openMqueue(name, { create: true, ...SMALL });
    expect(openDescriptorsOf(name)).toBe(1);
    queue.close();
    expect(openDescriptorsOf(name)).toBe(0);
    expect(() => queue.close()).not.toThrow();
    expect(() => queue.sendSync('x')).toThrow(ClosedHandleError);
    expect(() => queue.receiveSync()).toThrow(ClosedHandleError);
    expect(() => queue.getAttributes()).toThrow(ClosedHandleError);
    await expect(queue.send('x')).rejects.toThrow(ClosedHandleError);
    await expect(queue.receive()).rejects.toThrow(ClosedHandleError);
    expect(getMqueueCurmsgs(name)).toBe(0);
  });

  it('closes the descriptor at once and fails a pending receive with ClosedHandleError (no thread holds it)', async () => {
    const name = uniqueName('close-pending');
    const queue = openMqueue(name, { create: true, ...SMALL });
    const pending = queue.receive({ timeoutMs: 20_000 });
    queue.close();
    expect(() => queue.sendSync('x')).toThrow(ClosedHandleError);
    expect(openDescriptorsOf(name)).toBe(0);
    await expect(pending).rejects.toMatchObject({ name: 'ClosedHandleError', code: 'EBADF' });
    // The message a later sender leaves is not taken by the abandoned receive.
    await runScript(await buildScript(SENDER), [name, '0', '0:late']);
    withQueue(openMqueue(name), (again) => expect(again.receiveSync().data.toString()).toBe('late'));
  });

  it('unlinks a queue, then fails with ENOENT', () => {
    const name = uniqueName('unlink');
    openMqueue(name, { create: true, ...SMALL }).close();
    expect(statSync(`/dev/mqueue${name}`).isFile()).toBe(true);
    unlinkMqueue(name);
    expect(() => statSync(`/dev/mqueue${name}`)).toThrow(expect.objectContaining({ code: 'ENOENT' }));
    expect(() => unlinkMqueue(name)).toThrow(
      expect.objectContaining({ code: 'ENOENT', syscall: 'mq_unlink' }),
    );
    expect(getMqueueCurmsgs(name)).toBeUndefined();
  });

  it('keeps an unlinked queue usable through an open descriptor', () => {
    const name = uniqueName('unlinked-open');
    withQueue(openMqueue(name, { create: true, ...SMALL }), (queue) => {
      unlinkMqueue(name);
      queue.sendSync('still here');
      expect(queue.receiveSync().data.toString()).toBe('still here');
    });
  });
});
