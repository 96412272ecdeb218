/**
 * Every libc function the project calls, declared once. Each binding returns the raw result
 * with its errno; callers turn failures into IpcError with `check*` from ./call.ts. Pointers
 * travel as 64-bit integers (ffi-rs cannot pass NULL as an External), out-structs as Buffers
 * (C writes straight into their memory when passed as U8Array). Each function's call object is
 * built on its first use and reused (see FfiCall in ./native.ts): no call allocates.
 *
 * Nothing here blocks: every call that could wait is made with IPC_NOWAIT, O_NONBLOCK, an expired
 * deadline or sem_trywait by its caller, and waiting is done by src/wait.ts, off the threadpool.
 */
import { nameToBytes } from '../names.js';
import {
  type ArrayParam,
  arrayParam,
  externalBuffer,
  type FfiCall,
  invoke,
  openLibraryAs,
  POLL_LIBRARY,
  prepareCall,
  type Types,
  types,
} from './native.js';

export interface Raw {
  value: number;
  errnoCode: number;
  errnoMessage: string;
}

/** A call object built on first use: `make` needs ffi-rs loaded, which only a call should do. */
function lazy(make: (t: Types) => FfiCall): () => FfiCall {
  let call: FfiCall | undefined;
  return () => {
    if (call === undefined) call = make(types());
    return call;
  };
}

/** Parameter `index` of `call` as a Buffer (C reads or writes its bytes), or NULL when absent. */
function setBuffer(call: FfiCall, index: number, array: ArrayParam, buffer: Buffer | undefined): void {
  if (buffer === undefined) {
    call.paramsType[index] = types().I64;
    call.paramsValue[index] = 0;
    return;
  }
  array.length = buffer.length;
  call.paramsType[index] = array;
  call.paramsValue[index] = buffer;
}

/** A call with one Buffer-or-NULL parameter: the call object and that parameter's array type. */
function lazyWithBuffer(make: (t: Types, array: ArrayParam) => FfiCall): () => [FfiCall, ArrayParam] {
  let made: [FfiCall, ArrayParam] | undefined;
  return () => {
    if (made === undefined) {
      const array = arrayParam(0);
      made = [make(types(), array), array];
    }
    return made;
  };
}

/**
 * A name or path as C reads it: its bytes (a byte that is not UTF-8 stays that byte, see
 * names.ts) and the terminating NUL. ffi-rs's String would encode the string as UTF-8, turning
 * such a byte into U+FFFD: another name.
 */
function cString(text: string): Buffer {
  const bytes = nameToBytes(text);
  const string = Buffer.alloc(bytes.length + 1);
  bytes.copy(string);
  return string;
}

/** A call whose first parameter is a name: its bytes passed as a NUL-terminated array. */
function runNamed(made: [FfiCall, ArrayParam], name: string, b?: unknown, c?: unknown, d?: unknown): Raw {
  const [call, array] = made;
  const string = cString(name);
  array.length = string.length;
  return run(call, string, b, c, d);
}

function run(call: FfiCall, a: unknown, b?: unknown, c?: unknown, d?: unknown, e?: unknown): Raw {
  const values = call.paramsValue;
  values[0] = a;
  if (values.length > 1) values[1] = b;
  if (values.length > 2) values[2] = c;
  if (values.length > 3) values[3] = d;
  if (values.length > 4) values[4] = e;
  return invoke(call) as Raw;
}

// ---- System V shared memory -------------------------------------------------------------

const shmgetCall = lazy((t) => prepareCall('shmget', t.I32, [t.I32, t.U64, t.I32]));
export function shmget(key: number, size: number, flags: number): Raw {
  return run(shmgetCall(), key, size, flags);
}

const shmctlCall = lazyWithBuffer((t) => prepareCall('shmctl', t.I32, [t.I32, t.I32, t.I64]));
export function shmctl(id: number, cmd: number, buf?: Buffer): Raw {
  const [call, array] = shmctlCall();
  setBuffer(call, 2, array, buf);
  call.paramsValue[0] = id;
  call.paramsValue[1] = cmd;
  return invoke(call) as Raw;
}

