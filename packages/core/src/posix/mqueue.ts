/**
 * POSIX message queues (mq_overview(7)) over glibc's mq_* calls. Every send and receive is made
 * with an expired deadline, so it never blocks; one that would have blocked waits as src/wait.ts
 * says (never in a threadpool thread), with a timeout and an AbortSignal, and is retried when the
 * mqd polls ready (./readiness.ts) rather than by timer.
 */
import { fstatSync, readFileSync } from 'node:fs';
import { constants } from 'node:os';
import { ClosedHandleError, IpcError } from '../errors.js';
import * as args from '../ffi/arguments.js';
import { assertCString, check, errorFrom } from '../ffi/call.js';
import { O_CREAT, O_EXCL, O_NONBLOCK, O_RDONLY, O_RDWR, O_WRONLY } from '../ffi/constants.js';
import { MQ_ATTR, TIMESPEC } from '../ffi/layout.js';
import type { Raw } from '../ffi/libc.js';
import * as libc from '../ffi/libc.js';
import { PATH_PROC_MQUEUE_MSG_DEFAULT, PATH_PROC_MQUEUE_MSGSIZE_DEFAULT } from '../paths.js';
import { type WaitOptions, WOULD_BLOCK, waitFor, wakeWaiters } from '../wait.js';
import { armReadiness, POLLIN, POLLOUT } from './readiness.js';

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

export interface MqueueSendOptions extends WaitOptions {
  /** 0 (default) to 32767 (MQ_PRIO_MAX - 1); higher priorities are received first. */
  priority?: number;
}

export type MqueueReceiveOptions = WaitOptions;

/** What receiveInto wrote: the message's length in the caller's buffer, and its priority. */
export interface MqueueReceivedInto {
  length: number;
  priority: number;
}

export interface PosixMqueueHandle extends Disposable, AsyncDisposable, AsyncIterable<MqueueMessage> {
  readonly name: string;
  /** The descriptor (pollable on Linux); -1 once closed. */
  readonly fd: number;
  /** Sends, waiting (see src/wait.ts) while the queue is full. */
  send(data: ArrayBufferView | string, options?: MqueueSendOptions): Promise<void>;
  /** Sends without waiting: EAGAIN if the queue is full. */
  sendSync(data: ArrayBufferView | string, options?: { priority?: number }): void;
  /** Receives the oldest message of the highest priority, waiting (see src/wait.ts) while empty. */
  receive(options?: MqueueReceiveOptions): Promise<MqueueMessage>;
  /** Receives without waiting: EAGAIN if the queue is empty. */
  receiveSync(): MqueueMessage;
  /** Receives into the caller's buffer (at least mq_msgsize bytes, else EMSGSIZE), without allocating. */
  receiveInto(buffer: ArrayBufferView, options?: MqueueReceiveOptions): Promise<MqueueReceivedInto>;
  /**
   * Every message as it arrives, until the iteration stops (break), `signal` fires (the iterator
   * ends), or the queue fails (the error is thrown into the loop).
   */
  messages(options?: { signal?: AbortSignal }): AsyncIterableIterator<MqueueMessage>;
  getAttributes(): MqueueAttributes;
  /** mq_setattr: only O_NONBLOCK can change; returns the attributes as they were. */
  setNonBlocking(nonBlocking: boolean): MqueueAttributes;
  /** Closes the descriptor; pending waits on it fail with ClosedHandleError. Idempotent. */
  close(): void;
}

/** The kernel's limits for a queue created with attr NULL (Linux >= 3.5); candidates for paths.ts. */

const { EAGAIN, EMSGSIZE, ETIMEDOUT, EINTR } = constants.errno;

/**
 * C memory shared by every queue's calls (see libc.nativeBuffer): the message, and a small block
 * holding a deadline in 1970 (the kernel checks the queue first, then fails with ETIMEDOUT
 * instead of sleeping) followed by the received priority.
 */
