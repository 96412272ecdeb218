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

it('prints util-linux 2.43 help text byte for byte', () => {
  expect(formatHelp('ipcrm')).toBe(UTIL_LINUX_HELP);
});

it('uses the name it was invoked as', () => {
  expect(formatHelp('rm-ipc')).toContain('\n rm-ipc shm|msg|sem <id>...\n');
});

it('names this project in --version', () => {
  expect(formatVersion('ipcrm')).toBe('ipcrm from ipcutils 0.1.0\n');
});
