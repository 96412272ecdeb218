/**
 * Every libc function the project calls, declared once. Each binding returns the raw result
 * with its errno; callers turn failures into IpcError with `check*` from ./call.ts. Pointers
 * travel as 64-bit integers (ffi-rs cannot pass NULL as an External), out-structs as Buffers
 * (C writes straight into their memory when passed as U8Array).
 */
import { ffi, LIBRARY } from './native.js';

export interface Raw {
  value: number;
  errnoCode: number;
  errnoMessage: string;
}

interface Types {
  I32: number;
  U32: number;
  I64: number;
  U64: number;
  String: number;
  U8Array: number;
  arrayTag: number;
}

let cachedTypes: Types | undefined;

function types(): Types {
  if (cachedTypes) return cachedTypes;
  const { DataType, FFITypeTag } = ffi();
  cachedTypes = {
    I32: DataType.I32 as number,
    U32: DataType.U32 as number,
    I64: DataType.I64 as number,
    U64: DataType.U64 as number,
    String: DataType.String as number,
    U8Array: DataType.U8Array as number,
    arrayTag: FFITypeTag.Array as number,
  };
  return cachedTypes;
}

/** A Buffer parameter C may write into (ffi-rs needs its length in the type). */
function bytes(buffer: Buffer): unknown {
  const t = types();
  return { type: t.U8Array, length: buffer.length, ffiTypeTag: t.arrayTag };
}

function call(funcName: string, retType: number, paramsType: unknown[], paramsValue: unknown[]): Raw {
  return ffi().load({
    library: LIBRARY,
    funcName,
    retType,
    paramsType,
    paramsValue,
    errno: true,
    freeResultMemory: false,
  }) as Raw;
}

/** Arguments of threaded calls still running: ffi-rs hands the pool thread only their addresses. */
const inFlight = new Set<unknown[]>();

/** A call whose errno is not wanted: ffi-rs's errno capture costs ~30% of a call. */
function callNoErrno(
  funcName: string,
  retType: number,
  paramsType: unknown[],
  paramsValue: unknown[],
): number {
  return ffi().load({
    library: LIBRARY,
    funcName,
    retType,
    paramsType,
    paramsValue,
    freeResultMemory: false,
  }) as number;
}

/** The same call on the libuv threadpool, for calls that may block (the event loop keeps running). */
async function callInThread(
  funcName: string,
  retType: number,
  paramsType: unknown[],
  paramsValue: unknown[],
): Promise<Raw> {
  // Keep the Buffers reachable until C returns: a call queued behind busy threads must not
  // find its buffer collected.
  inFlight.add(paramsValue);
  try {
    return await (ffi().load({
      library: LIBRARY,
      funcName,
      retType,
      paramsType,
      paramsValue,
      errno: true,
      freeResultMemory: false,
      runInNewThread: true,
    }) as Promise<Raw>);
  } finally {
    inFlight.delete(paramsValue);
  }
}

/** A Buffer argument, or NULL (passed as the integer 0) when absent. */
function optionalBuffer(buffer: Buffer | undefined): [unknown, unknown] {
  return buffer ? [bytes(buffer), buffer] : [types().I64, 0];
}

// ---- System V shared memory -------------------------------------------------------------

export function shmget(key: number, size: number, flags: number): Raw {
  const t = types();
  return call('shmget', t.I32, [t.I32, t.U64, t.I32], [key, size, flags]);
}

export function shmctl(id: number, cmd: number, buf?: Buffer): Raw {
  const t = types();
  const [bufType, bufValue] = optionalBuffer(buf);
  return call('shmctl', t.I32, [t.I32, t.I32, bufType], [id, cmd, bufValue]);
}

/** Returns the attach address, or -1 (as a number) on failure. */
export function shmat(id: number, flags: number): Raw {
  const t = types();
  return call('shmat', t.I64, [t.I32, t.I64, t.I32], [id, 0, flags]);
}

export function shmdt(address: number): Raw {
  const t = types();
  return call('shmdt', t.I32, [t.I64], [address]);
}

