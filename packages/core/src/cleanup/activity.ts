/**
 * What the processes of /proc are doing, for the System V semaphore sets and queues that record
 * no attach count: which uids live processes run as (a live process of an object's owner may be
 * the parent that keeps it while its workers come and go), and which processes are blocked in
 * msgsnd(2) or msgrcv(2) on a queue right now (removing the queue would wake them with EIDRM).
 * /proc/PID/status is world-readable; /proc/PID/syscall needs ptrace access (our own processes,
 * or root's privilege); /proc/PID/wchan names the kernel function a sleeper waits in when we may
 * read it. Whatever cannot be read is a doubt, never an absence.
 */
import { readFileSync } from 'node:fs';
import { PATH_PROC } from '../paths.js';
import { isProcHidingProcesses, listPids } from '../proc/pids.js';

/** Processes found, and whether some may have been missed (hidepid, unreadable files). */
export interface ProcessesFound {
  pids: number[];
  /** False when a process we could not inspect (or one /proc hides) may be one of them. */
  complete: boolean;
}

/** The seam selectObjects asks; ProcActivity reads /proc. */
export interface ProcessActivity {
  /** Live processes (not zombies, not this one) whose real, effective, saved or fs uid is one of `uids`. */
  processesRunningAs(uids: readonly number[]): ProcessesFound;
  /** Processes blocked in msgsnd or msgrcv on queue `id`. */
  queueWaiters(id: number): ProcessesFound;
}

export interface ProcActivityOptions {
  /** Default /proc. */
  procRoot?: string;
  /** Left out of "live processes" (default: this process, which is the cleanup itself). */
  selfPid?: number;
}

interface ProcessUids {
  pid: number;
  uids: number[];
}

/** The msgsnd/msgrcv system call numbers, as /proc/PID/syscall prints them, by architecture. */
const MSG_SYSCALLS: Readonly<Record<string, readonly number[]>> = {
  x64: [69, 70],
  arm64: [189, 188],
  riscv64: [189, 188],
  loong64: [189, 188],
};

/** Reads /proc at most once per question kind: one instance per selection (or re-check). */
export class ProcActivity implements ProcessActivity {
  private readonly procRoot: string;
  private readonly selfPid: number;
  private processes: { list: ProcessUids[]; complete: boolean } | undefined;
  private waiters: { byQueue: Map<number, number[]>; doubtful: boolean } | undefined;
  private readonly byOwner = new Map<string, ProcessesFound>();

  constructor(options: ProcActivityOptions = {}) {
    this.procRoot = options.procRoot ?? PATH_PROC;
    this.selfPid = options.selfPid ?? process.pid;
  }

  processesRunningAs(uids: readonly number[]): ProcessesFound {
    // Thousands of objects share a handful of owners: one answer per owner, shared (read-only).
    const key = uids.join(',');
    let found = this.byOwner.get(key);
    if (found === undefined) {
      const { list, complete } = this.readProcesses();
      const pids = list
        .filter((entry) => entry.uids.some((uid) => uids.includes(uid)))
        .map((entry) => entry.pid);
      found = { pids, complete };
      this.byOwner.set(key, found);
    }
    return found;
  }

  queueWaiters(id: number): ProcessesFound {
    this.waiters ??= this.readWaiters();
    return { pids: this.waiters.byQueue.get(id) ?? [], complete: !this.waiters.doubtful };
  }

  private readProcesses(): { list: ProcessUids[]; complete: boolean } {
    if (this.processes !== undefined) return this.processes;
    const list: ProcessUids[] = [];
    let complete = !isProcHidingProcesses(this.procRoot);
    for (const pid of listPids(this.procRoot)) {
      if (pid === this.selfPid) continue;
      const status = readText(`${this.procRoot}/${pid}/status`);
      if (status === 'gone') continue;
      if (status === 'denied') {
        complete = false;
        continue;
      }
      const parsed = parseStatus(status);
      if (parsed === undefined) {
        complete = false;
        continue;
      }
      // A zombie has released its IPC objects and keeps nothing alive.
      if (parsed.state === 'Z' || parsed.state === 'X') continue;
      list.push({ pid, uids: parsed.uids });
    }
    this.processes = { list, complete };
    return this.processes;
  }

