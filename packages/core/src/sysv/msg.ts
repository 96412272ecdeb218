/**
 * System V message queues: create, look up, stat, change and remove queues, send and receive.
 * Every msgsnd/msgrcv is made with IPC_NOWAIT; a send or receive that would block waits as
 * src/wait.ts describes (never in a threadpool thread), with a timeout and an AbortSignal.
 */
import { constants } from 'node:os';
import { IpcError } from '../errors.js';
import * as args from '../ffi/arguments.js';
import { check, errorFrom, removedWhileWaiting } from '../ffi/call.js';
import {
  IPC_CREAT,
  IPC_EXCL,
  IPC_NOWAIT,
  IPC_PRIVATE,
  IPC_RMID,
  IPC_SET,
  IPC_STAT,
  MSG_COPY,
  MSG_EXCEPT,
  MSG_NOERROR,
} from '../ffi/constants.js';
import { decodeMsqidDs, type IpcPermChanges, MSQID_DS, writeIpcPermChanges } from '../ffi/layout.js';
import * as libc from '../ffi/libc.js';
import type { MsgQueue } from '../types.js';
import { type WaitOptions, WOULD_BLOCK, waitFor, wakeWaiters } from '../wait.js';
import { SysvHandle } from './handle.js';
import { msgLimitsFromKernel } from './info.js';

const { EAGAIN, ENOMSG, E2BIG, EINTR, EINVAL } = constants.errno;

export interface CreateMsgQueueOptions {
  /** Default IPC_PRIVATE (0). */
  key?: number;
  /** Permission bits, default 0o600. */
  mode?: number;
  /** Fail with EEXIST when a queue with this key exists (IPC_EXCL). */
  exclusive?: boolean;
}

export interface MsgQueueChanges extends IpcPermChanges {
  /** Maximum bytes on the queue; raising it above msgmnb needs CAP_SYS_RESOURCE (else EPERM). */
  qbytes?: number;
}

export interface OutgoingMsg {
  /** mtype: a positive integer (0 or less is EINVAL). */
  type: number;
  /** The message text: a string (sent as UTF-8) or any ArrayBufferView (its bytes). At most msgmax bytes (else EINVAL). */
  data: ArrayBufferView | string;
}

export interface ReceivedMsg {
  type: number;
  data: Buffer;
}

export interface MsgSendOptions extends WaitOptions {
  /** Fail with EAGAIN instead of waiting when the queue is full (IPC_NOWAIT). */
  nowait?: boolean;
}

export interface MsgReceiveOptions extends WaitOptions {
  /** 0 (default): the first message; > 0: the first of that type; < 0: the first of the lowest type <= |type|. */
  type?: number;
  /** Largest text accepted (any size: the buffer is what a message can hold), default the kernel's msgmax; a longer message fails with E2BIG and stays queued. */
  maxSize?: number;
  /** With type > 0: the first message whose type is not `type` (MSG_EXCEPT). */
  except?: boolean;
  /** Truncate a longer message to maxSize instead of failing (MSG_NOERROR); the rest is lost. */
  noError?: boolean;
  /** Fail with ENOMSG instead of waiting when no message matches (IPC_NOWAIT). */
  nowait?: boolean;
}

/** What receiveMessageInto wrote: the message's type and its length in the caller's buffer. */
export interface ReceivedInto {
  type: number;
  length: number;
}

/** `long mtype` precedes the text in struct msgbuf. */
const MTYPE_SIZE = 8;

/**
 * The longest text a message can have: msgsnd refuses more than msgmax, a sysctl capped at
 * INT_MAX. A receive asking for more is the same receive with this size (and a buffer that fits).
 */
const MSG_TEXT_MAX = 0x7fffffff;

/** Creates a queue (or opens the existing one with that key) and returns its id. */
export function createMsgQueue(options: CreateMsgQueueOptions = {}): number {
  const key = args.ipcKey(options.key ?? IPC_PRIVATE);
  const exclusive = args.flag(options.exclusive, 'exclusive');
  const flags =
    IPC_CREAT | (exclusive ? IPC_EXCL : 0) | (args.mode(options.mode ?? 0o600, 'mode', 0o7777) & 0o777);
  return check(libc.msgget(key, flags), 'msgget', key === IPC_PRIVATE ? undefined : { key });
}

/** The id of the existing queue with this key; ENOENT when there is none. */
export function getMsgQueue(key: number): number {
  const checked = args.ipcKey(key);
  return check(libc.msgget(checked, 0), 'msgget', { key: checked });
}