let messages: libc.NativeBuffer | undefined;
let control: libc.NativeBuffer | undefined;
const PRIORITY_OFFSET = TIMESPEC.size;

function messageBuffer(size: number): libc.NativeBuffer {
  if (messages === undefined || messages.view.length < size) {
    const old = messages;
    messages = libc.nativeBuffer(Math.max(size, 8192));
    if (old !== undefined) libc.freeNativeBuffer(old);
  }
  return messages;
}

function controlBlock(): libc.NativeBuffer {
  if (control === undefined) control = libc.nativeBuffer(TIMESPEC.size + 4);
  return control;
}

/** Opens (or creates) a queue; glibc requires the name to start with "/" (EINVAL otherwise). */
export function openMqueue(name: string, options: OpenMqueueOptions = {}): PosixMqueueHandle {
  args.text(name, 'name');
  assertCString(name, 'mq_open', { name });
  const readOnly = args.flag(options.readOnly, 'readOnly');
  const writeOnly = args.flag(options.writeOnly, 'writeOnly');
  if (readOnly && writeOnly) throw new TypeError('readOnly and writeOnly exclude each other');
  let flags = readOnly ? O_RDONLY : writeOnly ? O_WRONLY : O_RDWR;
  if (args.flag(options.create, 'create')) flags |= O_CREAT;
  if (args.flag(options.exclusive, 'exclusive')) flags |= O_EXCL;
  if (args.flag(options.nonBlocking, 'nonBlocking')) flags |= O_NONBLOCK;
  const mode = args.mode(options.mode ?? 0o600, 'mode', 0o7777);
  const attr = options.create ? creationAttr(options) : undefined;
  const mqd = check(libc.mqOpen(name, flags, mode, attr), 'mq_open', { name });
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
  args.text(name, 'name');
  assertCString(name, 'mq_unlink', { name });
  check(libc.mqUnlink(name), 'mq_unlink', { name });
}

/**
 * The device and inode of the queue `mq_open(name)` and `mq_unlink(name)` reach: the mqueue
 * filesystem of this process's IPC namespace, which /dev/mqueue need not be (a mount made for
 * another namespace: `unshare --ipc` or `nsenter --ipc` without a new mount). 'absent' when this
 * namespace has no queue of that name; an IpcError when it cannot be opened to tell.
 */
export function mqueueIdentity(name: string): { dev: bigint; ino: bigint } | 'absent' | IpcError {
  assertCString(name, 'mq_open', { name });
  // Opening needs read or write permission, whichever the queue grants; it sends and takes nothing.
  let opened = libc.mqOpen(name, O_RDONLY | O_NONBLOCK, 0);
  if (opened.value === -1 && opened.errnoCode === constants.errno.EACCES)
    opened = libc.mqOpen(name, O_WRONLY | O_NONBLOCK, 0);
  if (opened.value === -1) {
    return opened.errnoCode === constants.errno.ENOENT ? 'absent' : errorFrom(opened, 'mq_open', { name });
  }
  try {
    const stats = fstatSync(opened.value, { bigint: true });
    return { dev: stats.dev, ino: stats.ino };
  } finally {
    libc.mqClose(opened.value);
  }
}

/** Messages on a queue, as lsipc shows them; undefined when it cannot be opened for reading. */
export function getMqueueCurmsgs(name: string): number | undefined {
  args.text(name, 'name');
  if (name.includes('\0')) return undefined;
  const opened = libc.mqOpen(name, O_RDONLY | O_NONBLOCK, 0);
  if (opened.value === -1) return undefined;
  const attr = Buffer.alloc(MQ_ATTR.size);
  const result = libc.mqGetattr(opened.value, attr);
  libc.mqClose(opened.value);
  return result.value === -1 ? undefined : readLong(attr, MQ_ATTR.curmsgs);
}

class MqueueHandle implements PosixMqueueHandle {
  #mqd: number;
  /** Whether the descriptor has O_NONBLOCK: then a full or empty queue is EAGAIN, never a wait. */
  #nonBlocking: boolean;

