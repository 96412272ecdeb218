/**
 * System V message queues: create, look up, stat, change and remove queues, send and receive.
 * A send or receive that may wait runs on the libuv threadpool so the event loop keeps going;
 * the *Sync variants pass IPC_NOWAIT and never wait.
 */
import { check } from '../ffi/call.js';
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
import { msgLimitsFromKernel } from './info.js';

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
  /** The message text; a string is sent as UTF-8. At most msgmax bytes (else EINVAL). */
  data: Buffer | string;
}

export interface ReceivedMsg {
  type: number;
  data: Buffer;
}

export interface MsgSendOptions {
  /** Fail with EAGAIN instead of waiting when the queue is full (IPC_NOWAIT). */
  nowait?: boolean;
}

export interface MsgReceiveOptions {
  /** 0 (default): the first message; > 0: the first of that type; < 0: the first of the lowest type <= |type|. */
  type?: number;
  /** Largest text accepted, default the kernel's msgmax; a longer message fails with E2BIG and stays queued. */
  maxSize?: number;
  /** With type > 0: the first message whose type is not `type` (MSG_EXCEPT). */
  except?: boolean;
  /** Truncate a longer message to maxSize instead of failing (MSG_NOERROR); the rest is lost. */
  noError?: boolean;
  /** Fail with ENOMSG instead of waiting when no message matches (IPC_NOWAIT). */
  nowait?: boolean;
}

/** `long mtype` precedes the text in struct msgbuf. */
const MTYPE_SIZE = 8;

/** Creates a queue (or opens the existing one with that key) and returns its id. */
export function createMsgQueue(options: CreateMsgQueueOptions = {}): number {
  const key = options.key ?? IPC_PRIVATE;
  const flags = IPC_CREAT | (options.exclusive ? IPC_EXCL : 0) | ((options.mode ?? 0o600) & 0o777);
  return check(libc.msgget(key, flags), 'msgget', key === IPC_PRIVATE ? undefined : { key });
}

/** The id of the existing queue with this key; ENOENT when there is none. */
export function getMsgQueue(key: number): number {
  return check(libc.msgget(key, 0), 'msgget', { key });
}

export function statMsgQueue(id: number): MsgQueue {
  return decodeMsqidDs(readMsqidDs(id), id);
}

/** Changes owner, permission bits and qbytes (IPC_STAT, then IPC_SET of the patched record). */
export function setMsgQueue(id: number, changes: MsgQueueChanges): void {
  const ds = readMsqidDs(id);
  writeIpcPermChanges(ds, changes);
  if (changes.qbytes !== undefined) ds.writeBigUInt64LE(BigInt(changes.qbytes), MSQID_DS.qbytes);
  check(libc.msgctl(id, IPC_SET, ds), 'msgctl', { id });
}

/** Removes the queue and its messages at once; waiting senders and receivers wake with EIDRM. */
export function removeMsgQueue(id: number): void {
  // Removal is what bulk cleanup does most: the errno is fetched only for a failure.
  if (libc.removeIpcIdFast('msg', id) === 0) return;
  check(libc.msgctl(id, IPC_RMID), 'msgctl', { id });
}

/**
 * Sends a message. Without `nowait` a full queue makes it wait on a libuv threadpool thread
 * (4 by default, shared with fs and dns) until there is room or the queue is removed (EIDRM).
 */
export async function sendMessage(
  id: number,
  message: OutgoingMsg,
  options: MsgSendOptions = {},
): Promise<void> {
  if (options.nowait) return sendMessageSync(id, message);
  const msgp = encodeMessage(message);
  const raw = await libc.msgsndInThread(id, msgp, msgp.length - MTYPE_SIZE, 0);
  check(raw, 'msgsnd', { id });
}

