import { constants } from 'node:os';
import { IpcError, type IpcObjectRef } from '../errors.js';
import type { Raw } from './libc.js';

/** The IpcError for a failed call; ffi-rs's text is glibc's strerror() plus " (os error N)". */
export function errorFrom(raw: Raw, syscall: string, object?: IpcObjectRef): IpcError {
  const message = raw.errnoMessage.replace(/ \(os error \d+\)$/, '');
  return new IpcError({ errno: raw.errnoCode, syscall, message, ...(object ? { object } : {}) });
}

/** The result of a call that returns -1 on failure (errno is only meaningful then). */
export function check(raw: Raw, syscall: string, object?: IpcObjectRef): number {
  if (raw.value === -1) throw errorFrom(raw, syscall, object);
  return raw.value;
}

/** The result of a call that returns a pointer, NULL (0) or -1 on failure. */
export function checkPointer(raw: Raw, syscall: string, object?: IpcObjectRef): number {
  if (raw.value === 0 || raw.value === -1) throw errorFrom(raw, syscall, object);
  return raw.value;
}

/**
 * Refuses a name or path with an embedded NUL: ffi-rs hands strings to C NUL-terminated, so the
 * call would silently act on the object named by the part before it. EINVAL, as the kernel gives
 * for bad names.
 */
export function assertCString(text: string, syscall: string, object: IpcObjectRef): void {
  if (!text.includes('\0')) return;
  const what = object.path === undefined ? 'name' : 'path';
  throw new IpcError({
    errno: constants.errno.EINVAL,
    syscall,
    object,
    message: `Invalid argument: NUL in ${what}`,
  });
}

/**
 * A queue or set removed while a call waited: a blocked call wakes with EIDRM, but a retry finds
 * no such id (constants.errno.EINVAL). The first attempt already passed every other constants.errno.EINVAL check.
 */
export function removedWhileWaiting(raw: Raw, retry: boolean): Raw {
  if (!retry || raw.errnoCode !== constants.errno.EINVAL) return raw;
  return { value: -1, errnoCode: constants.errno.EIDRM, errnoMessage: 'Identifier removed' };
}

/**
 * A node:fs call on the descriptor of an IPC object (pread, pwrite, fstat): its failure, a Node
 * SystemError, becomes the IpcError the libc call would have made (code, syscall, object).
 */
export function fsCall<T>(call: () => T, syscall: string, object: IpcObjectRef): T {
  try {
    return call();
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const errno = code === undefined ? undefined : (constants.errno as Record<string, number>)[code];
    if (errno === undefined) throw error;
    throw new IpcError({ errno, syscall, object });
  }
}