  constructor(
    readonly name: string,
    mqd: number,
    private readonly messageSize: number,
  ) {
    this.#mqd = mqd;
    this.#nonBlocking = (readAttributes(mqd, name).flags & O_NONBLOCK) !== 0;
  }

  get fd(): number {
    return this.#mqd;
  }

  send(data: ArrayBufferView | string, options: MqueueSendOptions = {}): Promise<void> {
    try {
      const message = args.bytes(data);
      const priority = priorityOf(options.priority);
      return waitFor(
        () => this.#trySend(message, priority, !this.#nonBlocking),
        options,
        { syscall: 'mq_timedsend', object: { name: this.name } },
        (onReady) => armReadiness(this.#mqd, POLLOUT, onReady),
      );
    } catch (error) {
      return Promise.reject(error);
    }
  }

  sendSync(data: ArrayBufferView | string, options: { priority?: number } = {}): void {
    this.#trySend(args.bytes(data), priorityOf(options.priority), false);
  }

  receive(options: MqueueReceiveOptions = {}): Promise<MqueueMessage> {
    return this.#receive(options, this.messageSize, copyMessage);
  }

  receiveSync(): MqueueMessage {
    return this.#tryReceive(this.messageSize, false, copyMessage) as MqueueMessage;
  }

  receiveInto(buffer: ArrayBufferView, options: MqueueReceiveOptions = {}): Promise<MqueueReceivedInto> {
    try {
      const into = args.target(buffer);
      // No message is longer than mq_msgsize: a larger buffer is that receive, in a buffer that fits.
      return this.#receive(options, Math.min(into.length, this.messageSize), (length, priority) => {
        (messages as libc.NativeBuffer).view.copy(into, 0, 0, length);
        return { length, priority };
      });
    } catch (error) {
      return Promise.reject(error);
    }
  }

  async *messages(options: { signal?: AbortSignal } = {}): AsyncIterableIterator<MqueueMessage> {
    const { signal } = options;
    while (!signal?.aborted) {
      try {
        yield await this.receive(signal ? { signal } : {});
      } catch (error) {
        if (signal?.aborted && error === signal.reason) return;
        throw error;
      }
    }
  }

  [Symbol.asyncIterator](): AsyncIterableIterator<MqueueMessage> {
    return this.messages();
  }

  getAttributes(): MqueueAttributes {
    return readAttributes(this.#open(), this.name);
  }

  setNonBlocking(nonBlocking: boolean): MqueueAttributes {
    const attr = Buffer.alloc(MQ_ATTR.size);
    attr.writeBigInt64LE(args.flag(nonBlocking, 'nonBlocking') ? BigInt(O_NONBLOCK) : 0n, MQ_ATTR.flags);
    const old = Buffer.alloc(MQ_ATTR.size);
    check(libc.mqSetattr(this.#open(), attr, old), 'mq_setattr', { name: this.name });
    this.#nonBlocking = nonBlocking;
    return attributesOf(old);
  }

  close(): void {
    if (this.#mqd === -1) return;
    const mqd = this.#mqd;
    this.#mqd = -1;
    // Its pending waits are retried now and fail with ClosedHandleError (poll(2) would not see the close).
    wakeWaiters();
    check(libc.mqClose(mqd), 'mq_close', { name: this.name });
  }

  [Symbol.dispose](): void {
    this.close();
  }

  /** The same as Symbol.dispose, for `await using`. */
  async [Symbol.asyncDispose](): Promise<void> {
    this[Symbol.dispose]();
  }

  #open(): number {
    if (this.#mqd === -1) throw new ClosedHandleError(`message queue ${this.name} is closed`);
    return this.#mqd;
  }

  #receive<T>(
    options: MqueueReceiveOptions,
    size: number,
    finish: (length: number, priority: number) => T,
  ): Promise<T> {
    try {
      return waitFor(
        () => this.#tryReceive(size, !this.#nonBlocking, finish),
        options,
        { syscall: 'mq_timedreceive', object: { name: this.name } },
        (onReady) => armReadiness(this.#mqd, POLLIN, onReady),
      );
    } catch (error) {
      return Promise.reject(error);
    }
  }

  /** One mq_timedsend with an expired deadline (it never sleeps): undefined, or WOULD_BLOCK when full. */
  #trySend(message: Buffer, priority: number, mayWait: boolean): undefined | typeof WOULD_BLOCK {
    // mq_timedsend's EMSGSIZE, before the shared buffer grows to the message (for the process's life).
    if (message.length > this.messageSize) {
      this.#open(); // a closed handle says so first, as the call would
      throw new IpcError({
        errno: EMSGSIZE,
        syscall: 'mq_timedsend',
        object: { name: this.name },
        message: `Message too long: ${message.length} bytes exceed mq_msgsize (${this.messageSize})`,
      });
    }
    const buffer = messageBuffer(message.length);
    message.copy(buffer.view);
    const deadline = controlBlock().address;
    for (;;) {
      const raw = libc.mqTimedsendAt(this.#open(), buffer.address, message.length, priority, deadline);
      if (raw.value !== -1) {
        wakeWaiters();
        return;
      }
      if (raw.errnoCode === EINTR) continue;
      if (raw.errnoCode === ETIMEDOUT && mayWait) return WOULD_BLOCK;
      throw errorFrom(asNonBlocking(raw), 'mq_timedsend', { name: this.name });
    }
  }

  /**
   * One mq_timedreceive (of at most `size` bytes) with an expired deadline: what `finish` makes
   * of the message, in the shared message buffer until the next call, or WOULD_BLOCK when empty.
   */
  #tryReceive<T>(
    size: number,
    mayWait: boolean,
    finish: (length: number, priority: number) => T,
  ): T | typeof WOULD_BLOCK {
    const buffer = messageBuffer(size);
    const block = controlBlock();
    for (;;) {
      const raw = libc.mqTimedreceiveAt(
        this.#open(),
        buffer.address,
        size,
        block.address + PRIORITY_OFFSET,
        block.address,
      );
      if (raw.value !== -1) {
        wakeWaiters();
        return finish(raw.value, block.view.readUInt32LE(PRIORITY_OFFSET));
      }
      if (raw.errnoCode === EINTR) continue;
      if (raw.errnoCode === ETIMEDOUT && mayWait) return WOULD_BLOCK;
      throw errorFrom(asNonBlocking(raw), 'mq_timedreceive', { name: this.name });
    }
  }
}

function copyMessage(length: number, priority: number): MqueueMessage {
  return { data: Buffer.from((messages as libc.NativeBuffer).view.subarray(0, length)), priority };
}

/** mq_timedsend's unsigned int; the kernel refuses >= MQ_PRIO_MAX (32768) with EINVAL. */
function priorityOf(priority = 0): number {
  return args.uint32(priority, 'priority');
}

/** On a blocking descriptor the expired deadline yields ETIMEDOUT where O_NONBLOCK would give EAGAIN. */
function asNonBlocking(raw: Raw): Raw {
  if (raw.value !== -1 || raw.errnoCode !== ETIMEDOUT) return raw;
  return { value: -1, errnoCode: EAGAIN, errnoMessage: 'Resource temporarily unavailable' };
}

/** mq_open needs both limits when attr is given; an unset one takes the kernel's default. */
function creationAttr(options: OpenMqueueOptions): Buffer | undefined {
  const maxMessages =
    options.maxMessages === undefined ? undefined : args.size(options.maxMessages, 'maxMessages');
  const messageSize =
    options.messageSize === undefined ? undefined : args.size(options.messageSize, 'messageSize');
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
  return attributesOf(attr);
}

function attributesOf(attr: Buffer): MqueueAttributes {
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
