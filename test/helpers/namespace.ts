/**
 * Private IPC + mount (and optionally pid) namespaces for tests, so that no test sees or touches
 * the host's System V objects, /dev/shm or /dev/mqueue. A holder process keeps the namespaces
 * alive; every command runs inside them through nsenter, optionally as an unprivileged user.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';

export interface RunResult {
  stdout: string;
  stderr: string;
  /** Exit status, or 128 + signal number when killed by a signal. */
  status: number;
}

export interface User {
  uid: number;
  gid: number;
}

/** The unprivileged account every Debian machine has. */
export const NOBODY: User = { uid: 65534, gid: 65534 };

export interface RunOptions {
  /** Run as this user (setpriv --reuid/--regid, supplementary groups cleared). */
  user?: User;
  /** Written to standard input, which is then closed. */
  input?: string;
  /** Added to (and overriding) the default environment. */
  env?: Record<string, string>;
  cwd?: string;
  /** Kill the command after this many milliseconds (default 30 s). */
  timeoutMs?: number;
}

export interface NamespaceOptions {
  /** Also a private pid namespace (with its own /proc), for pid-reuse scenarios. */
  pid?: boolean;
  /** Leave /dev/mqueue unmounted (an empty directory), as on hosts without the mqueue mount. */
  noMqueue?: boolean;
}

/** Deterministic output: the samples and the differential tests assume UTC and the C locale. */
const BASE_ENV: Record<string, string> = {
  PATH: process.env.PATH ?? '/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin',
  TZ: 'UTC',
  LC_ALL: 'C',
  LANG: 'C',
};

const live = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of live) child.kill('SIGKILL');
});

export class IpcNamespace {
  private constructor(
    private readonly holder: ChildProcess,
    /** Host pid of a process inside the namespaces (the target for nsenter). */
    readonly targetPid: number,
    private readonly withPid: boolean,
  ) {}

