/** util-linux's help layout. */
export function formatHelp(program: string): string {
  return `
Usage:
 ${program} [options] <path>...

Remove named pipes (FIFOs), and nothing else: a regular file, directory, socket,
device or symbolic link named on the command line is refused and left in place.

Options:
 -u, --unused                remove only FIFOs no process holds open or is opening
     --older-than <time>     remove only FIFOs last modified longer ago than <time>
                               (a number and s, m, h or d: 90s, 30m, 12h, 7d)
 -r, --recursive             remove the FIFOs below directories (links are not followed)
 -n, --dry-run               print what would be removed, remove nothing
 -v, --verbose               print each removal

 -h, --help                  display this help
 -V, --version               display version

Exit status is 0 when every FIFO was removed or skipped by a filter, 1 when a removal
failed, a path is not a FIFO, or --unused cannot tell whether a FIFO is in use
(processes of other users cannot be inspected: run as root). SIGINT, SIGTERM or SIGHUP
stop it once the FIFOs under way are removed or back under their names: 128 + the signal.
`;
}
