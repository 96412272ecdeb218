/**
 * POSIX message queues (mq_overview(7)) over glibc's mq_* calls. Blocking sends and receives run
 * on the libuv threadpool so the event loop keeps turning; the synchronous variants never block.
 */
import { readFileSync } from 'node:fs';
import { constants } from 'node:os';
import { IpcError } from '../errors.js';
import { assertCString, check } from '../ffi/call.js';
import { O_CREAT, O_EXCL, O_NONBLOCK, O_RDONLY, O_RDWR, O_WRONLY } from '../ffi/constants.js';
import { deadlineAfter, MQ_ATTR, TIMESPEC } from '../ffi/layout.js';
import type { Raw } from '../ffi/libc.js';
import * as libc from '../ffi/libc.js';
import { PATH_PROC_MQUEUE_MSG_DEFAULT, PATH_PROC_MQUEUE_MSGSIZE_DEFAULT } from '../paths.js';
import { assertTimeout, BlockingCalls } from './blocking.js';

export interface OpenMqueueOptions {
  /** O_CREAT: create the queue if it does not exist. */
  create?: boolean;
  /** O_EXCL: with `create`, fail with EEXIST if the queue exists. */
  exclusive?: boolean;
  /** Permission bits of a new queue (the umask applies); default 0o600. */
  mode?: number;
  /** mq_maxmsg of a new queue; default /proc/sys/fs/mqueue/msg_default. */
  maxMessages?: number;
  /** mq_msgsize of a new queue; default /proc/sys/fs/mqueue/msgsize_default. */
  messageSize?: number;
  /** O_RDONLY (receive only); the default is O_RDWR. */
  readOnly?: boolean;
  /** O_WRONLY (send only). */
  writeOnly?: boolean;
  /** O_NONBLOCK: send on a full queue and receive on an empty one fail with EAGAIN. */
  nonBlocking?: boolean;
}

export interface MqueueAttributes {
  /** mq_flags: 0 or O_NONBLOCK. */
  flags: number;
  maxMessages: number;
  messageSize: number;
  currentMessages: number;
}

export interface MqueueMessage {
  data: Buffer;
  priority: number;
}

export interface MqueueSendOptions {
  /** 0 (default) to 32767 (MQ_PRIO_MAX - 1); higher priorities are received first. */
  priority?: number;
  /** Give up with ETIMEDOUT after this long on a full queue; default: wait indefinitely. */
  timeoutMs?: number;
}

export interface MqueueReceiveOptions {
  /** Give up with ETIMEDOUT after this long on an empty queue; default: wait indefinitely. */
  timeoutMs?: number;
}

export interface PosixMqueueHandle {
  readonly name: string;
  /** Sends, waiting (off the event loop) while the queue is full. */
  send(data: Uint8Array | string, options?: MqueueSendOptions): Promise<void>;
  /** Sends without waiting: EAGAIN if the queue is full. */
  sendSync(data: Uint8Array | string, options?: { priority?: number }): void;
  /** Receives the oldest message of the highest priority, waiting (off the event loop) while empty. */
  receive(options?: MqueueReceiveOptions): Promise<MqueueMessage>;
  /** Receives without waiting: EAGAIN if the queue is empty. */
  receiveSync(): MqueueMessage;
  getAttributes(): MqueueAttributes;
  /** Closes the descriptor (once calls still blocked in a thread have returned); idempotent. */
  close(): void;
}

/** The kernel's limits for a queue created with attr NULL (Linux >= 3.5); candidates for paths.ts. */

const { EAGAIN, ETIMEDOUT, EINVAL } = constants.errno;

/** A deadline in 1970: the kernel checks the queue first, then fails with ETIMEDOUT instead of sleeping. */
const EXPIRED = Buffer.alloc(TIMESPEC.size);

/** Opens (or creates) a queue; glibc requires the name to start with "/" (EINVAL otherwise). */
export function openMqueue(name: string, options: OpenMqueueOptions = {}): PosixMqueueHandle {
  assertCString(name, 'mq_open', { name });
  if (options.readOnly && options.writeOnly) throw new TypeError('readOnly and writeOnly exclude each other');
  let flags = options.readOnly ? O_RDONLY : options.writeOnly ? O_WRONLY : O_RDWR;
  if (options.create) flags |= O_CREAT;
  if (options.exclusive) flags |= O_EXCL;
  if (options.nonBlocking) flags |= O_NONBLOCK;
  const attr = options.create ? creationAttr(options) : undefined;
  const mqd = check(libc.mqOpen(name, flags, options.mode ?? 0o600, attr), 'mq_open', { name });
  try {
    // mq_msgsize is fixed for the queue's life, and a receive buffer smaller than it fails with EMSGSIZE.
    const { messageSize } = readAttributes(mqd, name);
    return new MqueueHandle(name, mqd, messageSize);
  } catch (error) {
    libc.mqClose(mqd);
    throw error;
  }
}

export function unlinkMqueue(name: string): void {
  assertCString(name, 'mq_unlink', { name });
  check(libc.mqUnlink(name), 'mq_unlink', { name });
}

/** Messages on a queue, as lsipc shows them; undefined when it cannot be opened for reading. */
export function getMqueueCurmsgs(name: string): number | undefined {
  if (name.includes('\0')) return undefined;
  const opened = libc.mqOpen(name, O_RDONLY | O_NONBLOCK, 0);
  if (opened.value === -1) return undefined;
  const attr = Buffer.alloc(MQ_ATTR.size);
  const result = libc.mqGetattr(opened.value, attr);
  libc.mqClose(opened.value);
  return result.value === -1 ? undefined : readLong(attr, MQ_ATTR.curmsgs);
}

class MqueueHandle implements PosixMqueueHandle {
  private readonly calls: BlockingCalls;

