import { expect, it } from 'vitest';
import { formatHelp, formatVersion } from '../src/help.js';

// util-linux 2.43-devel's `ipcmk --help`, captured verbatim.
const UTIL_LINUX_HELP = `
Usage:
 ipcmk [options]

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

 -h, --help               display this help
 -V, --version            display version

Arguments:
 Values for <size> may be followed by a suffix: KiB, MiB,
 GiB, TiB, PiB, EiB, ZiB, or YiB (where the "iB" is optional).

 -n, --name <name> option is required for POSIX IPC

For more details see ipcmk(1).
`;

const OUR_OPTIONS = [
  '     --key <key>          create System V resources with this key',
  '                            (0 is IPC_PRIVATE); fails if the key is in use',
  '     --ftok <path>        derive the System V key from <path> with ftok(3)',
  '     --project-id <id>    project id for --ftok, 1-255 (default 1)',
  '     --json               print the created resources as JSON',
];

it("is util-linux 2.43's help plus our options, after -n, in the same columns", () => {
  const lines = formatHelp('ipcmk').split('\n');
  const at = lines.indexOf(' -n, --name <name>        name of the POSIX resource') + 1;
  expect(lines.slice(at, at + OUR_OPTIONS.length)).toEqual(OUR_OPTIONS);
  lines.splice(at, OUR_OPTIONS.length);
  expect(lines.join('\n')).toBe(UTIL_LINUX_HELP);
});

it('names this project in --version', () => {
  expect(formatVersion('ipcmk')).toBe('ipcmk from ipcutils 0.2.0\n');
});
