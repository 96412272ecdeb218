import { COLUMN_IDS, COLUMNS, DEFAULT_COLUMNS } from './columns.js';

/** util-linux's help layout. */
export function formatHelp(program: string): string {
  const columns = COLUMN_IDS.map((id) => ` ${id.padStart(8)}  ${COLUMNS[id].description}\n`).join('');
  return `
Usage:
 ${program} [options] [<path>...]

List named pipes (FIFOs) and the processes that hold them open: the FIFOs under
each <path> (default: the current directory), or every FIFO a process has open.

Options:
 -a, --all-processes   list the FIFOs processes have open instead of walking <path>s
 -p, --pipes           list unnamed pipes (pipe:[inode]) too
 -d, --depth <n>       descend at most <n> levels (1: only the entries of <path>)
 -x, --one-file-system stay on the filesystem of each <path> (/proc, /sys and other
                         pseudo filesystems are skipped anyway unless a <path> is on one)
 -J, --json            use JSON output format
 -n, --noheadings      don't print headings
 -o, --output <list>   the columns to print (default: ${DEFAULT_COLUMNS.join(',')});
                         a list starting with + adds to the default

 -h, --help            display this help
 -V, --version         display version

Holders are read from /proc/PID/fd and fdinfo. Processes you may not inspect
(other users', unless you are root) make the answer "unknown" rather than "none".

Available output columns:
${columns}`;
}