export function statMsgQueue(id: number): MsgQueue {
  return decodeMsqidDs(readMsqidDs(args.ipcId(id)), id);
}

/** Changes owner, permission bits and qbytes (IPC_STAT, then IPC_SET of the patched record). */
export function setMsgQueue(id: number, changes: MsgQueueChanges): void {
  args.ipcId(id);
  args.permChanges(changes);
  const qbytes = changes.qbytes === undefined ? undefined : args.size(changes.qbytes, 'qbytes');
  const ds = readMsqidDs(id);
  writeIpcPermChanges(ds, changes);
  if (qbytes !== undefined) ds.writeBigUInt64LE(BigInt(qbytes), MSQID_DS.qbytes);
  check(libc.msgctl(id, IPC_SET, ds), 'msgctl', { id });
}

/** Removes the queue and its messages at once; waiting senders and receivers wake with EIDRM. */
export function removeMsgQueue(id: number): void {
  args.ipcId(id);
  // Removal is what bulk cleanup does most: the errno is fetched only for a failure.
  if (libc.removeIpcIdFast('msg', id) === 0) return;
  check(libc.msgctl(id, IPC_RMID), 'msgctl', { id });
}

/**
 * Sends a message. A full queue makes it wait (see src/wait.ts) until there is room, the queue
 * is removed (EIDRM), `timeout` runs out (IpcTimeoutError) or `signal` fires; with `nowait` it
 * fails at once with EAGAIN.
 */
export function sendMessage(id: number, message: OutgoingMsg, options: MsgSendOptions = {}): Promise<void> {
  try {
    args.ipcId(id);
    const msgp = encodeMessage(message, id);
    const nowait = args.flag(options.nowait, 'nowait');
    return waitFor((retry) => trySend(id, msgp, nowait, retry), options, {
      syscall: 'msgsnd',
      object: { id },
    });
  } catch (error) {
    return Promise.reject(error);
  }
}

/** Sends with IPC_NOWAIT: never waits, fails with EAGAIN when the queue is full. */
export function sendMessageSync(id: number, message: OutgoingMsg): void {
  args.ipcId(id);
  trySend(id, encodeMessage(message, id, true), true);
}

/**
 * Receives a message. When none matches it waits (see src/wait.ts) until one arrives, the queue is
 * removed (EIDRM), `timeout` runs out (IpcTimeoutError) or `signal` fires (nothing is taken off the
 * queue then); with `nowait` it fails at once with ENOMSG.
 */
export function receiveMessage(id: number, options: MsgReceiveOptions = {}): Promise<ReceivedMsg> {
  try {
    const request = receiveRequest(id, options);
    return waitFor((retry) => tryReceive(request, copyOut, retry), options, {
      syscall: 'msgrcv',
      object: { id },
    });
  } catch (error) {
    return Promise.reject(error);
  }
}

/** Receives with IPC_NOWAIT: never waits, fails with ENOMSG when no message matches. */
export function receiveMessageSync(id: number, options: Omit<MsgReceiveOptions, 'nowait'> = {}): ReceivedMsg {
  const request = receiveRequest(id, { ...options, nowait: true });
  return tryReceive(request, copyOut) as ReceivedMsg;
}

/**
 * A copy of the message at `index` (0 = the oldest) without taking it (MSG_COPY): ENOMSG when the
 * queue holds fewer messages, ENOSYS on kernels built without CONFIG_CHECKPOINT_RESTORE.
 */
export function peekMessage(id: number, index: number, options: { maxSize?: number } = {}): ReceivedMsg {
  args.ipcId(id);
  if (!Number.isSafeInteger(index) || index < 0) throw new RangeError(`index must be >= 0 (got ${index})`);
  const size =
    options.maxSize === undefined ? kernelMsgmax(false) : textSize(args.size(options.maxSize, 'maxSize'));
  const { address } = scratchFor(size);
  const raw = libc.msgrcvAt(id, address, size, index, MSG_COPY | IPC_NOWAIT);
  return copyOut(check(raw, 'msgrcv', { id }));
}

/**
 * Receives into the caller's buffer (no allocation per message): at most `buffer.byteLength`
 * bytes of text (a longer message fails with E2BIG unless `noError`). Waits as receiveMessage.
 */
export function receiveMessageInto(
  id: number,
  buffer: ArrayBufferView,
  options: Omit<MsgReceiveOptions, 'maxSize'> = {},
): Promise<ReceivedInto> {
  try {
    const into = args.target(buffer);
    const request = receiveRequest(id, { ...options, maxSize: into.length });
    const finish = (length: number) => copyInto(into, length);
    return waitFor((retry) => tryReceive(request, finish, retry), options, {
      syscall: 'msgrcv',
      object: { id },
    });
  } catch (error) {
    return Promise.reject(error);
  }
}

