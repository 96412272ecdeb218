/** lsipc --help (util-linux 2.43's text and layout) and --version. */
import { COLUMN_IDS, COLUMNS, type ColumnId } from './columns.js';

/** This project's version, printed by --version. */
export const VERSION = '0.1.0';

export function formatVersion(program: string): string {
  return `${program} from ipcutils ${VERSION}\n`;
}

function columnList(title: string, ids: readonly ColumnId[]): string {
  const lines = ids.map((id) => ` ${id.padStart(14, ' ')}  ${COLUMNS[id].help}\n`);
  return `\n${title}:\n${lines.join('')}`;
}

function range(first: ColumnId, last: ColumnId): ColumnId[] {
  return COLUMN_IDS.slice(COLUMN_IDS.indexOf(first), COLUMN_IDS.indexOf(last) + 1);
}

export function formatHelp(program: string): string {
  return [
    '\nUsage:\n',
    ` ${program} [options]\n`,
    '\nShow information on IPC facilities.\n',
    '\nResource options:\n',
    ' -m, --shmems             shared memory segments\n',
    ' -M, --posix-shmems       POSIX shared memory segments\n',
    ' -q, --queues             message queues\n',
    ' -Q, --posix-mqueues      POSIX message queues\n',
    ' -s, --semaphores         semaphores\n',
    ' -S, --posix-semaphores   POSIX semaphores\n',
    ' -g, --global             info about system-wide usage\n',
    '                            (may be used with -m, -q and -s)\n',
    ' -i, --id <id>            System V resource identified by <id>\n',
    ' -N, --name <name>        POSIX resource identified by <name>\n',
    '\nOptions:\n',
    "     --noheadings         don't print headings\n",
    "     --notruncate         don't truncate output\n",
    '     --time-format=<type> display dates in short, full or iso format\n',
    ' -b, --bytes              print SIZE in bytes rather than in human-readable form\n',
    ' -c, --creator            show creator and owner\n',
    ' -e, --export             display in an export-able output format\n',
    ' -J, --json               use the JSON output format\n',
    ' -n, --newline            display each piece of information on a new line\n',
    ' -l, --list               force list output format (for example with --id)\n',
    ' -o, --output[=<list>]    define the columns to output\n',
    ' -P, --numeric-perms      print numeric permissions (PERMS column)\n',
    ' -r, --raw                display in raw mode\n',
    ' -t, --time               show attach, detach and change times\n',
    ' -y, --shell              use column names to be usable as shell variables\n',
    '\n',
    ' -h, --help               display this help\n',
    ' -V, --version            display version\n',
    columnList('Generic System V columns', range('KEY', 'CTIME')),
    columnList('Generic POSIX columns', ['NAME', ...range('OWNER', 'CGROUP'), 'MTIME']),
    columnList('System V Shared-memory columns (--shmems)', range('SIZE', 'LPID')),
    columnList('System V Message-queue columns (--queues)', range('USEDBYTES', 'LRPID')),
    columnList('System V Semaphore columns (--semaphores)', range('NSEMS', 'OTIME')),
    columnList('POSIX Semaphore columns (--posix-semaphores)', ['SVAL']),
    columnList('Summary columns (--global)', range('RESOURCE', 'USE%')),
    '\nFor more details see lsipc(1).\n',
  ].join('');
}
