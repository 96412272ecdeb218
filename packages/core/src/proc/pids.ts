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
 * namespace we are not in (see isProcBlindToUs).
 */
export function isProcHidingProcesses(procRoot: string): boolean {
  if (isProcBlindToUs(procRoot)) return true;
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
 * Whether this /proc was mounted for a pid namespace we are not in (a child's or a sibling's:
 * `nsenter --mount` into a container, `unshare --pid --fork --mount-proc` entered by mount alone):
 * it lists none of our namespace's processes, and its self, a link still, leads nowhere (ENOENT).
 * A /proc of an ancestor namespace lists all of ours, under other numbers (isProcOfOurPidNamespace).
 */
function isProcBlindToUs(procRoot: string): boolean {
  const self = `${procRoot}/self`;
  try {
    readlinkSync(self);
    return false;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') return false;
    return lstatSync(self, { throwIfNoEntry: false })?.isSymbolicLink() === true;
  }
}

/**
 * Whether this /proc numbers processes as our pid namespace does. /proc/sysvipc and semctl(GETPID)
 * give pids as the caller's pid namespace numbers them, /proc/PID as the namespace the /proc was
 * mounted for: `unshare --pid --fork` without --mount-proc, or `nsenter --pid` or `--mount` alone,
 * leave the two apart, and then /proc/self names another pid than ours, or none. A /proc whose
 * self is not a link at all (a test's fixture tree) counts as ours.
 */
export function isProcOfOurPidNamespace(procRoot: string): boolean {
  try {
    return readlinkSync(`${procRoot}/self`) === String(process.pid);
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EINVAL';
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