/** How xxxctl(id, IPC_RMID) is called: the function, and the arguments after the id. */
export interface RmidCall {
  funcName: string;
  /** int, as ffi-rs DataType numbers. */
  retType: number;
  /** ffi-rs DataType numbers, the id's included. */
  paramsType: number[];
  /** IPC_RMID is 0; the NULL buf (shm, msg) and the ignored semnum/arg (sem) are 0 too. */
  rest: number[];
}

let cachedRmidCalls: Record<'shm' | 'msg' | 'sem', RmidCall> | undefined;

/** The IPC_RMID call of each type, shared by removeIpcIdFast and the bulk remover's worker thread. */
export function rmidCalls(): Record<'shm' | 'msg' | 'sem', RmidCall> {
  if (cachedRmidCalls) return cachedRmidCalls;
  const t = types();
  const ctl = (funcName: string): RmidCall => ({
    funcName,
    retType: t.I32,
    paramsType: [t.I32, t.I32, t.I64],
    rest: [0, 0],
  });
  cachedRmidCalls = {
    shm: ctl('shmctl'),
    msg: ctl('msgctl'),
    sem: { funcName: 'semctl', retType: t.I32, paramsType: [t.I32, t.I32, t.I32, t.I64], rest: [0, 0, 0] },
  };
  return cachedRmidCalls;
}

/**
 * xxxctl(id, IPC_RMID) without errno, for bulk removal (`ipcrm -a` makes 30,000 of these):
 * 0 or -1. A caller repeats a failure with errno to learn why; the kernel gives the same answer.
 */
export function removeIpcIdFast(kind: 'shm' | 'msg' | 'sem', id: number): number {
  const { funcName, retType, paramsType, rest } = rmidCalls()[kind];
  return callNoErrno(funcName, retType, paramsType, [id, ...rest]);
}

// ---- System V semaphores ----------------------------------------------------------------

export function semget(key: number, nsems: number, flags: number): Raw {
  const t = types();
  return call('semget', t.I32, [t.I32, t.I32, t.I32], [key, nsems, flags]);
}

/** `arg` is the union semun: an int (SETVAL) or a buffer (IPC_STAT, GETALL, SETALL); on LP64 it travels in one register. */
export function semctl(id: number, semnum: number, cmd: number, arg?: number | Buffer): Raw {
  const t = types();
  if (Buffer.isBuffer(arg)) {
    return call('semctl', t.I32, [t.I32, t.I32, t.I32, bytes(arg)], [id, semnum, cmd, arg]);
  }
  return call('semctl', t.I32, [t.I32, t.I32, t.I32, t.I64], [id, semnum, cmd, arg ?? 0]);
}

function semtimedopArgs(id: number, sops: Buffer, nsops: number, timeout?: Buffer): [unknown[], unknown[]] {
  const t = types();
  const [timeoutType, timeoutValue] = optionalBuffer(timeout);
  return [
    [t.I32, bytes(sops), t.U64, timeoutType],
    [id, sops, nsops, timeoutValue],
  ];
}

export function semtimedop(id: number, sops: Buffer, nsops: number, timeout?: Buffer): Raw {
  const [paramsType, paramsValue] = semtimedopArgs(id, sops, nsops, timeout);
  return call('semtimedop', types().I32, paramsType, paramsValue);
}

export function semtimedopInThread(id: number, sops: Buffer, nsops: number, timeout?: Buffer): Promise<Raw> {
  const [paramsType, paramsValue] = semtimedopArgs(id, sops, nsops, timeout);
  return callInThread('semtimedop', types().I32, paramsType, paramsValue);
}

// ---- System V message queues ------------------------------------------------------------

export function msgget(key: number, flags: number): Raw {
  const t = types();
  return call('msgget', t.I32, [t.I32, t.I32], [key, flags]);
}

export function msgctl(id: number, cmd: number, buf?: Buffer): Raw {
  const t = types();
  const [bufType, bufValue] = optionalBuffer(buf);
  return call('msgctl', t.I32, [t.I32, t.I32, bufType], [id, cmd, bufValue]);
}

/** `msgp` is `long mtype` followed by the text; `size` counts the text only. */
export function msgsnd(id: number, msgp: Buffer, size: number, flags: number): Raw {
  const t = types();
  return call('msgsnd', t.I32, [t.I32, bytes(msgp), t.U64, t.I32], [id, msgp, size, flags]);
}

