/**
 * Every call ipcctl makes into @ipcutils/core. A wait is the core's own: it never blocks the
 * process, takes the deadline (`timeoutMs`, an IpcTimeoutError with code ETIMEDOUT when it runs
 * out) and the AbortSignal the command's interrupt trap aborts, and an aborted wait has taken
 * nothing; here that abort becomes Interrupted. An operation that completed before the signal was
 * seen stays done: it is never undone.
 */
import { readlinkSync } from 'node:fs';
import { constants } from 'node:os';
import {
  attachShm,
  type FileIdentity,
  getAllSemValues,
  getMsgLimits,
  getMsgQueue,
  getSemElements,
  getSemSet,
  getSemValue,
  getShm,
  groupId,
  IpcError,
  type IpcObject,
  type ListingProblem,
  listChildPids,
  listIpcObjects,
  listMsgQueues,
  listSemSets,
  listShmSegments,
  type MqueueAttributes,
  type MqueueMessage,
  mqueueIdentity,
  openMqueue,
  openPosixSem,
  openPosixShm,
  PATH_DEV_MQUEUE,
  PATH_DEV_SHM,
  PATH_PROC,
  peekMessage,
  type ReceivedMsg,
  receiveMessage,
  receiveMessageSync,
  scanHolders,
  semop,
  sendMessage,
  setAllSemValues,
  setMsgQueue,
  setSemSet,
  setSemValue,
  setShm,
  statMsgQueue,
  statPosixFile,
  statSemSet,
  statShm,
  userId,
} from '@ipcutils/core';
import { Interrupted } from './result.js';

export type { FileIdentity, IpcObject, ListingProblem, MqueueAttributes, MqueueMessage, ReceivedMsg };
export { IpcError };
export type SysvKind = 'shm' | 'msg' | 'sem';

const { ENOMSG } = constants.errno;

export interface WaitOptions {
  /** One attempt; fail with the kernel's EAGAIN / ENOMSG instead of waiting. */
  nowait?: boolean;
  /** Give up with ETIMEDOUT (core's IpcTimeoutError) after this many milliseconds. */
  timeoutMs?: number;
  /** Aborted by a signal (its name as the reason): the wait ends with Interrupted, nothing taken. */
  signal?: AbortSignal;
}

// ---- System V: look-ups and attributes

/** The id of the object with this key (msgget/semget/shmget without IPC_CREAT). */
export function idOfKey(kind: SysvKind, key: number): number {
  if (kind === 'shm') return getShm(key);
  if (kind === 'msg') return getMsgQueue(key);
  return getSemSet(key);
}

/** IPC_SET of owner, group or permission bits. */
export function setPermissions(
  kind: SysvKind,
  id: number,
  changes: { uid?: number; gid?: number; mode?: number },
): void {
  if (kind === 'shm') setShm(id, changes);
  else if (kind === 'msg') setMsgQueue(id, changes);
  else setSemSet(id, changes);
}

/** A user name or number as the name service knows it. */
export function lookupUser(name: string): number | undefined {
  return userId(name);
}

/** A group name as the name service knows it, resolved as user names are (/etc/group or getgrnam). */
export function lookupGroup(name: string): number | undefined {
  return groupId(name);
}

// ---- System V message queues

/** msgmax: the largest message msgsnd accepts. */
export function msgmax(): number {
  return Number(getMsgLimits().msgmax);
}

export function msgQueueBytes(id: number): { qbytes: number; messages: number } {
  const queue = statMsgQueue(id);
  return { qbytes: Number(queue.qbytes), messages: Number(queue.qnum) };
}

export function setMsgQueueBytes(id: number, qbytes: number): void {
  setMsgQueue(id, { qbytes });
}

export function sendMsg(
  id: number,
  message: { type: number; data: Buffer },
  options: WaitOptions,
): Promise<void> {
  return waiting(options, (wait) => sendMessage(id, message, { ...wait, nowait: options.nowait === true }));
}

export interface MsgSelector {
  type: number;
  except: boolean;
  noError: boolean;
}

