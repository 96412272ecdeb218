/**
 * Every path the core reads, in one place (util-linux: include/pathnames.h). Readers take an
 * optional override so tests can point them at fixtures.
 */

/** System V object tables: one header line, then one object per line (namespace-wide). */
export const PATH_PROC_SYSV_SHM = '/proc/sysvipc/shm';
export const PATH_PROC_SYSV_MSG = '/proc/sysvipc/msg';
export const PATH_PROC_SYSV_SEM = '/proc/sysvipc/sem';

/** System V limits (util-linux _PATH_PROC_IPC_*). */
export const PATH_PROC_IPC_SHMALL = '/proc/sys/kernel/shmall';
export const PATH_PROC_IPC_SHMMAX = '/proc/sys/kernel/shmmax';
export const PATH_PROC_IPC_SHMMNI = '/proc/sys/kernel/shmmni';
export const PATH_PROC_IPC_MSGMNI = '/proc/sys/kernel/msgmni';
export const PATH_PROC_IPC_MSGMAX = '/proc/sys/kernel/msgmax';
export const PATH_PROC_IPC_MSGMNB = '/proc/sys/kernel/msgmnb';
/** "SEMMSL\tSEMMNS\tSEMOPM\tSEMMNI". */
export const PATH_PROC_IPC_SEM = '/proc/sys/kernel/sem';

/** POSIX message queue limits (util-linux _PATH_PROC_POSIX_IPC_*). */
export const PATH_PROC_MQUEUE_QUEUES_MAX = '/proc/sys/fs/mqueue/queues_max';
export const PATH_PROC_MQUEUE_MSG_MAX = '/proc/sys/fs/mqueue/msg_max';
export const PATH_PROC_MQUEUE_MSGSIZE_MAX = '/proc/sys/fs/mqueue/msgsize_max';
/** What mq_open uses when a queue is created without attributes. */
export const PATH_PROC_MQUEUE_MSG_DEFAULT = '/proc/sys/fs/mqueue/msg_default';
export const PATH_PROC_MQUEUE_MSGSIZE_DEFAULT = '/proc/sys/fs/mqueue/msgsize_default';

/** glibc's shm_open and sem_open create their files here (semaphores as "sem.NAME"). */
export const PATH_DEV_SHM = '/dev/shm';
/** The mqueue filesystem, when mounted: one file per queue, reading it gives "QSIZE:…". */
export const PATH_DEV_MQUEUE = '/dev/mqueue';

/** The name service: when its passwd/group lines list "files" first, the files answer as NSS would. */
export const PATH_NSSWITCH = '/etc/nsswitch.conf';
export const PATH_PASSWD = '/etc/passwd';
export const PATH_GROUP = '/etc/group';

/** Per-process views: open files, mappings, start times. */
export const PATH_PROC = '/proc';
/** The running process's own status (Umask:). */
export const PATH_PROC_SELF_STATUS = '/proc/self/status';

/** Random bytes for keys (ipcmk, as util-linux's random_get_bytes() falls back to). */
export const PATH_DEV_URANDOM = '/dev/urandom';

/** Where glibc finds the zone named by TZ (TZDIR's default). */
export const PATH_ZONEINFO = '/usr/share/zoneinfo';