/** receiveMessageInto with IPC_NOWAIT. */
export function receiveMessageIntoSync(
  id: number,
  buffer: ArrayBufferView,
  options: Omit<MsgReceiveOptions, 'maxSize' | 'nowait'> = {},
): ReceivedInto {
  const into = args.target(buffer);
  const request = receiveRequest(id, { ...options, maxSize: into.length, nowait: true });
  return tryReceive(request, (length) => copyInto(into, length)) as ReceivedInto;
}

/**
 * A System V message queue as an object (Python sysv_ipc's MessageQueue). The handle holds no
 * kernel resource: close() and Symbol.dispose only make later use throw ClosedHandleError;
 * remove() deletes the queue.
 */
export class SysvMessageQueue extends SysvHandle {
  /** Creates a queue (or opens the one with that key). */
  static create(options: CreateMsgQueueOptions = {}): SysvMessageQueue {
    return new SysvMessageQueue(createMsgQueue(options));
  }

  /** The existing queue with this key. */
  static open(key: number): SysvMessageQueue {
    return new SysvMessageQueue(getMsgQueue(key));
  }

  constructor(id: number) {
    super(id, 'message queue');
  }

  send(message: OutgoingMsg, options?: MsgSendOptions): Promise<void> {
    return sendMessage(this.open(), message, options);
  }

  sendSync(message: OutgoingMsg): void {
    sendMessageSync(this.open(), message);
  }

  receive(options?: MsgReceiveOptions): Promise<ReceivedMsg> {
    return receiveMessage(this.open(), options);
  }

  receiveSync(options?: Omit<MsgReceiveOptions, 'nowait'>): ReceivedMsg {
    return receiveMessageSync(this.open(), options);
  }

  receiveInto(buffer: ArrayBufferView, options?: Omit<MsgReceiveOptions, 'maxSize'>): Promise<ReceivedInto> {
    return receiveMessageInto(this.open(), buffer, options);
  }

  stat(): MsgQueue {
    return statMsgQueue(this.open());
  }

  set(changes: MsgQueueChanges): void {
    setMsgQueue(this.open(), changes);
  }

  /** IPC_RMID, then closes the handle. */
  remove(): void {
    this.removeWith(removeMsgQueue);
  }
}

interface ReceiveRequest {
  id: number;
  type: number;
  flags: number;
  /** The text size asked for; undefined: the kernel's msgmax. */
  maxSize: number | undefined;
}

function receiveRequest(id: number, options: MsgReceiveOptions): ReceiveRequest {
  args.ipcId(id);
  const type = args.long(options.type ?? 0, 'type');
  const maxSize = options.maxSize === undefined ? undefined : textSize(args.size(options.maxSize, 'maxSize'));
  const flags =
    (args.flag(options.except, 'except') ? MSG_EXCEPT : 0) |
    (args.flag(options.noError, 'noError') ? MSG_NOERROR : 0) |
    IPC_NOWAIT;
  // `nowait` decides whether waitFor may wait: encoded as WOULD_BLOCK never being returned.
  return { id, type, flags: args.flag(options.nowait, 'nowait') ? flags | NOWAIT_REQUESTED : flags, maxSize };
}

/** A receive's size, at most the longest message there can be. */
function textSize(maxSize: number): number {
  return Math.min(maxSize, MSG_TEXT_MAX);
}

/** Not a kernel flag: marks a request whose ENOMSG is the answer rather than a reason to wait. */
const NOWAIT_REQUESTED = 0x40000000;

/**
 * One process-wide message buffer (mtype + text) in C memory, reused by every send and receive:
 * calls are synchronous, and a message is copied in or out within the attempt. Receives size it
 * to msgmax, learned once (msgctl IPC_INFO) and again only when a message turns out longer.
 */
let scratch: libc.NativeBuffer | undefined;
let msgmax: number | undefined;
/** The kernel's default msgmax (MSGMAX): a text this long is left for msgsnd to judge. */
const MSGMAX_DEFAULT = 8192;

function scratchFor(size: number): libc.NativeBuffer {
  if (scratch === undefined || scratch.view.length < MTYPE_SIZE + size) {
    const old = scratch;
    scratch = libc.nativeBuffer(MTYPE_SIZE + Math.max(size, 8192));
    if (old !== undefined) libc.freeNativeBuffer(old);
  }
  return scratch;
}

