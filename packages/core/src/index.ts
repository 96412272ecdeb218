/**
 * @ipcutils/core: Linux IPC as a typed library. Readers of /proc and /dev (no native code
 * loaded), and operations on System V and POSIX objects through libc (ffi-rs, loaded on first use).
 */
export * from './cleanup/index.js';
export * from './errors.js';
export * from './ffi/constants.js';
export * from './fifo.js';
export * from './keys.js';
export * from './localtime.js';
export * from './names.js';
export * from './paths.js';
export * from './pipe.js';
export * from './posix/list.js';
export * from './posix/mqueue.js';
export * from './posix/sem.js';
export * from './posix/shm.js';
export * from './proc/auxv.js';
export * from './proc/cmdline.js';
export * from './proc/fds.js';
export * from './proc/limits.js';
export { listChildPids } from './proc/pids.js';
export * from './proc/sysvipc.js';
export * from './sysv/bulk.js';
export * from './sysv/ftok.js';
export * from './sysv/info.js';
export * from './sysv/msg.js';
export * from './sysv/sem.js';
export * from './sysv/shm.js';
export * from './sysv/sources.js';
export type * from './types.js';
export * from './users.js';
export { POLL_MAX_MS, type WaitOptions } from './wait.js';
