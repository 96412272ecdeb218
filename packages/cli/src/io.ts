/**
 * What a tool's `main(argv, context)` returns, and the only code that writes and exits. A tool
 * returns its output as events in the order it made them, and an exit status: a `Result` when it
 * has finished, or a `Run` (an async generator) that yields events as they come and returns the
 * status, for commands that stream until interrupted. Bins hand main to `runMain`, which writes
 * the events as C stdio would and sets the exit code; tests read a run with `collect`.
 */
import { accessSync, constants, fstatSync, readFileSync, writeSync } from 'node:fs';
import { createRequire } from 'node:module';
import { basename, dirname, resolve } from 'node:path';
import { IpcError, nameFromBytes, nameToBytes, PATH_PROC, strerror } from '@ipcutils/core';

/**
 * Output for standard output (fd 1) or standard error (fd 2): text (written as UTF-8), or bytes
 * written as they are (ipcctl's message and segment data).
 */
export interface OutputEvent {
  readonly fd: 1 | 2;
  readonly text: string | Uint8Array;
}

/** An event's output as text, for tests (bytes decoded as UTF-8). */
function textOf(event: OutputEvent): string {
  return typeof event.text === 'string' ? event.text : Buffer.from(event.text).toString('utf8');
}

/** What a finished command produced: its output in order, and its exit status. */
export interface Result {
  readonly events: readonly OutputEvent[];
  readonly status: number;
}

/** A command that streams: it yields output as it goes and returns its exit status. */
export type Run = AsyncGenerator<OutputEvent, number, undefined>;

/** What a tool's main may read of the outside world. Tools never use `process`. */
export interface Context {
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

export type Main = (argv: readonly string[], context: Context) => Result | Promise<Result> | Run;

/** Collects output in order; handlers fill one and return its `result(status)` or `events`. */
export class Transcript {
  readonly events: OutputEvent[] = [];

  out(text: string): void {
    this.events.push({ fd: 1, text });
  }

  err(text: string): void {
    this.events.push({ fd: 2, text });
  }

  /** Appends what another handler produced. */
  append(events: readonly OutputEvent[]): void {
    for (const event of events) this.events.push(event);
  }