/** msgrcv of up to msgmax bytes (the core learns it once, and again if it was raised). */
export function receiveMsg(id: number, selector: MsgSelector, options: WaitOptions): Promise<ReceivedMsg> {
  return waiting(options, (wait) =>
    receiveMessage(id, { ...selector, ...wait, nowait: options.nowait === true }),
  );
}

/** MSG_COPY: the message at `index` stays queued. */
export function peekMsg(id: number, index: number): ReceivedMsg {
  return peekMessage(id, index, { maxSize: msgmax() });
}

/** Takes every queued message; how many, and their bytes. */
export function drainMsgs(id: number): { messages: number; bytes: number } {
  const maxSize = msgmax();
  let messages = 0;
  let bytes = 0;
  for (;;) {
    try {
      bytes += receiveMessageSync(id, { maxSize, noError: true }).data.length;
      messages++;
    } catch (error) {
      if (error instanceof IpcError && error.errno === ENOMSG) return { messages, bytes };
      throw error;
    }
  }
}

// ---- System V semaphores

export function semCount(id: number): number {
  return statSemSet(id).nsems;
}

export function semValues(id: number): number[] {
  return getAllSemValues(id);
}

export function semValue(id: number, num: number): number {
  return getSemValue(id, num);
}

export function setSemValueOf(id: number, num: number, value: number): void {
  setSemValue(id, num, value);
}

export function setSemValues(id: number, values: readonly number[]): void {
  setAllSemValues(id, values);
}

/** One atomic semop, waiting as `options` allow. */
export function semOperate(
  id: number,
  ops: readonly { num: number; op: number }[],
  options: WaitOptions & { undo?: boolean },
): Promise<void> {
  const flags = { undo: options.undo === true, nowait: options.nowait === true };
  const sembufs = ops.map((op) => ({ ...op, flags }));
  return waiting(options, (wait) => semop(id, sembufs, wait));
}

// ---- System V shared memory

export function shmSize(id: number): number {
  return statShm(id).size;
}

export function readShm(id: number, offset: number, length: number | undefined): Buffer {
  const attachment = attachShm(id, { readOnly: true });
  try {
    return attachment.read(offset, length ?? Math.max(0, attachment.size - offset));
  } finally {
    attachment.detach();
  }
}

/** Bytes of one object read in parts through one attachment or mapping, until close(). */
export interface PartReader {
  read(offset: number, length: number): Buffer;
  close(): void;
}

/**
 * One read-only attachment for every part of a stream: a segment removed meanwhile stays
 * attached and whole, never another segment's bytes after its own.
 */
export function shmReader(id: number): PartReader {
  const attachment = attachShm(id, { readOnly: true });
  return { read: (offset, length) => attachment.read(offset, length), close: () => attachment.detach() };
}

export function writeShm(id: number, offset: number, data: Buffer): void {
  const attachment = attachShm(id);
  try {
    attachment.write(offset, data);
  } finally {
    attachment.detach();
  }
}

// ---- POSIX shared memory

export function pshmSize(name: string): number {
  const handle = openPosixShm(name, { readOnly: true });
  try {
    return handle.size;
  } finally {
    handle.close();
  }
}

export function readPshm(name: string, offset: number, length: number | undefined): Buffer {
  const handle = openPosixShm(name, { readOnly: true });
  try {
    const size = handle.size;
    const wanted = length ?? Math.max(0, size - offset);
    // mmap of an empty object is EINVAL: there is nothing to read either.
    if (size === 0 || wanted === 0) return checkRange(offset, wanted, size, name);
    const mapping = handle.map();
    try {
      return mapping.read(offset, wanted);
    } finally {
      mapping.unmap();
    }
  } finally {
    handle.close();
  }
}

/**
 * One mapping for every part of a stream, as shmReader: the name is looked up once, so an object
 * removed and made again under it meanwhile is not read from the middle on. Only for an object that
 * is not empty (mmap of an empty one is EINVAL).
 */
