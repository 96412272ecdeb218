/** --help and --version texts, in util-linux 2.43's layout. */
import { IPCUTILS_VERSION } from './version.js';

/** `program` is the name as invoked, without its directory (program_invocation_short_name). */
export function formatHelp(program: string): string {
  return `
Usage:
 ${program} [options]
 ${program} shm|msg|sem <id>...

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
}

/** util-linux prints "ipcrm from util-linux 2.43"; ours names this project. */
export function formatVersion(program: string): string {
  return `${program} from ipcutils ${IPCUTILS_VERSION}\n`;
}
