/** What the open-file scan and the cleanup's holder scan both need to know of /proc's processes. */
import { lstatSync, readdirSync, readFileSync, readlinkSync } from 'node:fs';

/** The pids /proc lists, ascending. */
export function listPids(procRoot: string): number[] {
  const pids: number[] = [];
  for (const name of readdirSync(procRoot)) {
    if (/^[0-9]+$/.test(name)) pids.push(Number(name));
  }
  return pids.sort((a, b) => a - b);
}

/** /proc/PID/comm (the first 15 bytes of the executable's name), or '' when it cannot be read. */
export function readCommand(procRoot: string, pid: number): string {
  try {
    return readFileSync(`${procRoot}/${pid}/comm`, 'utf8').replace(/\n$/, '');
  } catch {
    return '';
  }
}

/**
 * Whether this /proc may leave processes of ours out, so that a pid or holder missing from it
 * proves nothing: it hides other users' processes from us (mounted hidepid=invisible or
 * ptraceable; root sees every process whatever hidepid says), or it is the /proc of a pid
 * namespace we are not in (see procSelf).
 */
export function isProcHidingProcesses(procRoot: string): boolean {
  if (procSelf(procRoot) === 'blind') return true;
  if (process.geteuid?.() === 0) return false;
  let mountinfo: string;
  try {
    mountinfo = readFileSync(`${procRoot}/self/mountinfo`, 'utf8');
  } catch {
    return false;
  }
  for (const line of mountinfo.split('\n')) {
    const [mount, superBlock] = line.split(' - ');
    if (mount?.split(' ')[4] !== procRoot || superBlock === undefined) continue;
    if (/(^|,)hidepid=(2|invisible|4|ptraceable)(,|$)/.test(superBlock.split(' ')[2] ?? '')) return true;
  }
  return false;
}

/**
 * What this /proc's self says of our pid namespace. /proc/sysvipc and semctl(GETPID) give pids as
 * the caller's pid namespace numbers them, /proc/PID as the namespace the /proc was mounted for;
 * `unshare --pid --fork` without --mount-proc, or `nsenter --pid` or `--mount` alone, leave the two
 * apart.
 * - ours: self is our pid (or not a link at all: a test's fixture tree);
 * - renumbered: self is another pid (a /proc of an ancestor namespace lists all of ours, under
 *   other numbers), or cannot be read;
 * - blind: self is a link that leads nowhere (ENOENT): a /proc of a namespace we are not in (a
 *   child's or a sibling's: `nsenter --mount` into a container), which lists none of ours.
 */
export function procSelf(procRoot: string): 'ours' | 'renumbered' | 'blind' {
  const self = `${procRoot}/self`;
  try {
    return readlinkSync(self) === String(process.pid) ? 'ours' : 'renumbered';
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EINVAL') return 'ours';
    if (code === 'ENOENT' && lstatSync(self, { throwIfNoEntry: false })?.isSymbolicLink()) return 'blind';
    return 'renumbered';
  }
}

/**
 * The children of a process: /proc/PID/task/TID/children of each of its threads (a child belongs to
 * the thread that forked it; CONFIG_PROC_CHILDREN). Undefined when the process is gone (or its
 * threads cannot be listed).
 */
export function listChildPids(procRoot: string, pid: number): number[] | undefined {
  let tasks: string[];
  try {
    tasks = readdirSync(`${procRoot}/${pid}/task`);
  } catch {
    return undefined;
  }
  const children: number[] = [];
  for (const task of tasks) {
    let text: string;
    try {
      text = readFileSync(`${procRoot}/${pid}/task/${task}/children`, 'latin1');
    } catch {
      continue;
    }
    for (const word of text.split(' ')) if (/^[0-9]+$/.test(word)) children.push(Number(word));
  }
  return children;
}
