/** --help and --version texts, in util-linux 2.43's layout, with our options in the same layout. */

/** `program` is the name as invoked, without its directory (program_invocation_short_name). */
export function formatHelp(program: string): string {
  return `
Usage:
 ${program} [options]

Create various IPC resources.

Options:
 -M, --shmem <size>       create shared memory segment of size <size>
 -m, --posix-shmem <size> create POSIX shared memory segment of size <size>
 -S, --semaphore <number> create semaphore array with <number> elements
 -s, --posix-semaphore    create POSIX semaphore
 -Q, --queue              create message queue
 -q, --posix-mqueue       create POSIX message queue
 -p, --mode <mode>        permission for the resource (default is 0644)
 -n, --name <name>        name of the POSIX resource
     --key <key>          create System V resources with this key
                            (0 is IPC_PRIVATE); fails if the key is in use
     --ftok <path>        derive the System V key from <path> with ftok(3)
     --project-id <id>    project id for --ftok, 1-255 (default 1)
     --json               print the created resources as JSON

 -h, --help               display this help
 -V, --version            display version

Arguments:
 Values for <size> may be followed by a suffix: KiB, MiB,
 GiB, TiB, PiB, EiB, ZiB, or YiB (where the "iB" is optional).

 -n, --name <name> option is required for POSIX IPC

For more details see ipcmk(1).
`;
}

/** util-linux prints "ipcs from util-linux 2.38.1"; ours names this project. */
export { formatUtilLinuxVersion as formatVersion } from '@ipcutils/cli';
