/**
 * What a tool's `main(argv, io)` may touch of the outside world. Bins build it from `process`
 * with `processIo()`; tests build one in memory with `memoryIo()`. Tools never use `process`.
 */
import { accessSync, constants, fstatSync, writeSync } from 'node:fs';
import { createRequire } from 'node:module';
import { basename, dirname, resolve } from 'node:path';

export interface Io {
  /** Writes to standard output. */
  out(text: string): void;
  /** Writes to standard error. */
  err(text: string): void;
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Whether standard output is a terminal (lsipc fits tables to it; colour only there). */
  readonly isTerminal: boolean;
  /** Terminal width when standard output is a terminal. */
  readonly columns: number | undefined;
  /** argv[0] as getopt prints it in its messages (see invocationName). */
  readonly argv0: string;
  /** program_invocation_short_name: the prefix of every other message ("ipcs"). */
  readonly programName: string;
}

export type Main = (argv: readonly string[], io: Io) => number | Promise<number>;

/** An Io that records everything, for tests. */
export interface MemoryIo extends Io {
  readonly stdout: string;
  readonly stderr: string;
}

export function memoryIo(
  options: Partial<Pick<Io, 'env' | 'isTerminal' | 'columns' | 'argv0' | 'programName'>> = {},
): MemoryIo {
  let stdout = '';
  let stderr = '';
  const programName = options.programName ?? 'prog';
  return {
    out: (text) => {
      stdout += text;
    },
    err: (text) => {
      stderr += text;
    },
    env: options.env ?? {},
    isTerminal: options.isTerminal ?? false,
    columns: options.columns,
    argv0: options.argv0 ?? programName,
    programName,
    get stdout() {
      return stdout;
    },
    get stderr() {
      return stderr;
    },
  };
}

/**
 * The name a user typed to run the script. The kernel replaces argv[0] with the script's path
 * when it runs a #! script, so the typed name is lost; when that path is the first match of its
 * basename on PATH, the user (almost certainly) typed the bare name, as util-linux's messages show.
 */
export function invocationName(
  scriptPath: string,
  env: Readonly<Record<string, string | undefined>>,
): string {
  // The built bins are dist/NAME.js: `node dist/ipcs.js` is still "ipcs" to the user.
  if (scriptPath.endsWith('.js')) return basename(scriptPath, '.js');
  const name = basename(scriptPath);
  const dir = dirname(resolve(scriptPath));
  for (const entry of (env.PATH ?? '').split(':')) {
    if (!entry) continue;
    try {
      accessSync(`${entry}/${name}`, constants.X_OK);
    } catch {
      continue;
    }
    return resolve(entry) === dir ? name : scriptPath;
  }
  return scriptPath;
}

/** Writes all of `text` to a file descriptor, waiting out EAGAIN on non-blocking pipes. */
function writeAll(fd: number, text: string): void {
  // ASCII text (nearly all output) is written from the string itself: latin1 then writes the same
  // bytes as UTF-8, with no Buffer copy of a listing (none at all for a large string made by
  // Buffer#toString, which is external). Only a partial write leaves a Buffer for the rest.
  let data: string | Buffer = Buffer.byteLength(text) === text.length ? text : Buffer.from(text);
  while (data.length > 0) {
    try {
      const written: number =
        typeof data === 'string' ? writeSync(fd, data, null, 'latin1') : writeSync(fd, data);
      if (written === data.length) return;
      data = (typeof data === 'string' ? Buffer.from(data, 'latin1') : data).subarray(written);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'EAGAIN') continue;
      // A closed pipe (`ipcs | head -1`): stop writing quietly, as a C tool killed by SIGPIPE would.
      if (code === 'EPIPE') throw new BrokenPipe();
      throw error;
    }
  }
}

class BrokenPipe extends Error {}

/** Major number of the memory devices (/dev/null, /dev/zero, /dev/full…), none of them a terminal. */
const MEM_MAJOR = 1;

/** glibc's major(): bits 8-19 of dev_t, and 32-43 above them. */
function majorOf(rdev: number): number {
  return ((rdev >>> 8) & 0xfff) | (Math.floor(rdev / 2 ** 32) & ~0xfff);
}

/**
 * isatty(1) without paying for it in pipes or `> /dev/null`: node:tty loads the whole net stack
 * (3 ms of start-up), and only a character device other than a memory device can be a terminal.
 */
function isStdoutTerminal(): boolean {
  try {
    const stat = fstatSync(1);
    if (!stat.isCharacterDevice() || majorOf(stat.rdev) === MEM_MAJOR) return false;
  } catch {
    return false;
  }
  const { isatty } = createRequire(import.meta.url)('node:tty') as typeof import('node:tty');
  return isatty(1);
}

/** Full buffering like C stdio for pipes and files; written through on a terminal. */
const FLUSH_AT = 1 << 16;

/** The Io of the running process: only bins call this. */
export function processIo(): Io & { flush(): void } {
  const { env } = process;
  const scriptPath = process.argv[1] ?? 'node';
  const argv0 = invocationName(scriptPath, env);
  const isTerminal = isStdoutTerminal();
  const pending: string[] = [];
  let pendingLength = 0;
  const flush = (): void => {
    if (pending.length === 0) return;
    const text = pending.length === 1 ? pending[0]! : pending.join('');
    pending.length = 0;
    pendingLength = 0;
    writeAll(1, text);
  };
  return {
    out(text) {
      pending.push(text);
      pendingLength += text.length;
      if (isTerminal || pendingLength >= FLUSH_AT) flush();
    },
    err(text) {
      writeAll(2, text);
    },
    env,
    isTerminal,
    columns: isTerminal ? process.stdout.columns : undefined,
    argv0,
    programName: basename(argv0),
    flush,
  };
}

/** Runs a tool's main as the process: the only place that sets the exit code. */
export async function runMain(main: Main): Promise<void> {
  const io = processIo();
  try {
    const code = await main(process.argv.slice(2), io);
    io.flush();
    process.exitCode = code;
  } catch (error) {
    if (error instanceof BrokenPipe) {
      process.exitCode = 141;
      return;
    }
    try {
      io.flush();
    } catch {
      // stdout already broken; the error below is what matters
    }
    io.err(`${io.programName}: ${(error as Error).stack ?? String(error)}\n`);
    process.exitCode = 1;
  }
}