export function pshmReader(name: string): PartReader {
  const handle = openPosixShm(name, { readOnly: true });
  try {
    const mapping = handle.map();
    return { read: (offset, length) => mapping.read(offset, length), close: () => mapping.unmap() };
  } finally {
    // The mapping keeps the descriptor until it is unmapped.
    handle.close();
  }
}

export function writePshm(name: string, offset: number, data: Buffer): void {
  const handle = openPosixShm(name);
  try {
    if (data.length === 0) return;
    const mapping = handle.map();
    try {
      mapping.write(offset, data);
    } finally {
      mapping.unmap();
    }
  } finally {
    handle.close();
  }
}

function checkRange(offset: number, length: number, size: number, name: string): Buffer {
  if (offset + length > size) throw new RangeError(`bytes ${offset}..${offset + length} lie outside ${name}`);
  return Buffer.alloc(0);
}

// ---- POSIX message queues

export function mqAttributes(name: string): MqueueAttributes {
  const handle = openMqueue(name, { readOnly: true });
  try {
    return handle.getAttributes();
  } finally {
    handle.close();
  }
}

/**
 * mq_setattr of O_NONBLOCK on a descriptor of our own, then mq_getattr: the attributes before
 * (what mq_setattr returned) and after. O_NONBLOCK belongs to that open description only: no
 * other descriptor of the queue, in this process or another, sees the change, and it ends with
 * the descriptor.
 */
export function setMqNonBlocking(
  name: string,
  nonBlocking: boolean,
): { old: MqueueAttributes; attributes: MqueueAttributes } {
  const handle = openMqueue(name, { readOnly: true });
  try {
    const old = handle.setNonBlocking(nonBlocking);
    return { old, attributes: handle.getAttributes() };
  } finally {
    handle.close();
  }
}

export interface MqSender {
  /** mq_msgsize: the largest message the queue takes. */
  readonly msgsize: number;
  send(data: Buffer, priority: number, options: WaitOptions): Promise<void>;
  close(): void;
}

/** A queue opened for sending (O_WRONLY): mq_timedsend. */
export function openMqSender(name: string): MqSender {
  const handle = openMqueue(name, { writeOnly: true });
  let msgsize: number;
  try {
    msgsize = handle.getAttributes().messageSize;
  } catch (error) {
    handle.close();
    throw error;
  }
  return {
    msgsize,
    close: () => handle.close(),
    async send(data, priority, options) {
      if (options.nowait) return handle.sendSync(data, { priority });
      await waiting(options, (wait) => handle.send(data, { ...wait, priority }));
    },
  };
}

export async function receiveMq(name: string, options: WaitOptions): Promise<MqueueMessage> {
  const handle = openMqueue(name, { readOnly: true });
  try {
    if (options.nowait) return handle.receiveSync();
    return await waiting(options, (wait) => handle.receive(wait));
  } finally {
    handle.close();
  }
}

/** Every message as it arrives, until the signal aborts; a message taken before it did is still yielded. */
export async function* followMq(name: string, signal: AbortSignal): AsyncGenerator<MqueueMessage> {
  const handle = openMqueue(name, { readOnly: true });
  try {
    yield* handle.messages({ signal });
  } finally {
    handle.close();
  }
}

// ---- POSIX named semaphores

export function psemValue(name: string): number {
  const handle = openPosixSem(name);
  try {
    return handle.value();
  } finally {
    handle.close();
  }
}

export function postPsem(name: string): void {
  const handle = openPosixSem(name);
  try {
    handle.post();
  } finally {
    handle.close();
  }
}

export async function waitPsem(name: string, options: WaitOptions): Promise<void> {
  const handle = openPosixSem(name);
  try {
    if (options.nowait) return handle.tryWait();
    await waiting(options, (wait) => handle.wait(wait));
  } finally {
    handle.close();
  }
}

// ---- presence (exists, wait) and leak checks

export type PosixKind = 'pshm' | 'mq' | 'psem';

/**
 * Whether a System V object with this id or key exists, from the namespace-wide listing
 * (/proc/sysvipc: no permission needed, and a key is looked up without msgget/semget/shmget).
 */
