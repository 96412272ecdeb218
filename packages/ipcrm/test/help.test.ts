import { expect, it } from 'vitest';
import { formatHelp, formatVersion } from '../src/help.js';

// util-linux 2.43-devel's `ipcrm --help`, captured verbatim.
const UTIL_LINUX_HELP = `
Usage:
 ipcrm [options]
 ipcrm shm|msg|sem <id>...

Remove certain IPC resources.

Options:
 -m, --shmem-id <id>           remove shared memory segment by id
 -M, --shmem-key <key>         remove shared memory segment by key
     --posix-shmem <name>      remove POSIX shared memory segment by name
 -q, --queue-id <id>           remove message queue by id
 -Q, --queue-key <key>         remove message queue by key
     --posix-mqueue <name>     remove POSIX message queue by name
 -s, --semaphore-id <id>       remove semaphore by id
 -S, --semaphore-key <key>     remove semaphore by key
     --posix-semaphore <name>  remove POSIX semaphore by name
 -a, --all[=shm|pshm|msg|pmsg|sem|psem]
                               remove all (in the specified category)
 -v, --verbose                 explain what is being done

 -h, --help                 display this help
 -V, --version              display version

For more details see ipcrm(1).
`;

// Ours, between util-linux's -V line and its closing line (COMPATIBILITY.md, "Additions").
const CLEANUP_HELP = `
Cleanup (ipcutils): remove only what the filters select, of the objects named by
the options above or --all=<category> (repeatable: the union), or of every kind
when none is given. Filters combine with AND:
     --owner <user>            owned by <user> (name or UID)
     --creator <user>          created by <user> (name or UID)
     --key <key>               with this key (repeatable)
     --name-pattern <glob>     POSIX objects whose name (without "/") matches
                                 <glob> (repeatable)
     --exclude-owner <user>, --exclude-key <key>, --exclude-name <glob>
                               never these (each repeatable)
     --older-than <age>        idle at least <age>: 90s, 30m, 12h, 7d, since the
                                 latest of: segment attach, detach, change
                                 (shm_atime, shm_dtime, shm_ctime); semaphore
                                 set semop, change (sem_otime, sem_ctime); queue
                                 send, receive, change (msg_stime, msg_rtime,
                                 msg_ctime); POSIX shm and semaphore: the file's
                                 atime, mtime, ctime; POSIX queue: its mtime
     --min-size <size>         segment size or bytes queued at least <size>
     --unattached              segments with nattch 0, POSIX objects nobody holds
     --orphaned                no live process uses it: a segment with nattch 0
                                 whose creator and last user are gone; a
                                 semaphore set or queue nobody waits on, without
                                 queued messages, whose last users (sempid,
                                 lspid, lrpid) are gone and whose owner runs no
                                 process (or idle --older-than); a POSIX object
                                 nobody maps or holds open. A pid reused by a
                                 newer process counts as gone.
     --with-messages           --orphaned may remove queues holding messages
     --explain                 print each candidate's verdict and its evidence
     --dry-run                 print what would be removed, remove nothing
     --json                    print a typed report: selected, removed, skipped
                                 (and why), failed, undetermined (docs/json.md)
 Right before its removal each object is checked again (same id, key and change
 time, still matching); one that changed is skipped and reported. An object that
 could not be judged (a process we may not inspect) is kept and reported.

Exit status:
 0  every selected object was removed (or none matched)
 1  a removal failed, or a usage error
 2  nothing failed, but some objects could not be judged and were kept
`;

it('prints util-linux 2.43 help text byte for byte, with our cleanup options before its last line', () => {
  const last = '\nFor more details see ipcrm(1).\n';
  expect(formatHelp('ipcrm')).toBe(UTIL_LINUX_HELP.replace(last, CLEANUP_HELP + last));
});

it('uses the name it was invoked as', () => {
  expect(formatHelp('rm-ipc')).toContain('\n rm-ipc shm|msg|sem <id>...\n');
});

it('names this project in --version', () => {
  expect(formatVersion('ipcrm')).toBe('ipcrm from ipcutils 0.2.0\n');
});