/** Sends with IPC_NOWAIT: never waits, fails with EAGAIN when the queue is full. */
export function sendMessageSync(id: number, message: OutgoingMsg): void {
  const msgp = encodeMessage(message);
  check(libc.msgsnd(id, msgp, msgp.length - MTYPE_SIZE, IPC_NOWAIT), 'msgsnd', { id });
}

/**
 * Receives a message. Without `nowait` it waits on a libuv threadpool thread until a matching
 * message arrives or the queue is removed (EIDRM); msgrcv has no timeout and a signal cannot
 * cut it short, so a receive nobody answers holds its thread until the process exits. Linux
 * records the receiving thread's id as the queue's lrpid, so after a threaded receive lrpid
 * names a threadpool thread of this process, not its pid.
 */
export async function receiveMessage(id: number, options: MsgReceiveOptions = {}): Promise<ReceivedMsg> {
  if (options.nowait) return receiveMessageSync(id, options);
  const msgp = Buffer.alloc(MTYPE_SIZE + maxSizeOf(options));
  const size = msgp.length - MTYPE_SIZE;
  const raw = await libc.msgrcvInThread(id, msgp, size, options.type ?? 0, flagsOf(options));
  return decodeMessage(msgp, check(raw, 'msgrcv', { id }));
}

/** Receives with IPC_NOWAIT: never waits, fails with ENOMSG when no message matches. */
export function receiveMessageSync(id: number, options: Omit<MsgReceiveOptions, 'nowait'> = {}): ReceivedMsg {
  const msgp = Buffer.alloc(MTYPE_SIZE + maxSizeOf(options));
  const flags = flagsOf(options) | IPC_NOWAIT;
  const raw = libc.msgrcv(id, msgp, msgp.length - MTYPE_SIZE, options.type ?? 0, flags);
  return decodeMessage(msgp, check(raw, 'msgrcv', { id }));
}

/**
 * A copy of the message at `index` (0 = the oldest) without taking it (MSG_COPY): ENOMSG when the
 * queue holds fewer messages, ENOSYS on kernels built without CONFIG_CHECKPOINT_RESTORE.
 */
export function peekMessage(id: number, index: number, options: { maxSize?: number } = {}): ReceivedMsg {
  if (!Number.isSafeInteger(index) || index < 0) throw new RangeError(`index must be >= 0 (got ${index})`);
  const msgp = Buffer.alloc(MTYPE_SIZE + maxSizeOf(options));
  const raw = libc.msgrcv(id, msgp, msgp.length - MTYPE_SIZE, index, MSG_COPY | IPC_NOWAIT);
  return decodeMessage(msgp, check(raw, 'msgrcv', { id }));
}

function encodeMessage(message: OutgoingMsg): Buffer {
  const data = typeof message.data === 'string' ? Buffer.from(message.data) : message.data;
  const msgp = Buffer.alloc(MTYPE_SIZE + data.length);
  msgp.writeBigInt64LE(BigInt(message.type), 0);
  data.copy(msgp, MTYPE_SIZE);
  return msgp;
}

function decodeMessage(msgp: Buffer, length: number): ReceivedMsg {
  return {
    type: Number(msgp.readBigInt64LE(0)),
    data: Buffer.from(msgp.subarray(MTYPE_SIZE, MTYPE_SIZE + length)),
  };
}

function maxSizeOf(options: MsgReceiveOptions): number {
  const size = options.maxSize ?? Number(msgLimitsFromKernel().msgmax);
  if (!Number.isSafeInteger(size) || size < 0) throw new RangeError(`maxSize must be >= 0 (got ${size})`);
  return size;
}

function flagsOf(options: MsgReceiveOptions): number {
  return (options.except ? MSG_EXCEPT : 0) | (options.noError ? MSG_NOERROR : 0);
}

function readMsqidDs(id: number): Buffer {
  const ds = Buffer.alloc(MSQID_DS.size);
  check(libc.msgctl(id, IPC_STAT, ds), 'msgctl', { id });
  return ds;
}