export function sysvExists(kind: SysvKind, ref: { id: number } | { key: number }): boolean {
  const records = kind === 'shm' ? listShmSegments() : kind === 'msg' ? listMsgQueues() : listSemSets();
  return records.some((record) => ('id' in ref ? record.id === ref.id : record.key >>> 0 === ref.key >>> 0));
}

/**
 * Whether our IPC namespace has a queue of that name, as mq_open sees it (opened and closed at
 * once, nothing sent or taken): /dev/mqueue may be unmounted, or the mount of another namespace.
 */
export function mqueueExists(name: string): boolean {
  const reached = mqueueIdentity(name);
  if (reached === 'absent') return false;
  // Refused for want of permission: then it exists.
  if (reached instanceof IpcError && reached.code !== 'EACCES') throw reached;
  return true;
}

/** /proc/sysvipc/KIND, where System V objects of a kind appear and disappear. */
export const SYSV_TABLE_DIR = '/proc/sysvipc';

/** Where POSIX objects appear: shm and semaphores (sem.NAME) in one, queues in the other. */
export const POSIX_DIRS = { shm: PATH_DEV_SHM, mqueue: PATH_DEV_MQUEUE } as const;

/** The directory a POSIX object's file lives in, and the file: glibc's sem.NAME for semaphores. */
export function posixFileOf(kind: PosixKind, name: string): { dir: string; path: string } {
  const bare = name.slice(1);
  if (kind === 'mq') return { dir: PATH_DEV_MQUEUE, path: `${PATH_DEV_MQUEUE}/${bare}` };
  return { dir: PATH_DEV_SHM, path: `${PATH_DEV_SHM}/${kind === 'psem' ? `sem.${bare}` : bare}` };
}

/** The identity of a POSIX object's file now (stat(2)), undefined when there is none. */
export function posixFile(path: string): FileIdentity | undefined {
  return statPosixFile(path)?.file;
}

/** This process's IPC namespace, as /proc/self/ns/ipc names it (`ipc:[4026531839]`). */
export function ipcNamespace(): string {
  try {
    return readlinkSync(`${PATH_PROC}/self/ns/ipc`);
  } catch {
    return 'unknown';
  }
}

/** Every IPC object of the namespace, System V and POSIX, with what could not be listed. */
export function listAllObjects(): { objects: IpcObject[]; problems: ListingProblem[] } {
  return listIpcObjects(['shm', 'msg', 'sem', 'pshm', 'pmsg', 'psem']);
}

/** The children of a process (/proc/PID/task/TID/children); undefined once it is gone. */
export function childPids(pid: number): number[] | undefined {
  return listChildPids(PATH_PROC, pid);
}

/**
 * The processes that hold a POSIX object's file open or mapped, and those whose descriptors and
 * mappings could not be read (they may hold it too).
 */
export function holdersOfFile(file: FileIdentity): { holders: number[]; uninspectable: number[] } {
  const scan = scanHolders({ sysv: false, files: [file] });
  const holders = [...scan.files.values()].flat().map((holder) => holder.pid);
  return { holders, uninspectable: scan.uninspectable };
}

/** The last semop pid of each semaphore of a set (semctl GETPID); undefined when it cannot be read. */
export function semPids(id: number): number[] | undefined {
  try {
    return getSemElements(id).map((element) => element.pid);
  } catch (error) {
    if (error instanceof IpcError) return undefined;
    throw error;
  }
}

// ---- waiting

/**
 * Runs a core wait with the deadline and signal of `options`; the signal's abort (the core rejects
 * with its reason, having taken nothing) becomes Interrupted.
 */
async function waiting<T>(
  options: WaitOptions,
  wait: (core: { timeoutMs?: number; signal?: AbortSignal }) => Promise<T>,
): Promise<T> {
  const { signal, timeoutMs } = options;
  try {
    return await wait({ ...(timeoutMs === undefined ? {} : { timeoutMs }), ...(signal ? { signal } : {}) });
  } catch (error) {
    if (signal?.aborted && error === signal.reason) throw new Interrupted(String(signal.reason));
    throw error;
  }
}
