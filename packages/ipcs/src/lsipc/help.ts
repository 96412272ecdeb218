/** lsipc --help (util-linux 2.43's text and layout) and --version. */
import { COLUMN_IDS, COLUMNS, type ColumnId, EXTRA_COLUMN_IDS } from './columns.js';

export { formatUtilLinuxVersion as formatVersion } from '@ipcutils/cli';

function columnList(title: string, ids: readonly ColumnId[]): string {
  const lines = ids.map((id) => ` ${id.padStart(14, ' ')}  ${COLUMNS[id].help}\n`);
  return `\n${title}:\n${lines.join('')}`;
}

function range(first: (typeof COLUMN_IDS)[number], last: (typeof COLUMN_IDS)[number]): ColumnId[] {
  return COLUMN_IDS.slice(COLUMN_IDS.indexOf(first), COLUMN_IDS.indexOf(last) + 1);
}

/** Our options (COMPATIBILITY.md, "Additions"), after util-linux's in the same layout. */
const CLEANUP_OPTIONS = [
  '\nSelect objects (ipcutils; filters combine with AND and with -m -q -s -M -Q -S;\n',
  'without a resource option every kind is listed in one table, with several the\n',
  'union of those kinds):\n',
  '     --owner <user>       owned by <user> (name or UID)\n',
  '     --creator=<user>     created by <user> (name or UID; note the "=")\n',
  '     --key <key>          with this key (repeatable)\n',
  '     --name-pattern <glob>\n',
  '                          POSIX objects whose name (without "/") matches <glob>\n',
  '     --exclude-owner <user>, --exclude-key <key>, --exclude-name <glob>\n',
  '                          never these (each repeatable)\n',
  '     --older-than <age>   idle at least <age>: 90s, 30m, 12h, 7d, since the latest\n',
  '                            of: segment attach, detach, change (shm_atime,\n',
  '                            shm_dtime, shm_ctime); semaphore set semop, change\n',
  '                            (sem_otime, sem_ctime); queue send, receive, change\n',
  '                            (msg_stime, msg_rtime, msg_ctime); POSIX shm and\n',
  "                            semaphore: the file's atime, mtime, ctime; POSIX\n",
  "                            queue: the file's mtime\n",
  '     --min-size <size>    segment size or bytes queued at least <size>\n',
  '     --unattached         segments with nattch 0, POSIX objects nobody holds\n',
  '     --orphaned           no live process uses it: a segment with nattch 0 whose\n',
  '                            creator and last user are gone; a semaphore set or\n',
  '                            queue nobody waits on, without queued messages,\n',
  '                            whose last users (sempid, lspid, lrpid) are gone and\n',
  '                            whose owner runs no process (or idle --older-than);\n',
  '                            a POSIX object nobody maps or holds open. A pid\n',
  '                            reused by a newer process counts as gone. Objects\n',
  '                            that could not be judged are counted on stderr.\n',
  '     --with-messages      --orphaned may select queues holding messages\n',
  '     --holders            add the HOLDERS column (also in the -i/-N view);\n',
  '                            a list ending in "?" may miss processes we may not\n',
  '                            inspect\n',
  '     --typed-json         JSON with numbers, ISO 8601 times and HOLDERS as arrays\n',
  '                            (docs/json.md); with --orphaned or --unattached, an\n',
  '                            "undetermined" list of the objects not judged\n',
].join('');

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
    CLEANUP_OPTIONS,
    columnList('Generic System V columns', range('KEY', 'CTIME')),
    columnList('Generic POSIX columns', ['NAME', ...range('OWNER', 'CGROUP'), 'MTIME']),
    columnList('System V Shared-memory columns (--shmems)', range('SIZE', 'LPID')),
    columnList('System V Message-queue columns (--queues)', range('USEDBYTES', 'LRPID')),
    columnList('System V Semaphore columns (--semaphores)', range('NSEMS', 'OTIME')),
    columnList('POSIX Semaphore columns (--posix-semaphores)', ['SVAL']),
    columnList('Summary columns (--global)', range('RESOURCE', 'USE%')),
    columnList('Columns of every resource (ipcutils)', EXTRA_COLUMN_IDS),
    '\nFor more details see lsipc(1).\n',
  ].join('');
}