function kernelMsgmax(refresh: boolean): number {
  if (msgmax === undefined || refresh) msgmax = Number(msgLimitsFromKernel().msgmax);
  return msgmax;
}

/**
 * One msgrcv with IPC_NOWAIT: what `finish` makes of the text's length in the scratch buffer
 * (called at once, before another receive reuses it), or WOULD_BLOCK.
 */
function tryReceive<T>(
  request: ReceiveRequest,
  finish: (length: number) => T,
  retry = false,
): T | typeof WOULD_BLOCK {
  const flags = request.flags & ~NOWAIT_REQUESTED;
  for (let refreshed = false; ; ) {
    const size = request.maxSize ?? kernelMsgmax(refreshed);
    const { address } = scratchFor(size);
    const raw = libc.msgrcvAt(request.id, address, size, request.type, flags);
    if (raw.value !== -1) {
      // Room on the queue: a sender of this process may be waiting for it.
      wakeWaiters();
      return finish(raw.value);
    }
    const errno = raw.errnoCode;
    if (errno === EINTR) continue;
    if (errno === ENOMSG && (request.flags & NOWAIT_REQUESTED) === 0) return WOULD_BLOCK;
    // A message longer than the msgmax we knew: msgmax was raised since; learn it once more.
    if (errno === E2BIG && request.maxSize === undefined && !refreshed) {
      refreshed = true;
      continue;
    }
    throw errorFrom(removedWhileWaiting(raw, retry), 'msgrcv', { id: request.id });
  }
}

function trySend(id: number, msgp: Buffer, nowait: boolean, retry = false): undefined | typeof WOULD_BLOCK {
  const buffer = scratchFor(msgp.length - MTYPE_SIZE);
  if (msgp.buffer !== buffer.view.buffer) msgp.copy(buffer.view);
  for (;;) {
    const raw = libc.msgsndAt(id, buffer.address, msgp.length - MTYPE_SIZE, IPC_NOWAIT);
    if (raw.value !== -1) {
      wakeWaiters();
      return;
    }
    if (raw.errnoCode === EINTR) continue;
    if (raw.errnoCode === EAGAIN && !nowait) return WOULD_BLOCK;
    throw errorFrom(removedWhileWaiting(raw, retry), 'msgsnd', { id });
  }
}

function copyOut(length: number): ReceivedMsg {
  const msgp = (scratch as libc.NativeBuffer).view;
  return {
    type: Number(msgp.readBigInt64LE(0)),
    data: Buffer.from(msgp.subarray(MTYPE_SIZE, MTYPE_SIZE + length)),
  };
}

function copyInto(into: Buffer, length: number): ReceivedInto {
  const msgp = (scratch as libc.NativeBuffer).view;
  msgp.copy(into, 0, MTYPE_SIZE, MTYPE_SIZE + length);
  return { type: Number(msgp.readBigInt64LE(0)), length };
}

/** struct msgbuf for `message`: straight into the C scratch buffer when `inScratch`, else a new Buffer. */
function encodeMessage(message: OutgoingMsg, id: number, inScratch = false): Buffer {
  if (typeof message !== 'object' || message === null) {
    throw new TypeError(
      `message must be an object { type, data } (got ${message === null ? 'null' : typeof message})`,
    );
  }
  const type = args.long(message.type, 'message.type');
  const data = args.bytes(message.data, 'message.data');
  assertWithinMsgmax(data.length, id);
  const msgp = inScratch
    ? scratchFor(data.length).view.subarray(0, MTYPE_SIZE + data.length)
    : Buffer.allocUnsafe(MTYPE_SIZE + data.length);
  msgp.writeBigInt64LE(BigInt(type), 0);
  data.copy(msgp, MTYPE_SIZE);
  return msgp;
}

/**
 * msgsnd refuses a text longer than msgmax with EINVAL: refused here before it is copied into
 * the scratch buffer, which would keep that size for the process's life. msgmax is read again
 * first (it may have been raised since); a text within the msgmax known costs nothing.
 */
function assertWithinMsgmax(length: number, id: number): void {
  if (length <= (msgmax ?? MSGMAX_DEFAULT) || length <= kernelMsgmax(true)) return;
  throw new IpcError({
    errno: EINVAL,
    syscall: 'msgsnd',
    object: { id },
    message: `Invalid argument: ${length} bytes exceed msgmax (${msgmax})`,
  });
}

function readMsqidDs(id: number): Buffer {
  const ds = Buffer.alloc(MSQID_DS.size);
  check(libc.msgctl(id, IPC_STAT, ds), 'msgctl', { id });
  return ds;
}