export function msgsndInThread(id: number, msgp: Buffer, size: number, flags: number): Promise<Raw> {
  const t = types();
  return callInThread('msgsnd', t.I32, [t.I32, bytes(msgp), t.U64, t.I32], [id, msgp, size, flags]);
}

export function msgrcv(id: number, msgp: Buffer, size: number, type: number, flags: number): Raw {
  const t = types();
  return call('msgrcv', t.I64, [t.I32, bytes(msgp), t.U64, t.I64, t.I32], [id, msgp, size, type, flags]);
}

export function msgrcvInThread(
  id: number,
  msgp: Buffer,
  size: number,
  type: number,
  flags: number,
): Promise<Raw> {
  const t = types();
  return callInThread(
    'msgrcv',
    t.I64,
    [t.I32, bytes(msgp), t.U64, t.I64, t.I32],
    [id, msgp, size, type, flags],
  );
}

export function ftok(path: string, projectId: number): Raw {
  const t = types();
  return call('ftok', t.I32, [t.String, t.I32], [path, projectId]);
}

// ---- POSIX message queues ---------------------------------------------------------------

/** mq_open is variadic; mode and attr are read only with O_CREAT, passing them always is harmless on LP64. */
export function mqOpen(name: string, flags: number, mode: number, attr?: Buffer): Raw {
  const t = types();
  const [attrType, attrValue] = optionalBuffer(attr);
  return call('mq_open', t.I32, [t.String, t.I32, t.U32, attrType], [name, flags, mode, attrValue]);
}

export function mqClose(mqd: number): Raw {
  const t = types();
  return call('mq_close', t.I32, [t.I32], [mqd]);
}

export function mqUnlink(name: string): Raw {
  const t = types();
  return call('mq_unlink', t.I32, [t.String], [name]);
}

export function mqGetattr(mqd: number, attr: Buffer): Raw {
  const t = types();
  return call('mq_getattr', t.I32, [t.I32, bytes(attr)], [mqd, attr]);
}

function mqSendArgs(mqd: number, message: Buffer, priority: number, deadline?: Buffer) {
  const t = types();
  const [deadlineType, deadlineValue] = optionalBuffer(deadline);
  return {
    paramsType: [t.I32, bytes(message), t.U64, t.U32, deadlineType],
    paramsValue: [mqd, message, message.length, priority, deadlineValue],
  };
}

export function mqTimedsend(mqd: number, message: Buffer, priority: number, deadline?: Buffer): Raw {
  const { paramsType, paramsValue } = mqSendArgs(mqd, message, priority, deadline);
  return call('mq_timedsend', types().I32, paramsType, paramsValue);
}

export function mqTimedsendInThread(
  mqd: number,
  message: Buffer,
  priority: number,
  deadline?: Buffer,
): Promise<Raw> {
  const { paramsType, paramsValue } = mqSendArgs(mqd, message, priority, deadline);
  return callInThread('mq_timedsend', types().I32, paramsType, paramsValue);
}

function mqReceiveArgs(mqd: number, buffer: Buffer, priority: Buffer, deadline?: Buffer) {
  const t = types();
  const [deadlineType, deadlineValue] = optionalBuffer(deadline);
  return {
    paramsType: [t.I32, bytes(buffer), t.U64, bytes(priority), deadlineType],
    paramsValue: [mqd, buffer, buffer.length, priority, deadlineValue],
  };
}

export function mqTimedreceive(mqd: number, buffer: Buffer, priority: Buffer, deadline?: Buffer): Raw {
  const { paramsType, paramsValue } = mqReceiveArgs(mqd, buffer, priority, deadline);
  return call('mq_timedreceive', types().I64, paramsType, paramsValue);
}

export function mqTimedreceiveInThread(
  mqd: number,
  buffer: Buffer,
  priority: Buffer,
  deadline?: Buffer,
): Promise<Raw> {
  const { paramsType, paramsValue } = mqReceiveArgs(mqd, buffer, priority, deadline);
  return callInThread('mq_timedreceive', types().I64, paramsType, paramsValue);
}

