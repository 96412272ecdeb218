/**
 * The process side of ipcctl (what the bin hands to main): standard input as bytes,
 * signals, and the CMD of `sem run`. The only module besides the bin that touches `process`.
 */
import { readSync } from 'node:fs';
import { createRequire } from 'node:module';
import { constants } from 'node:os';
import { trapInterrupts } from '@ipcutils/cli';
import { nameToBytes } from '@ipcutils/core';
import type { ProcessSide } from './main.js';
import { Failure } from './result.js';

export function processSide(): ProcessSide {
  return {
    readInput,
    trapInterrupts,
    runCommand,
    startCommand,
    runIsolated,
    signalNumber: (name) => constants.signals[name as NodeJS.Signals] ?? 0,
  };
}

function readInput(limit: number): Buffer | undefined {
  const chunks: Buffer[] = [];
  let total = 0;
  for (;;) {
    const chunk = Buffer.allocUnsafe(Math.min(Math.max(limit + 1 - total, 1), 1 << 16));
    let n: number;
    try {
      n = readSync(0, chunk, 0, chunk.length, null);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      // A non-blocking pipe with nothing yet: wait a little without spinning.
      if (code === 'EAGAIN') {
        Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 5);
        continue;
      }
      if (code === 'EOF' || code === 'EBADF') break;
      throw error;
    }
    if (n === 0) break;
    chunks.push(chunk.subarray(0, n));
    total += n;
    if (total > limit) return undefined;
  }
  return Buffer.concat(chunks, total);
}

/**
 * How to start CMD with its exact bytes. child_process passes arguments as UTF-8, so a byte that is
 * not UTF-8 (a lone surrogate, see core's names.ts) would become U+FFFD; such a command line goes
 * to /bin/sh as printf escapes, and sh execs CMD with the bytes (a trailing "x" keeps newlines).
 */
function commandLine(file: string, rest: readonly string[]): [string, string[]] {
  const argv = [file, ...rest];
  if (!argv.some((arg) => /[\udc80-\udcff]/.test(arg))) return [file, [...rest]];
  const octal = (arg: string) =>
    [...nameToBytes(arg)].map((byte) => `\\${byte.toString(8).padStart(3, '0')}`);
  const assignments = argv.map((arg, i) => `a${i}=$(printf '${octal(arg).join('')}x'); a${i}=\${a${i}%x}`);
  const words = argv.map((_, i) => `"$a${i}"`);
  return ['/bin/sh', ['-c', `${assignments.join('; ')}; exec ${words.join(' ')}`]];
}

/** CMD's exit status: its own, 128 + N when killed by signal N, 127 when it cannot be started. */
function runCommand(argv: readonly string[]): Promise<number> {
  return startCommand(argv).exited;
}

function startCommand(argv: readonly string[]): { pid: number | undefined; exited: Promise<number> } {
  const [file, ...rest] = argv as [string, ...string[]];
  const ignore = () => {};
  const passOn = (name: NodeJS.Signals) => child.kill(name);
  // As system(3): the terminal's SIGINT and SIGQUIT reach CMD itself; ipcctl waits for it.
  process.on('SIGINT', ignore);
  process.on('SIGQUIT', ignore);
  process.on('SIGTERM', passOn);
  process.on('SIGHUP', passOn);
  const child = childProcess().spawn(...commandLine(file, rest), { stdio: 'inherit' });
  const exited = new Promise<number>((resolve, reject) => {
    child.once('error', (error: NodeJS.ErrnoException) => {
      const reason = error.code === 'ENOENT' ? 'No such file or directory' : error.message;
      // The shell's statuses for a command not found and one that cannot be run.
      reject(new Failure(`cannot run '${file}': ${reason}`, error.code === 'ENOENT' ? 127 : 126));
    });
    child.once('exit', (code, signal) => {
      resolve(signal === null ? (code ?? 1) : 128 + (constants.signals[signal] ?? 0));
    });
  }).finally(() => {
    process.off('SIGINT', ignore);
    process.off('SIGQUIT', ignore);
    process.off('SIGTERM', passOn);
    process.off('SIGHUP', passOn);
  });
  return { pid: child.pid, exited };
}

/** Loaded only to run a command: node:child_process costs every start-up that does not need it. */
function childProcess(): typeof import('node:child_process') {
  return createRequire(import.meta.url)('node:child_process') as typeof import('node:child_process');
}

/**
 * A fresh tmpfs on /dev/shm and a mqueue mount of the new IPC namespace on /dev/mqueue (when the
 * directory exists: nothing is created in the shared /dev), then exec of the rest.
 */
const NAMESPACE_SETUP =
  'mount -t tmpfs -o mode=1777 tmpfs /dev/shm && { [ ! -d /dev/mqueue ] || mount -t mqueue none /dev/mqueue; } && exec "$@"';

function unshareArgs(): string[] {
  // Without root, a user namespace gives the mounts their privilege (CMD then runs as its root).
  const user = process.geteuid?.() === 0 ? [] : ['--user', '--map-root-user'];
  return [
    ...user,
    '--ipc',
    '--mount',
    '--propagation',
    'private',
    '--',
    'sh',
    '-c',
    NAMESPACE_SETUP,
    'ipcctl',
  ];
}

async function runIsolated(args: readonly string[]): Promise<number> {
  // A trial run first, its messages kept: refused privileges become one line, before CMD starts.
  const trial = childProcess().spawnSync('unshare', [...unshareArgs(), 'true'], {
    stdio: ['ignore', 'ignore', 'pipe'],
    encoding: 'utf8',
  });
  if (trial.error) {
    const code = (trial.error as NodeJS.ErrnoException).code;
    throw new Failure(
      `--isolate: cannot run unshare: ${code === 'ENOENT' ? 'No such file or directory' : trial.error.message}`,
    );
  }
  if (trial.status !== 0) {
    const reason =
      trial.stderr
        .trim()
        .split('\n')
        .pop()
        ?.replace(/^unshare: /, '') || `exit status ${trial.status}`;
    throw new Failure(`--isolate: cannot make private IPC and mount namespaces: ${reason}`);
  }
  return runCommand([
    'unshare',
    ...unshareArgs(),
    process.execPath,
    ...process.execArgv,
    process.argv[1]!,
    ...args,
  ]);
}