  constructor(
    readonly name: string,
    private readonly mqd: number,
    private readonly messageSize: number,
  ) {
    this.calls = new BlockingCalls(`message queue ${name}`, () => libc.mqClose(mqd));
  }

  async send(data: Uint8Array | string, options: MqueueSendOptions = {}): Promise<void> {
    assertTimeout(options.timeoutMs);
    const message = toBuffer(data);
    const priority = this.priorityOf(options.priority);
    let raw = libc.mqTimedsend(this.open(), message, priority, EXPIRED);
    if (wouldBlock(raw, options.timeoutMs)) {
      const deadline = deadlineOf(options.timeoutMs);
      raw = await this.calls.run(() => libc.mqTimedsendInThread(this.mqd, message, priority, deadline));
    }
    this.check(raw, 'mq_timedsend');
  }

  sendSync(data: Uint8Array | string, options: { priority?: number } = {}): void {
    const raw = libc.mqTimedsend(this.open(), toBuffer(data), this.priorityOf(options.priority), EXPIRED);
    this.check(asNonBlocking(raw), 'mq_timedsend');
  }

  async receive(options: MqueueReceiveOptions = {}): Promise<MqueueMessage> {
    assertTimeout(options.timeoutMs);
    const buffer = Buffer.alloc(this.messageSize);
    const priority = Buffer.alloc(4);
    let raw = libc.mqTimedreceive(this.open(), buffer, priority, EXPIRED);
    if (wouldBlock(raw, options.timeoutMs)) {
      const deadline = deadlineOf(options.timeoutMs);
      raw = await this.calls.run(() => libc.mqTimedreceiveInThread(this.mqd, buffer, priority, deadline));
    }
    return this.message(raw, buffer, priority);
  }

  receiveSync(): MqueueMessage {
    const buffer = Buffer.alloc(this.messageSize);
    const priority = Buffer.alloc(4);
    const raw = libc.mqTimedreceive(this.open(), buffer, priority, EXPIRED);
    return this.message(asNonBlocking(raw), buffer, priority);
  }

  getAttributes(): MqueueAttributes {
    return readAttributes(this.open(), this.name);
  }

  close(): void {
    const raw = this.calls.close();
    if (raw) this.check(raw, 'mq_close');
  }

  private open(): number {
    this.calls.assertOpen();
    return this.mqd;
  }

  private check(raw: Raw, syscall: string): number {
    return check(raw, syscall, { name: this.name });
  }

  /** The kernel rejects priorities >= MQ_PRIO_MAX with EINVAL; ffi-rs would wrap a negative unsigned int first. */
  private priorityOf(priority = 0): number {
    if (Number.isInteger(priority) && priority >= 0) return priority;
    throw new IpcError({ errno: EINVAL, syscall: 'mq_timedsend', object: { name: this.name } });
  }

  private message(raw: Raw, buffer: Buffer, priority: Buffer): MqueueMessage {
    const length = this.check(raw, 'mq_timedreceive');
    return { data: buffer.subarray(0, length), priority: priority.readUInt32LE(0) };
  }
}

/** The first, expired-deadline attempt found the queue full or empty, and the caller is willing to wait. */
function wouldBlock(raw: Raw, timeoutMs: number | undefined): boolean {
  return raw.value === -1 && raw.errnoCode === ETIMEDOUT && timeoutMs !== 0;
}

/** On a blocking descriptor the expired deadline yields ETIMEDOUT where O_NONBLOCK would give EAGAIN. */
function asNonBlocking(raw: Raw): Raw {
  if (raw.value !== -1 || raw.errnoCode !== ETIMEDOUT) return raw;
  return { value: -1, errnoCode: EAGAIN, errnoMessage: 'Resource temporarily unavailable' };
}

function deadlineOf(timeoutMs: number | undefined): Buffer | undefined {
  // deadlineAfter needs whole milliseconds (it builds the timespec with BigInt).
  return timeoutMs === undefined ? undefined : deadlineAfter(Math.ceil(timeoutMs));
}

/** mq_open needs both limits when attr is given; an unset one takes the kernel's default. */
function creationAttr(options: OpenMqueueOptions): Buffer | undefined {
  const { maxMessages, messageSize } = options;
  if (maxMessages === undefined && messageSize === undefined) return undefined;
  const attr = Buffer.alloc(MQ_ATTR.size);
  attr.writeBigInt64LE(BigInt(maxMessages ?? readDefault(PATH_PROC_MQUEUE_MSG_DEFAULT)), MQ_ATTR.maxmsg);
  attr.writeBigInt64LE(BigInt(messageSize ?? readDefault(PATH_PROC_MQUEUE_MSGSIZE_DEFAULT)), MQ_ATTR.msgsize);
  return attr;
}

function readDefault(path: string): number {
  return Number.parseInt(readFileSync(path, 'utf8'), 10);
}

function readAttributes(mqd: number, name: string): MqueueAttributes {
  const attr = Buffer.alloc(MQ_ATTR.size);
  check(libc.mqGetattr(mqd, attr), 'mq_getattr', { name });
  return {
    flags: readLong(attr, MQ_ATTR.flags),
    maxMessages: readLong(attr, MQ_ATTR.maxmsg),
    messageSize: readLong(attr, MQ_ATTR.msgsize),
    currentMessages: readLong(attr, MQ_ATTR.curmsgs),
  };
}

function readLong(buffer: Buffer, offset: number): number {
  return Number(buffer.readBigInt64LE(offset));
}

function toBuffer(data: Uint8Array | string): Buffer {
  if (typeof data === 'string') return Buffer.from(data);
  return Buffer.isBuffer(data) ? data : Buffer.from(data.buffer, data.byteOffset, data.byteLength);
}