// ---- POSIX shared memory and memory access ----------------------------------------------

export function shmOpen(name: string, flags: number, mode: number): Raw {
  const t = types();
  return call('shm_open', t.I32, [t.String, t.I32, t.U32], [name, flags, mode]);
}

export function shmUnlink(name: string): Raw {
  const t = types();
  return call('shm_unlink', t.I32, [t.String], [name]);
}

export function ftruncate(fd: number, length: number): Raw {
  const t = types();
  return call('ftruncate', t.I32, [t.I32, t.I64], [fd, length]);
}

export function close(fd: number): Raw {
  const t = types();
  return call('close', t.I32, [t.I32], [fd]);
}

/** Returns the mapping address, or -1 (MAP_FAILED) on failure. */
export function mmap(length: number, protection: number, flags: number, fd: number, offset: number): Raw {
  const t = types();
  return call(
    'mmap',
    t.I64,
    [t.I64, t.U64, t.I32, t.I32, t.I32, t.I64],
    [0, length, protection, flags, fd, offset],
  );
}

export function munmap(address: number, length: number): Raw {
  const t = types();
  return call('munmap', t.I32, [t.I64, t.U64], [address, length]);
}

/** Copies `target.length` bytes from a C address into a Buffer. */
export function copyFromAddress(target: Buffer, address: number): void {
  const t = types();
  call('memcpy', t.I64, [bytes(target), t.I64, t.U64], [target, address, target.length]);
}

/** Copies a Buffer to a C address. */
export function copyToAddress(address: number, source: Buffer): void {
  const t = types();
  call('memcpy', t.I64, [t.I64, bytes(source), t.U64], [address, source, source.length]);
}

export function strlen(address: number): number {
  const t = types();
  return call('strlen', t.U64, [t.I64], [address]).value;
}

// ---- POSIX named semaphores -------------------------------------------------------------

/** Returns the sem_t address, or 0 (SEM_FAILED is NULL in glibc) on failure. */
export function semOpen(name: string, flags: number, mode: number, value: number): Raw {
  const t = types();
  return call('sem_open', t.I64, [t.String, t.I32, t.U32, t.U32], [name, flags, mode, value]);
}

function semAddressCall(funcName: string, sem: number): Raw {
  const t = types();
  return call(funcName, t.I32, [t.I64], [sem]);
}

export const semClose = (sem: number): Raw => semAddressCall('sem_close', sem);
export const semPost = (sem: number): Raw => semAddressCall('sem_post', sem);
export const semTrywait = (sem: number): Raw => semAddressCall('sem_trywait', sem);

export function semTimedwaitInThread(sem: number, deadline: Buffer): Promise<Raw> {
  const t = types();
  return callInThread('sem_timedwait', t.I32, [t.I64, bytes(deadline)], [sem, deadline]);
}

export function semWaitInThread(sem: number): Promise<Raw> {
  const t = types();
  return callInThread('sem_wait', t.I32, [t.I64], [sem]);
}

export function semGetvalue(sem: number, value: Buffer): Raw {
  const t = types();
  return call('sem_getvalue', t.I32, [t.I64, bytes(value)], [sem, value]);
}

export function semUnlink(name: string): Raw {
  const t = types();
  return call('sem_unlink', t.I32, [t.String], [name]);
}

// ---- Files and the name service ---------------------------------------------------------

export function mkfifo(path: string, mode: number): Raw {
  const t = types();
  return call('mkfifo', t.I32, [t.String, t.U32], [path, mode]);
}

/** Returns a `struct passwd *` or 0; the memory belongs to libc and is reused by the next call. */
export function getpwuid(uid: number): Raw {
  const t = types();
  return call('getpwuid', t.I64, [t.U32], [uid]);
}

/** Returns a `struct passwd *` or 0; the memory belongs to libc and is reused by the next call. */
export function getpwnam(name: string): Raw {
  const t = types();
  return call('getpwnam', t.I64, [t.String], [name]);
}

/** Returns a `struct group *` or 0; the memory belongs to libc and is reused by the next call. */
export function getgrgid(gid: number): Raw {
  const t = types();
  return call('getgrgid', t.I64, [t.U32], [gid]);
}
