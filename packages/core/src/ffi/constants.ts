/** Linux/glibc constants (identical on x86_64 and aarch64; the asm-generic values). */

export const IPC_PRIVATE = 0;
export const IPC_CREAT = 0o1000;
export const IPC_EXCL = 0o2000;
export const IPC_NOWAIT = 0o4000;

export const IPC_RMID = 0;
export const IPC_SET = 1;
export const IPC_STAT = 2;
export const IPC_INFO = 3;

export const SHM_RDONLY = 0o10000;
export const SHM_LOCK = 11;
export const SHM_UNLOCK = 12;
export const SHM_STAT = 13;
export const SHM_INFO = 14;
export const SHM_STAT_ANY = 15;
/** The kernel ORs these into shm_perm.mode; they are defined only inside #ifdef __KERNEL__. */
export const SHM_DEST = 0o1000;
export const SHM_LOCKED = 0o2000;

export const MSG_STAT = 11;
export const MSG_INFO = 12;
export const MSG_STAT_ANY = 13;
export const MSG_NOERROR = 0o10000;
export const MSG_EXCEPT = 0o20000;
/** msgrcv copies the message at index msgtyp and leaves it queued (needs IPC_NOWAIT, CONFIG_CHECKPOINT_RESTORE). */
export const MSG_COPY = 0o40000;

export const GETPID = 11;
export const GETVAL = 12;
export const GETALL = 13;
export const GETNCNT = 14;
export const GETZCNT = 15;
export const SETVAL = 16;
export const SETALL = 17;
export const SEM_STAT = 18;
export const SEM_INFO = 19;
export const SEM_STAT_ANY = 20;
export const SEM_UNDO = 0x1000;
/** SEMVMX: the kernel's maximum semaphore value; util-linux prints the constant. */
export const SEMVMX = 32767;

export const O_RDONLY = 0;
export const O_WRONLY = 1;
export const O_RDWR = 2;
export const O_CREAT = 0o100;
export const O_EXCL = 0o200;
export const O_NONBLOCK = 0o4000;
export const O_CLOEXEC = 0o2000000;

export const PROT_READ = 1;
export const PROT_WRITE = 2;
export const MAP_SHARED = 1;