/** Returns the attach address, or -1 (as a number) on failure. */
const shmatCall = lazy((t) => prepareCall('shmat', t.I64, [t.I32, t.I64, t.I32]));
export function shmat(id: number, flags: number): Raw {
  return run(shmatCall(), id, 0, flags);
}

const shmdtCall = lazy((t) => prepareCall('shmdt', t.I32, [t.I64]));
export function shmdt(address: number): Raw {
  return run(shmdtCall(), address);
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

const fastRmid = {
  shm: lazy((t) => prepareCall('shmctl', t.I32, [t.I32, t.I32, t.I64], false)),
  msg: lazy((t) => prepareCall('msgctl', t.I32, [t.I32, t.I32, t.I64], false)),
  sem: lazy((t) => prepareCall('semctl', t.I32, [t.I32, t.I32, t.I32, t.I64], false)),
};

/**
 * xxxctl(id, IPC_RMID) without errno, for bulk removal (`ipcrm -a` makes 30,000 of these):
 * 0 or -1. A caller repeats a failure with errno to learn why; the kernel gives the same answer.
 */
export function removeIpcIdFast(kind: 'shm' | 'msg' | 'sem', id: number): number {
  // IPC_RMID is 0, and so are the NULL buf and the unused semnum/arg.
  const call = fastRmid[kind]();
  call.paramsValue[0] = id;
  return invoke(call) as number;
}

// ---- System V semaphores ----------------------------------------------------------------

const semgetCall = lazy((t) => prepareCall('semget', t.I32, [t.I32, t.I32, t.I32]));
export function semget(key: number, nsems: number, flags: number): Raw {
  return run(semgetCall(), key, nsems, flags);
}

const semctlCall = lazyWithBuffer((t) => prepareCall('semctl', t.I32, [t.I32, t.I32, t.I32, t.I64]));
/** `arg` is the union semun: an int (SETVAL) or a buffer (IPC_STAT, GETALL, SETALL); on LP64 it travels in one register. */
export function semctl(id: number, semnum: number, cmd: number, arg?: number | Buffer): Raw {
  const [call, array] = semctlCall();
  if (Buffer.isBuffer(arg)) {
    setBuffer(call, 3, array, arg);
  } else {
    call.paramsType[3] = types().I64;
    call.paramsValue[3] = arg ?? 0;
  }
  call.paramsValue[0] = id;
  call.paramsValue[1] = semnum;
  call.paramsValue[2] = cmd;
  return invoke(call) as Raw;
}

const semtimedopCall = lazyWithBuffer((t, array) =>
  prepareCall('semtimedop', t.I32, [t.I32, array, t.U64, t.I64]),
);
/** semtimedop with a NULL timeout: the callers pass IPC_NOWAIT in every op (src/wait.ts waits). */
export function semtimedop(id: number, sops: Buffer, nsops: number): Raw {
  const [call, array] = semtimedopCall();
  array.length = sops.length;
  return run(call, id, sops, nsops, 0);
}

// ---- System V message queues ------------------------------------------------------------

const msggetCall = lazy((t) => prepareCall('msgget', t.I32, [t.I32, t.I32]));
export function msgget(key: number, flags: number): Raw {
  return run(msggetCall(), key, flags);
}

const msgctlCall = lazyWithBuffer((t) => prepareCall('msgctl', t.I32, [t.I32, t.I32, t.I64]));
export function msgctl(id: number, cmd: number, buf?: Buffer): Raw {
  const [call, array] = msgctlCall();
  setBuffer(call, 2, array, buf);
  call.paramsValue[0] = id;
  call.paramsValue[1] = cmd;
  return invoke(call) as Raw;
}

const msgsndCall = lazyWithBuffer((t, array) => prepareCall('msgsnd', t.I32, [t.I32, array, t.U64, t.I32]));
/** `msgp` is `long mtype` followed by the text; `size` counts the text only. */
export function msgsnd(id: number, msgp: Buffer, size: number, flags: number): Raw {
  const [call, array] = msgsndCall();
  array.length = msgp.length;
  return run(call, id, msgp, size, flags);
}

const msgrcvCall = lazyWithBuffer((t, array) =>
  prepareCall('msgrcv', t.I64, [t.I32, array, t.U64, t.I64, t.I32]),
);
export function msgrcv(id: number, msgp: Buffer, size: number, type: number, flags: number): Raw {
  const [call, array] = msgrcvCall();
  array.length = msgp.length;
  return run(call, id, msgp, size, type, flags);
}

const ftokCall = lazyWithBuffer((t, path) => prepareCall('ftok', t.I32, [path, t.I32]));
export function ftok(path: string, projectId: number): Raw {
  return runNamed(ftokCall(), path, projectId);
}

// ---- POSIX message queues ---------------------------------------------------------------

const mqOpenCall = lazyWithBuffer((t, name) => prepareCall('mq_open', t.I32, [name, t.I32, t.U32, t.I64]));
let mqOpenAttr: ArrayParam | undefined;
/** mq_open is variadic; mode and attr are read only with O_CREAT, passing them always is harmless on LP64. */
export function mqOpen(name: string, flags: number, mode: number, attr?: Buffer): Raw {
  const made = mqOpenCall();
  mqOpenAttr ??= arrayParam(0);
  setBuffer(made[0], 3, mqOpenAttr, attr);
  return runNamed(made, name, flags, mode, attr ?? 0);
}

const mqCloseCall = lazy((t) => prepareCall('mq_close', t.I32, [t.I32]));
export function mqClose(mqd: number): Raw {
  return run(mqCloseCall(), mqd);
}

const mqUnlinkCall = lazyWithBuffer((t, name) => prepareCall('mq_unlink', t.I32, [name]));
export function mqUnlink(name: string): Raw {
  return runNamed(mqUnlinkCall(), name);
}

const mqGetattrCall = lazy((t) => prepareCall('mq_getattr', t.I32, [t.I32, arrayParam(64)]));
/** `attr` is a 64-byte struct mq_attr. */
export function mqGetattr(mqd: number, attr: Buffer): Raw {
  return run(mqGetattrCall(), mqd, attr);
}

const mqSetattrCall = lazy((t) => prepareCall('mq_setattr', t.I32, [t.I32, arrayParam(64), arrayParam(64)]));
/** mq_setattr(mqd, attr, old): only mq_flags (O_NONBLOCK) is changed; both are 64-byte struct mq_attr. */
export function mqSetattr(mqd: number, attr: Buffer, old: Buffer): Raw {
  return run(mqSetattrCall(), mqd, attr, old);
}

const mqTimedsendCall = lazyWithBuffer((t, array) =>
  prepareCall('mq_timedsend', t.I32, [t.I32, array, t.U64, t.U32, arrayParam(16)]),
);
/** `deadline` is an absolute struct timespec; callers pass an expired one, so it never waits. */
export function mqTimedsend(
  mqd: number,
  message: Buffer,
  length: number,
  priority: number,
  deadline: Buffer,
): Raw {
  const [call, array] = mqTimedsendCall();
  array.length = message.length;
  return run(call, mqd, message, length, priority, deadline);
}

const mqTimedreceiveCall = lazyWithBuffer((t, array) =>
  prepareCall('mq_timedreceive', t.I64, [t.I32, array, t.U64, arrayParam(4), arrayParam(16)]),
);
/** `priority` is a 4-byte unsigned int; `deadline` as for mqTimedsend. */
export function mqTimedreceive(mqd: number, buffer: Buffer, priority: Buffer, deadline: Buffer): Raw {
  const [call, array] = mqTimedreceiveCall();
  array.length = buffer.length;
  return run(call, mqd, buffer, buffer.length, priority, deadline);
}

// ---- POSIX shared memory, memory access, descriptors ------------------------------------

const shmOpenCall = lazyWithBuffer((t, name) => prepareCall('shm_open', t.I32, [name, t.I32, t.U32]));
export function shmOpen(name: string, flags: number, mode: number): Raw {
  return runNamed(shmOpenCall(), name, flags, mode);
}

const shmUnlinkCall = lazyWithBuffer((t, name) => prepareCall('shm_unlink', t.I32, [name]));
export function shmUnlink(name: string): Raw {
  return runNamed(shmUnlinkCall(), name);
}

const ftruncateCall = lazy((t) => prepareCall('ftruncate', t.I32, [t.I32, t.I64]));
export function ftruncate(fd: number, length: number): Raw {
  return run(ftruncateCall(), fd, length);
}

const closeCall = lazy((t) => prepareCall('close', t.I32, [t.I32]));
export function close(fd: number): Raw {
  return run(closeCall(), fd);
}

const pipe2Call = lazy((t) => prepareCall('pipe2', t.I32, [arrayParam(8), t.I32]));
/** pipe2(fds, flags): `fds` is two ints, read end first. */
export function pipe2(fds: Buffer, flags: number): Raw {
  return run(pipe2Call(), fds, flags);
}

const mmapCall = lazy((t) => prepareCall('mmap', t.I64, [t.I64, t.U64, t.I32, t.I32, t.I32, t.I64]));
/** Returns the mapping address, or -1 (MAP_FAILED) on failure. */
export function mmap(length: number, protection: number, flags: number, fd: number, offset: number): Raw {
  const call = mmapCall();
  call.paramsValue[5] = offset;
  return run(call, 0, length, protection, flags, fd);
}

const munmapCall = lazy((t) => prepareCall('munmap', t.I32, [t.I64, t.U64]));
export function munmap(address: number, length: number): Raw {
  return run(munmapCall(), address, length);
}

const msyncCall = lazy((t) => prepareCall('msync', t.I32, [t.I64, t.U64, t.I32]));
export function msync(address: number, length: number, flags: number): Raw {
  return run(msyncCall(), address, length, flags);
}

const pointerCall = lazy((t) => prepareCall('memmove', t.External, [t.I64, t.I64, t.U64], false));
/**
 * An address as ffi-rs's External (what createExternalBuffer takes): memmove(p, p, 0) returns
 * its first argument, and ffi-rs wraps a returned pointer as an External.
 */
export function pointerTo(address: number): unknown {
  return run(pointerCall(), address, address, 0);
}

const strlenCall = lazy((t) => prepareCall('strlen', t.U64, [t.I64], false));
export function strlen(address: number): number {
  return run(strlenCall(), address) as unknown as number;
}

const copyFromCall = lazyWithBuffer((t, array) => prepareCall('memcpy', t.I64, [array, t.I64, t.U64], false));
/** Copies `target.length` bytes from a C address into a Buffer. */
export function copyFromAddress(target: Buffer, address: number): void {
  const [call, array] = copyFromCall();
  array.length = target.length;
  run(call, target, address, target.length);
}

const copyToCall = lazyWithBuffer((t, array) => prepareCall('memcpy', t.I64, [t.I64, array, t.U64], false));
/** Copies a Buffer to a C address. */
export function copyToAddress(address: number, source: Buffer): void {
  const [call, array] = copyToCall();
  array.length = source.length;
  run(call, address, source, source.length);
}

// ---- POSIX named semaphores -------------------------------------------------------------

const semOpenCall = lazyWithBuffer((t, name) => prepareCall('sem_open', t.I64, [name, t.I32, t.U32, t.U32]));
/** Returns the sem_t address, or 0 (SEM_FAILED is NULL in glibc) on failure. */
export function semOpen(name: string, flags: number, mode: number, value: number): Raw {
  return runNamed(semOpenCall(), name, flags, mode, value);
}

const semCloseCall = lazy((t) => prepareCall('sem_close', t.I32, [t.I64]));
const semPostCall = lazy((t) => prepareCall('sem_post', t.I32, [t.I64]));
const semTrywaitCall = lazy((t) => prepareCall('sem_trywait', t.I32, [t.I64]));
export const semClose = (sem: number): Raw => run(semCloseCall(), sem);
export const semPost = (sem: number): Raw => run(semPostCall(), sem);
export const semTrywait = (sem: number): Raw => run(semTrywaitCall(), sem);

const semGetvalueCall = lazy((t) => prepareCall('sem_getvalue', t.I32, [t.I64, arrayParam(4)]));
/** `value` is a 4-byte int. */
export function semGetvalue(sem: number, value: Buffer): Raw {
  return run(semGetvalueCall(), sem, value);
}

const semUnlinkCall = lazyWithBuffer((t, name) => prepareCall('sem_unlink', t.I32, [name]));
export function semUnlink(name: string): Raw {
  return runNamed(semUnlinkCall(), name);
}

// ---- Files and the name service ---------------------------------------------------------

const mkfifoCall = lazyWithBuffer((t, path) => prepareCall('mkfifo', t.I32, [path, t.U32]));
export function mkfifo(path: string, mode: number): Raw {
  return runNamed(mkfifoCall(), path, mode);
}

const getpwuidCall = lazy((t) => prepareCall('getpwuid', t.I64, [t.U32]));
/** Returns a `struct passwd *` or 0; the memory belongs to libc and is reused by the next call. */
export function getpwuid(uid: number): Raw {
  return run(getpwuidCall(), uid);
}

const getpwnamCall = lazyWithBuffer((t, name) => prepareCall('getpwnam', t.I64, [name]));
/** Returns a `struct passwd *` or 0; the memory belongs to libc and is reused by the next call. */
export function getpwnam(name: string): Raw {
  return runNamed(getpwnamCall(), name);
}

const pollNowCall = lazy((t) => {
  openLibraryAs(POLL_LIBRARY);
  const call = prepareCall('poll', t.I32, [t.I64, t.U64, t.I32], false);
  call.library = POLL_LIBRARY;
  return call;
});
/**
 * poll(NULL, 0, 0) under POLL_LIBRARY: returns at once; made so that ffi-rs has looked poll up
 * there, on this thread, before the readiness thread calls it.
 */
export function pollNow(): void {
  run(pollNowCall(), 0, 0, 0);
}

const getgrnamCall = lazy((t) => prepareCall('getgrnam', t.I64, [t.String]));
/** Returns a `struct group *` or 0; the memory belongs to libc and is reused by the next call. */
export function getgrnam(name: string): Raw {
  return run(getgrnamCall(), name);
}

const getgrgidCall = lazy((t) => prepareCall('getgrgid', t.I64, [t.U32]));
/** Returns a `struct group *` or 0; the memory belongs to libc and is reused by the next call. */
export function getgrgid(gid: number): Raw {
  return run(getgrgidCall(), gid);
}

// ---- Memory of our own, for the calls made most ------------------------------------------
// ffi-rs marshals a U8Array parameter on every call (about as much as the call itself); an
// address passed as a 64-bit integer costs nothing. The hot calls (msgsnd, msgrcv, semtimedop,
// mq_timedsend, mq_timedreceive) therefore work on buffers malloc'd once, written and read
// through a Buffer over them that never leaves the module using it.

/** malloc'd memory and a Buffer over it. Never freed while its owner may still use the view. */
export interface NativeBuffer {
  readonly address: number;
  readonly view: Buffer;
}

const callocCall = lazy((t) => prepareCall('calloc', t.I64, [t.U64, t.U64], false));
const freeCall = lazy((t) => prepareCall('free', t.I32, [t.I64], false));

/**
 * `size` bytes of C memory, zeroed; throws on allocation failure. calloc, not malloc and a fill:
 * a large block comes from mmap already zero, so a buffer sized for the largest message costs
 * address space, not a second of writing every page (and that memory for the process's life).
 */
export function nativeBuffer(size: number): NativeBuffer {
  const call = callocCall();
  call.paramsValue[0] = Math.max(size, 1);
  call.paramsValue[1] = 1;
  const address = invoke(call) as number;
  if (address === 0) throw new RangeError(`cannot allocate ${size} bytes`);
  try {
    return { address, view: externalBuffer(pointerTo(address), Math.max(size, 1)).subarray(0, size) };
  } catch (error) {
    // Larger than a Buffer can be (ERR_BUFFER_TOO_LARGE): the block would be lost.
    freeNativeBuffer({ address, view: Buffer.alloc(0) });
    throw error;
  }
}

/** Frees a NativeBuffer: its view must be unreachable by then. */
export function freeNativeBuffer(buffer: NativeBuffer): void {
  const call = freeCall();
  call.paramsValue[0] = buffer.address;
  invoke(call);
}

/**
 * A hot call as two call objects, one without errno: ffi-rs's errno capture costs ~1.5 µs a call
 * (a third of it), so the call is made without it, and made once more with it only when it
 * failed. Safe for these calls because a failed attempt changes nothing (IPC_NOWAIT, an expired
 * deadline): the second attempt is a fresh one, and its result, success included, is the answer.
 */
function lazyHot(funcName: string, retType: (t: Types) => number, paramsType: (t: Types) => unknown[]) {
  let cheap: FfiCall | undefined;
  let withErrno: FfiCall | undefined;
  return (a: unknown, b: unknown, c: unknown, d?: unknown, e?: unknown): Raw => {
    if (cheap === undefined) {
      const t = types();
      cheap = prepareCall(funcName, retType(t), paramsType(t), false);
      withErrno = prepareCall(funcName, retType(t), paramsType(t), true);
    }
    const value = run(cheap, a, b, c, d, e) as unknown as number;
    if (value !== -1) return { value, errnoCode: 0, errnoMessage: '' };
    return run(withErrno as FfiCall, a, b, c, d, e);
  };
}

const msgsndAtCall = lazyHot(
  'msgsnd',
  (t) => t.I32,
  (t) => [t.I32, t.I64, t.U64, t.I32],
);
/** msgsnd of the struct msgbuf at `address`. */
export function msgsndAt(id: number, address: number, size: number, flags: number): Raw {
  return msgsndAtCall(id, address, size, flags);
}

const msgrcvAtCall = lazyHot(
  'msgrcv',
  (t) => t.I64,
  (t) => [t.I32, t.I64, t.U64, t.I64, t.I32],
);
/** msgrcv into the struct msgbuf at `address` (8 + size bytes). */
export function msgrcvAt(id: number, address: number, size: number, type: number, flags: number): Raw {
  return msgrcvAtCall(id, address, size, type, flags);
}

const semopAtCall = lazyHot(
  'semtimedop',
  (t) => t.I32,
  (t) => [t.I32, t.I64, t.U64, t.I64],
);
/** semtimedop of the sembufs at `address`, with a NULL timeout (callers pass IPC_NOWAIT). */
export function semtimedopAt(id: number, address: number, nsops: number): Raw {
  return semopAtCall(id, address, nsops, 0);
}

const mqSendAtCall = lazyHot(
  'mq_timedsend',
  (t) => t.I32,
  (t) => [t.I32, t.I64, t.U64, t.U32, t.I64],
);
/** mq_timedsend of `length` bytes at `address`, with the timespec at `deadline`. */
export function mqTimedsendAt(
  mqd: number,
  address: number,
  length: number,
  priority: number,
  deadline: number,
): Raw {
  return mqSendAtCall(mqd, address, length, priority, deadline);
}

const mqReceiveAtCall = lazyHot(
  'mq_timedreceive',
  (t) => t.I64,
  (t) => [t.I32, t.I64, t.U64, t.I64, t.I64],
);
/** mq_timedreceive into `length` bytes at `address`, the priority to `priority`, deadline at `deadline`. */
export function mqTimedreceiveAt(
  mqd: number,
  address: number,
  length: number,
  priority: number,
  deadline: number,
): Raw {
  return mqReceiveAtCall(mqd, address, length, priority, deadline);
}
