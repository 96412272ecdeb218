import { constants } from 'node:os';
import { formatKey } from './keys.js';

/** What a failed call was about: a System V id or key, a POSIX name, or a path. */
export interface IpcObjectRef {
  id?: number;
  key?: number;
  name?: string;
  path?: string;
}

/** An errno name as Node's os.constants.errno lists them ('ENOENT', 'EAGAIN', …). */
export type ErrnoName = keyof typeof constants.errno;

/** errno number → name; the first name wins where Node lists aliases (EAGAIN before EWOULDBLOCK). */
const ERRNO_NAMES = new Map<number, string>();
for (const [name, value] of Object.entries(constants.errno)) {
  if (!ERRNO_NAMES.has(value)) ERRNO_NAMES.set(value, name);
}

/** glibc's strerror() texts for the errnos the tools print without having made a call. */
const MESSAGES: Record<string, string> = {
  EPERM: 'Operation not permitted',
  ENOENT: 'No such file or directory',
  EINTR: 'Interrupted system call',
  EIO: 'Input/output error',
  EBADF: 'Bad file descriptor',
  EAGAIN: 'Resource temporarily unavailable',
  ENOMEM: 'Cannot allocate memory',
  EACCES: 'Permission denied',
  EFAULT: 'Bad address',
  EEXIST: 'File exists',
  ENOTDIR: 'Not a directory',
  EISDIR: 'Is a directory',
  EINVAL: 'Invalid argument',
  ENFILE: 'Too many open files in system',
  EMFILE: 'Too many open files',
  EFBIG: 'File too large',
  ENOSPC: 'No space left on device',
  EPIPE: 'Broken pipe',
  EROFS: 'Read-only file system',
  E2BIG: 'Argument list too long',
  ERANGE: 'Numerical result out of range',
  ENAMETOOLONG: 'File name too long',
  ENOSYS: 'Function not implemented',
  ENOMSG: 'No message of desired type',
  EIDRM: 'Identifier removed',
  ETIMEDOUT: 'Connection timed out',
  EOVERFLOW: 'Value too large for defined data type',
  ELOOP: 'Too many levels of symbolic links',
  EOPNOTSUPP: 'Operation not supported',
  ENOTSUP: 'Operation not supported',
  EDQUOT: 'Disk quota exceeded',
};

/** The errno name for a number (`2` → `'ENOENT'`). */
export function errnoName(errno: number): ErrnoName | `E${number}` {
  return (ERRNO_NAMES.get(errno) as ErrnoName | undefined) ?? `E${errno}`;
}

/** glibc's message for an errno name (`'ERANGE'` → `'Numerical result out of range'`). */
export function strerror(code: string): string {
  return MESSAGES[code] ?? `Unknown error ${constants.errno[code as keyof typeof constants.errno] ?? code}`;
}

/**
 * The one error type of every libc operation: the errno as `code` ('ENOENT'), the call that
 * failed, and the object it was about.
 */
export class IpcError extends Error implements IpcObjectRef {
  override readonly name: string = 'IpcError';
  /** The errno's name; `E<n>` for a number Node does not name. */
  readonly code: ErrnoName | `E${number}`;
  readonly errno: number;
  readonly syscall: string;
  readonly id?: number;
  readonly key?: number;
  readonly objectName?: string;
  readonly path?: string;

  constructor(options: { errno: number; syscall: string; object?: IpcObjectRef; message?: string }) {
    const code = errnoName(options.errno);
    const text = options.message ?? strerror(code);
    super(`${options.syscall}${describe(options.object)}: ${text}`);
    this.code = code;
    this.errno = options.errno;
    this.syscall = options.syscall;
    const object = options.object ?? {};
    if (object.id !== undefined) this.id = object.id;
    if (object.key !== undefined) this.key = object.key;
    if (object.name !== undefined) this.objectName = object.name;
    if (object.path !== undefined) this.path = object.path;
  }

  /** glibc's text for the errno, without the call and object (what util-linux's err() appends). */
  get reason(): string {
    return strerror(this.code);
  }
}

function describe(object: IpcObjectRef | undefined): string {
  if (!object) return '';
  if (object.id !== undefined) return ` (id ${object.id})`;
  if (object.key !== undefined) return ` (key ${formatKey(object.key)})`;
  if (object.name !== undefined) return ` (${object.name})`;
  if (object.path !== undefined) return ` (${object.path})`;
  return '';
}

/**
 * The one error of every wait that runs out of time (a timeout given to semop, receiveMessage,
 * sendMessage, mq send/receive, sem wait): an IpcError whose code is ETIMEDOUT, whatever the call
 * itself would have reported (semtimedop says EAGAIN).
 */
export class IpcTimeoutError extends IpcError {
  override readonly name: string = 'IpcTimeoutError';
  /** The timeout that ran out, in milliseconds. */
  readonly timeout: number;

  constructor(options: { syscall: string; object?: IpcObjectRef; timeout: number }) {
    super({
      errno: constants.errno.ETIMEDOUT,
      syscall: options.syscall,
      ...(options.object ? { object: options.object } : {}),
      message: `timed out after ${options.timeout} ms`,
    });
    this.timeout = options.timeout;
  }
}

/**
 * Thrown when an attachment, mapping or handle is used after it was detached, unmapped or closed.
 * Its code is EBADF, what the kernel says of a closed descriptor.
 */
export class ClosedHandleError extends Error {
  override readonly name = 'ClosedHandleError';
  readonly code = 'EBADF' satisfies ErrnoName;
}