  private readWaiters(): { byQueue: Map<number, number[]>; doubtful: boolean } {
    const byQueue = new Map<number, number[]>();
    let doubtful = !this.readProcesses().complete;
    for (const { pid } of this.readProcesses().list) {
      // A threaded program (libuv's pool) waits in another thread than its main one.
      for (const tid of listTasks(`${this.procRoot}/${pid}/task`)) {
        const queue = this.taskWait(`${this.procRoot}/${pid}/task/${tid}`);
        if (queue === 'doubt') doubtful = true;
        else if (queue !== undefined) {
          const pids = byQueue.get(queue) ?? [];
          if (!pids.includes(pid)) pids.push(pid);
          byQueue.set(queue, pids);
        }
      }
    }
    return { byQueue, doubtful };
  }

  /** The queue a task is blocked on; undefined when none; 'doubt' when it may be one we cannot see. */
  private taskWait(taskDir: string): number | 'doubt' | undefined {
    const msgCalls = MSG_SYSCALLS[process.arch];
    // An architecture whose numbers we do not know reads as unreadable: wchan and state decide.
    const call = msgCalls === undefined ? 'unreadable' : readSyscall(`${taskDir}/syscall`);
    if (call === 'other') return undefined;
    if (call !== 'unreadable') return msgCalls?.includes(call.number) ? call.firstArgument : undefined;
    const wchan = readText(`${taskDir}/wchan`);
    if (wchan === 'gone') return undefined;
    // A symbol: the kernel function it sleeps in. "0" is also what a task we may not trace shows.
    if (wchan !== 'denied' && wchan !== '0' && wchan !== '') return /msg/.test(wchan) ? 'doubt' : undefined;
    const state = readTaskState(`${taskDir}/stat`);
    // msgsnd and msgrcv sleep interruptibly ('S'); a stopped task resumes into them.
    return state === 'S' || state === 'T' || state === 't' || state === undefined ? 'doubt' : undefined;
  }
}

function listTasks(taskRoot: string): number[] {
  try {
    return listPids(taskRoot);
  } catch {
    return [];
  }
}

/** Field 3 of /proc/PID/task/TID/stat (world-readable); undefined when unreadable. */
function readTaskState(path: string): string | undefined {
  const text = readText(path);
  if (text === 'denied' || text === 'gone') return text === 'gone' ? 'X' : undefined;
  return text.slice(text.lastIndexOf(')') + 2, text.lastIndexOf(')') + 3) || undefined;
}

/** "Uid: r e s fs" and "State: S (sleeping)" of /proc/PID/status. */
function parseStatus(text: string): { uids: number[]; state: string } | undefined {
  const uidLine = /^Uid:\s+(\d+)\s+(\d+)\s+(\d+)\s+(\d+)/m.exec(text);
  const stateLine = /^State:\s+(\S)/m.exec(text);
  if (uidLine === null || stateLine === null) return undefined;
  return { uids: uidLine.slice(1, 5).map(Number), state: stateLine[1]! };
}

type Syscall = { number: number; firstArgument: number } | 'other' | 'unreadable';

/** "NR ARG1 … SP PC" while blocked in a system call; "running" or "-1 SP PC" otherwise. */
function readSyscall(path: string): Syscall {
  const text = readText(path);
  if (text === 'denied') return 'unreadable';
  if (text === 'gone') return 'other';
  const [number, first] = text.split(' ');
  if (number === undefined || !/^[0-9]+$/.test(number) || first === undefined) return 'other';
  return { number: Number(number), firstArgument: Number(BigInt.asIntN(32, BigInt(first))) };
}

function readText(path: string): string | 'denied' | 'gone' {
  try {
    return readFileSync(path, 'latin1').trim();
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    return code === 'ENOENT' || code === 'ESRCH' ? 'gone' : 'denied';
  }
}