  static async create(options: NamespaceOptions = {}): Promise<IpcNamespace> {
    const mounts = [
      'mount -t tmpfs -o mode=1777 tmpfs /dev/shm',
      'mkdir -p /dev/mqueue',
      options.noMqueue ? 'mount -t tmpfs -o mode=1777 tmpfs /dev/mqueue' : 'mount -t mqueue none /dev/mqueue',
    ];
    const unshareArgs = ['--ipc', '--mount', '--propagation', 'private'];
    if (options.pid) unshareArgs.push('--pid', '--fork', '--mount-proc');
    const script = `${mounts.join(' && ')} && echo ready && exec sleep infinity`;
    const holder = spawn('unshare', [...unshareArgs, '--', 'sh', '-c', script], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    live.add(holder);
    holder.once('exit', () => live.delete(holder));
    await waitForReady(holder);
    // With --fork the namespaces belong to unshare's child, not to unshare itself.
    const targetPid = options.pid ? childOf(holder.pid as number) : (holder.pid as number);
    return new IpcNamespace(holder, targetPid, options.pid === true);
  }

  /** The argv prefix that enters the namespaces (and drops privileges when asked). */
  prefix(user?: User, cwd: string = process.cwd()): string[] {
    // Without it, nsenter --mount starts the command in the namespace's root directory. --wd=DIR
    // would open DIR before entering: a directory of the outer mount namespace, which getcwd()
    // cannot name from inside and glibc then looks up by reading each ancestor (EACCES for nobody
    // below a 0700 directory). --wdns opens it inside.
    const enter = ['nsenter', '--target', String(this.targetPid), '--ipc', '--mount', `--wdns=${cwd}`];
    if (this.withPid) enter.push('--pid');
    enter.push('--');
    if (user) {
      enter.push('setpriv', `--reuid=${user.uid}`, `--regid=${user.gid}`, '--clear-groups', '--');
    }
    return enter;
  }

  /** Runs a command to completion inside the namespaces. */
  run(file: string, args: readonly string[] = [], options: RunOptions = {}): Promise<RunResult> {
    const child = this.spawn(file, args, options);
    return collect(child, options);
  }

  /** Runs a shell script inside the namespaces. */
  sh(script: string, options: RunOptions = {}): Promise<RunResult> {
    return this.run('sh', ['-c', script], options);
  }

  /**
   * Starts a long-lived command inside the namespaces (an attacher, a reader); the caller kills
   * it. In a pid namespace the returned process is nsenter's parent side: close() ends the rest.
   */
  spawn(file: string, args: readonly string[] = [], options: RunOptions = {}): ChildProcess {
    const [cmd, ...rest] = [...this.prefix(options.user, options.cwd), file, ...args] as [
      string,
      ...string[],
    ];
    const child = spawn(cmd, rest, {
      cwd: options.cwd,
      env: { ...BASE_ENV, ...options.env },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    live.add(child);
    child.once('exit', () => live.delete(child));
    if (options.input !== undefined) child.stdin?.end(options.input);
    return child;
  }

  async close(): Promise<void> {
    // Killing a pid namespace's init kills every process in it (nsenter forks into it, so
    // killing what spawn() returned would leave the command behind).
    if (this.withPid) {
      try {
        process.kill(this.targetPid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
    if (this.holder.exitCode !== null || this.holder.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => this.holder.once('exit', () => resolve()));
    this.holder.kill('SIGKILL');
    await exited;
  }
}

/** Runs `body` with a fresh namespace and always tears it down. */
export async function withNamespace<T>(
  body: (ns: IpcNamespace) => Promise<T>,
  options: NamespaceOptions = {},
): Promise<T> {
  const ns = await IpcNamespace.create(options);
  try {
    return await body(ns);
  } finally {
    await ns.close();
  }
}

/** Waits until a spawned process prints `line` on stdout (e.g. a helper saying it has attached). */
export function waitForLine(child: ChildProcess, line: string, timeoutMs = 10_000): Promise<void> {
  return new Promise((resolve, reject) => {
    let seen = '';
    let errors = '';
    const timer = setTimeout(
      () => reject(new Error(`timed out waiting for "${line}"; stderr: ${errors}`)),
      timeoutMs,
    );
    child.stderr?.on('data', (chunk: Buffer) => {
      errors += chunk.toString();
    });
    child.stdout?.on('data', (chunk: Buffer) => {
      seen += chunk.toString();
      if (seen.split('\n').includes(line)) {
        clearTimeout(timer);
        resolve();
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`exited (${code}) before "${line}"; stderr: ${errors}`));
    });
  });
}

function waitForReady(holder: ChildProcess): Promise<void> {
  return waitForLine(holder, 'ready').catch((error: Error) => {
    throw new Error(`cannot create a private IPC namespace (needs root): ${error.message}`);
  });
}

function childOf(pid: number): number {
  for (let attempt = 0; attempt < 200; attempt++) {
    const children = readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim();
    if (children) return Number(children.split(' ')[0]);
  }
  throw new Error(`unshare (${pid}) has no child`);
}

/** A child's stdout, stderr and exit status once it closes (killed after `timeoutMs`, default 30 s). */
export function collect(
  child: ChildProcess,
  options: Pick<RunOptions, 'timeoutMs'> = {},
): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout?.on('data', (chunk: Buffer) => out.push(chunk));
    child.stderr?.on('data', (chunk: Buffer) => err.push(chunk));
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 30_000);
    child.once('error', reject);
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      resolve({
        stdout: Buffer.concat(out).toString(),
        stderr: Buffer.concat(err).toString(),
        status: code ?? 128 + signalNumber(signal),
      });
    });
  });
}

function signalNumber(signal: NodeJS.Signals | null): number {
  const numbers: Partial<Record<NodeJS.Signals, number>> = {
    SIGKILL: 9,
    SIGSEGV: 11,
    SIGABRT: 6,
    SIGTERM: 15,
  };
  return (signal && numbers[signal]) ?? 0;
}
