/** --help and --version texts, in util-linux 2.38's layout (the installed reference). */

/** `program` is the name as invoked, without its directory (program_invocation_short_name). */
export function formatHelp(program: string): string {
  return `
Usage:
 ${program} [resource-option...] [output-option]
 ${program} -m|-q|-s -i <id>

Show information on IPC facilities.

Options:
 -i, --id <id>  print details on resource identified by <id>
 -h, --help     display this help
 -V, --version  display version

Resource options:
 -m, --shmems      shared memory segments
 -q, --queues      message queues
 -s, --semaphores  semaphores
 -a, --all         all (default)

Output options:
 -t, --time        show attach, detach and change times
 -p, --pid         show PIDs of creator and last operator
 -c, --creator     show creator and owner
 -l, --limits      show resource limits
 -u, --summary     show status summary
     --human       show sizes in human-readable format
 -b, --bytes       show sizes in bytes

For more details see ipcs(1).
`;
}

/** util-linux prints "ipcs from util-linux 2.38.1"; ours names this project. */
export { formatUtilLinuxVersion as formatVersion } from '@ipcutils/cli';