  result(status: number): Result {
    return { events: this.events, status };
  }
}

/** A Result with one text on standard output, or none. */
export function printed(text: string, status = 0): Result {
  return { events: text ? [{ fd: 1, text }] : [], status };
}

/** A Result with one text on standard error, or none. */
export function complained(text: string, status = 1): Result {
  return { events: text ? [{ fd: 2, text }] : [], status };
}

/** A Context for tests. */
export function testContext(options: Partial<Context> = {}): Context {
  const programName = options.programName ?? 'prog';
  return {
    env: options.env ?? {},
    isTerminal: options.isTerminal ?? false,
    columns: options.columns,
    argv0: options.argv0 ?? programName,
    programName,
  };
}

/** Everything a run printed, as the two streams and the status: what tests compare. */
export interface Collected {
  readonly stdout: string;
  readonly stderr: string;
  readonly status: number;
  readonly events: readonly OutputEvent[];
}

export async function collect(run: Result | Promise<Result> | Run): Promise<Collected> {
  const events: OutputEvent[] = [];
  let status: number;
  if (isRun(run)) {
    let step = await run.next();
    while (!step.done) {
      events.push(step.value);
      step = await run.next();
    }
    status = step.value;
  } else {
    const result = await run;
    events.push(...result.events);
    status = result.status;
  }
  let stdout = '';
  let stderr = '';
  for (const event of events) {
    if (event.fd === 1) stdout += textOf(event);
    else stderr += textOf(event);
  }
  return { stdout, stderr, status, events };
}

function isRun(run: Result | Promise<Result> | Run): run is Run {
  return typeof (run as Run).next === 'function';
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

/** The Context of the running process: only runMain calls this. */
export function processContext(): Context {
  const { env } = process;
  const argv0 = invocationName(process.argv[1] ?? 'node', env);
  const isTerminal = isStdoutTerminal();
  return {
    env,
    isTerminal,
    columns: isTerminal ? process.stdout.columns : undefined,
    argv0,
    programName: basename(argv0),
  };
}

/**
 * How a tool reports a failed write to standard output at exit. Both print `PROG: write error:
 * REASON` and exit 1 (`ipcs > /dev/full`); util-linux's close_stdout() says nothing of a broken
 * pipe (SIGPIPE ignored) met at exit and keeps its status, where coreutils' reports it; a failure
 * met while flushing an earlier, full buffer is util-linux's bare `PROG: write error`, exit 1. (A descriptor closed
 * at start-up, `>&-`, cannot be seen: node opens /dev/null on it before any JavaScript runs,
 * exactly as a parent's `stdio: 'ignore'` does, so both tools write there silently.)
 */
export type WriteErrorStyle = 'util-linux' | 'coreutils';

export interface RunOptions {
  /** Default 'util-linux'. */
  readonly writeErrors?: WriteErrorStyle;
}

/** Full buffering like C stdio for pipes and files; written through on a terminal. */
const FLUSH_AT = 1 << 16;

/** Standard output as C stdio buffers it, remembering the first failed write as ferror() does. */
class Stdout {
  readonly #pending: (string | Uint8Array)[] = [];
  #pendingLength = 0;
  /** Bytes written so far. */
  #written = 0;
  /** The errno code of the first failed write; later output is dropped. */
  failure: string | undefined;
  /**
   * Whether C stdio would have met the failure while flushing a full buffer, before exit: its
   * ferror() flag is then set with errno cleared, and util-linux's close_stdout() says only
   * `write error` (`ipcs -m > /dev/full` with more than a buffer of rows), even for EPIPE.
   */
  failedBeforeExit = false;

  constructor(
    private readonly writeThrough: boolean,
    private readonly onBrokenPipe: () => void,
  ) {}

  write(text: string | Uint8Array): void {
    if (this.failure !== undefined) return;
    this.#pending.push(text);
    this.#pendingLength += text.length;
    if (this.writeThrough || this.#pendingLength >= FLUSH_AT) this.flush(false);
  }

  /** `last`: the flush at exit, after which no more output comes. */
  flush(last: boolean): void {
    if (this.#pending.length === 0 || this.failure !== undefined) return;
    const data = joinOutput(this.#pending);
    this.#pending.length = 0;
    this.#pendingLength = 0;
    const total = this.#written + data.length;
    try {
      this.#written += writeAll(1, data);
    } catch (error) {
      const { code, bytesWritten } = error as WriteFailure;
      this.failure = code ?? 'EIO';
      this.#written += bytesWritten;
      // C writes a buffer (st_blksize) whenever one fills and the rest at exit: a failure in any
      // but that last part happened before exit. Output still to come means it was not the last.
      const buffer = stdioBufferSize();
      const lastPart = total % buffer || buffer;
      this.failedBeforeExit = !last || total - this.#written > lastPart;
      if (this.failure === 'EPIPE') this.onBrokenPipe();
    }
  }
}

/**
 * Pending output as one write: an ASCII string as it is, anything else as its bytes (a name's
 * bytes that are not UTF-8 included, see core's names.ts).
 */
function joinOutput(pending: readonly (string | Uint8Array)[]): string | Uint8Array {
  if (pending.every((part) => typeof part === 'string')) {
    return encodeOutput(pending.length === 1 ? (pending[0] as string) : pending.join(''));
  }
  // Bytes alone (a segment's, a message's) go out as they are: a copy of gigabytes costs seconds.
  if (pending.length === 1) return pending[0] as Uint8Array;
  return Buffer.concat(pending.map((part) => (typeof part === 'string' ? nameToBytes(part) : part)));
}

/** Text as written: an ASCII string as it is, anything else as its bytes (see writeAll). */
function encodeOutput(text: string): string | Buffer {
  return Buffer.byteLength(text) === text.length ? text : nameToBytes(text);
}

/** A failed write, with how many bytes of its data went out before it. */
interface WriteFailure extends NodeJS.ErrnoException {
  bytesWritten: number;
}

/** glibc's stdio buffer for standard output: st_blksize of the descriptor (4096 for pipes). */
function stdioBufferSize(): number {
  try {
    return fstatSync(1).blksize || BUFSIZ;
  } catch {
    return BUFSIZ;
  }
}

const BUFSIZ = 8192;

/**
 * The most bytes handed to one writeSync: it refuses a length over 2**31 - 1 (ERR_OUT_OF_RANGE,
 * which was reported as a write error), and Linux writes at most 0x7ffff000 bytes a call anyway.
 */
const WRITE_MAX = 2 ** 30;

/**
 * Writes all of `text` to a file descriptor, waiting out EAGAIN on non-blocking pipes. A string
 * must be ASCII (encodeOutput() makes it so).
 */
function writeAll(fd: number, text: string | Uint8Array): number {
  // ASCII text (nearly all output) is written from the string itself: latin1 then writes the same
  // bytes as UTF-8, with no Buffer copy of a listing (none at all for a large string made by
  // Buffer#toString, which is external). Only a partial write leaves a Buffer for the rest.
  let data = text;
  let done = 0;
  while (data.length > 0) {
    try {
      const written: number =
        typeof data === 'string'
          ? writeSync(fd, data, null, 'latin1')
          : writeSync(fd, data, 0, Math.min(data.length, WRITE_MAX));
      done += written;
      if (written === data.length) return done;
      data = (typeof data === 'string' ? Buffer.from(data, 'latin1') : data).subarray(written);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'EAGAIN') continue;
      (error as WriteFailure).bytesWritten = done;
      throw error;
    }
  }
  return done;
}

/** Standard error is unbuffered, as in C; a failure to write it is not reported (nowhere to). */
function writeStderr(text: string | Uint8Array): void {
  try {
    writeAll(2, typeof text === 'string' ? encodeOutput(text) : text);
  } catch {}
}

/** SIGPIPE is bit 12 of /proc's signal masks (signal 13). */
const SIGPIPE_BIT = 1n << 12n;

/**
 * Whether SIGPIPE was ignored when this process was started (`trap '' PIPE`). Node resets every
 * disposition at start-up and ignores SIGPIPE itself, so the parent's is what we can read: a shell
 * passes its ignored signals on. Node and Python parents ignore SIGPIPE for themselves but restore
 * the default in their children, so theirs says nothing.
 */
function sigpipeIgnoredAtStart(): boolean {
  try {
    const parent = `${PATH_PROC}/${process.ppid}`;
    if (/^(node|python)/.test(readFileSync(`${parent}/comm`, 'latin1'))) return false;
    const status = readFileSync(`${parent}/status`, 'latin1');
    const mask = /^SigIgn:\s*([0-9a-f]+)$/m.exec(status)?.[1];
    return mask !== undefined && (BigInt(`0x${mask}`) & SIGPIPE_BIT) !== 0n;
  } catch {
    return false;
  }
}

/** Dies of SIGPIPE as a C tool writing to a closed pipe does (the shell sees 141). */
function dieOfSigpipe(): never {
  // Adding and removing a listener leaves SIGPIPE at its default action (libuv restores SIG_DFL).
  const ignore = (): void => {};
  process.on('SIGPIPE', ignore);
  process.off('SIGPIPE', ignore);
  process.kill(process.pid, 'SIGPIPE');
  // Not reached unless the signal is blocked.
  process.exit(141);
}

/**
 * The user's arguments with their bytes. Node decodes argv as UTF-8 and turns each byte that is
 * not UTF-8 into U+FFFD, which names another object; /proc/self/cmdline has the bytes, the user's
 * arguments last (after node, its options and the script). Read only when some argument has a
 * U+FFFD; any doubt (unreadable, fewer entries, an entry that does not decode to what node made of
 * it, as after a change of process.title) keeps node's argv.
 */
export function processArguments(argv: readonly string[] = process.argv): string[] {
  const args = argv.slice(2);
  if (!args.some((arg) => arg.includes('\ufffd'))) return args;
  let cmdline: Buffer;
  try {
    cmdline = readFileSync(`${PATH_PROC}/self/cmdline`);
  } catch {
    return args;
  }
  // Each argument ends with a NUL, the last one included.
  const entries: Buffer[] = [];
  for (let start = 0; start < cmdline.length; ) {
    let end = cmdline.indexOf(0, start);
    if (end < 0) end = cmdline.length;
    entries.push(cmdline.subarray(start, end));
    start = end + 1;
  }
  if (entries.length < args.length) return args;
  const own = entries.slice(entries.length - args.length);
  if (own.some((entry, index) => entry.toString('utf8') !== args[index])) return args;
  return own.map(nameFromBytes);
}

/**
 * Runs a tool's main as the process: writes its output as C stdio would (standard output fully
 * buffered to pipes and files, standard error unbuffered) and sets the exit code. Output errors
 * are reported as close_stdout() reports them; an unexpected error prints one line in the tool's
 * voice and exits 1, with its stack trace only when IPCUTILS_DEBUG is set.
 */
export async function runMain(main: Main, options: RunOptions = {}): Promise<void> {
  const context = processContext();
  const style = options.writeErrors ?? 'util-linux';
  const stdout = new Stdout(context.isTerminal, () => {
    if (!sigpipeIgnoredAtStart()) dieOfSigpipe();
  });
  const emit = (event: OutputEvent): void => {
    if (event.fd === 1) {
      stdout.write(event.text);
    } else {
      writeStderr(event.text);
    }
  };
  let status: number;
  try {
    const run = main(processArguments(), context);
    if (isRun(run)) {
      // A streaming command's output goes out whenever it stops to wait (as a follower fflush()es
      // each line); what it makes at once is written as any other output.
      let next = run.next();
      let step = await next;
      while (!step.done) {
        emit(step.value);
        next = run.next();
        if (!(await settlesAtOnce(next))) stdout.flush(false);
        step = await next;
      }
      status = step.value;
    } else {
      const result = await run;
      for (const event of result.events) emit(event);
      status = result.status;
    }
  } catch (error) {
    stdout.flush(false);
    writeStderr(describeUnexpected(error, context));
    status = 1;
  }
  stdout.flush(true);
  const failure = stdout.failure;
  if (failure !== undefined && style === 'coreutils') {
    // coreutils' error() names the program by argv[0] and always gives the reason.
    writeStderr(`${context.argv0}: write error: ${strerror(failure)}\n`);
    status = 1;
  } else if (failure !== undefined && stdout.failedBeforeExit) {
    // util-linux's close_stdout() finds ferror() set and errno cleared: no reason, EPIPE included.
    writeStderr(`${context.programName}: write error\n`);
    status = 1;
  } else if (failure !== undefined && failure !== 'EPIPE') {
    writeStderr(`${context.programName}: write error: ${strerror(failure)}\n`);
    status = 1;
  }
  process.exitCode = status;
}

/** Whether `promise` settles before the event loop turns (the command did not stop to wait). */
function settlesAtOnce(promise: Promise<unknown>): Promise<boolean> {
  return Promise.race([
    promise.then(
      () => true,
      () => true,
    ),
    new Promise<boolean>((resolve) => setImmediate(() => resolve(false))),
  ]);
}

/** One line in the tool's voice; the stack too when IPCUTILS_DEBUG asks for it. */
export function describeUnexpected(error: unknown, context: Pick<Context, 'env' | 'programName'>): string {
  const debug = (context.env.IPCUTILS_DEBUG ?? '0') !== '0' && context.env.IPCUTILS_DEBUG !== '';
  if (debug && error instanceof Error && error.stack) return `${context.programName}: ${error.stack}\n`;
  const message =
    error instanceof IpcError
      ? `${error.syscall} failed: ${error.reason}`
      : error instanceof Error
        ? error.message
        : String(error);
  return `${context.programName}: ${message}\n`;
}

/** A finished Result as the two streams and the status (what tests compare). */
export function streams(result: Result): { stdout: string; stderr: string; status: number } {
  let stdout = '';
  let stderr = '';
  for (const event of result.events) {
    if (event.fd === 1) stdout += textOf(event);
    else stderr += textOf(event);
  }
  return { stdout, stderr, status: result.status };
}

/** A test Context that also records what the Results handed to `take` printed. */
export interface MemoryIo extends Context {
  readonly stdout: string;
  readonly stderr: string;
  /** Records a finished Result's output and returns its status. */
  take(result: Result): number;
}

export function memoryIo(options: Partial<Context> = {}): MemoryIo {
  let stdout = '';
  let stderr = '';
  return {
    ...testContext(options),
    take(result) {
      const printed = streams(result);
      stdout += printed.stdout;
      stderr += printed.stderr;
      return result.status;
    },
    get stdout() {
      return stdout;
    },
    get stderr() {
      return stderr;
    },
  };
}

/** A trap of the signals that mean "stop" (see trapInterrupts). */
export interface Interrupts {
  /** Aborted, with the signal's name as its reason, when SIGINT, SIGTERM or SIGHUP arrives. */
  signal: AbortSignal;
  /** Gives the signals back their default action. */
  release(): void;
}

/** Until release(), SIGINT, SIGTERM and SIGHUP abort the trap's signal instead of ending the process. */
export function trapInterrupts(): Interrupts {
  const controller = new AbortController();
  const onSignal = (name: NodeJS.Signals) => controller.abort(name);
  const names = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;
  for (const name of names) process.on(name, onSignal);
  return {
    signal: controller.signal,
    release: () => {
      for (const name of names) process.off(name, onSignal);
    },
  };
}
