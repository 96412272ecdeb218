/**
 * The shape of ipcctl's commands: a tree of groups (`msg`, `sem`, …) holding actions (`send`,
 * `recv`, …) and top-level commands (`chmod`, `chown`; the CI and metrics commands later). Each
 * command declares its options for yargs and a handler that returns a Result instead of printing.
 */
import type { YargsOption } from 'yargs';
import type { Result } from './result.js';
import { Interrupted, UsageError } from './result.js';

export interface Args {
  operands: string[];
  /** What followed `--` (the CMD of `run`). */
  command: string[];
  options: Readonly<Record<string, unknown>>;
}

/** What a handler may use of the outside world; the bin provides it (host.ts). */
export interface Host {
  /** Standard input to its end, or undefined as soon as it is longer than `limit` bytes. */
  readInput(limit: number): Buffer | undefined;
  /**
   * Until release(), SIGINT, SIGTERM and SIGHUP abort `signal` (the signal's name as its reason)
   * instead of ending the process; outside a trap they keep their default action.
   */
  trapInterrupts(): { signal: AbortSignal; release(): void };
  /**
   * Runs CMD on this terminal and resolves to its exit status (128 + N when killed by signal N).
   * Meanwhile SIGINT and SIGQUIT are ignored (as system(3) does: the terminal sends them to CMD
   * as well) and SIGTERM and SIGHUP are passed on to CMD, so ipcctl outlives it.
   */
  runCommand(argv: readonly string[]): Promise<number>;
  /** Starts CMD as runCommand does: its pid at once, its exit status (as runCommand's) once it ends. */
  startCommand(argv: readonly string[]): { pid: number | undefined; exited: Promise<number> };
  /**
   * Runs ipcctl again with `args`, in private IPC and mount namespaces with a fresh /dev/shm and
   * /dev/mqueue (util-linux unshare), and resolves to its exit status; a Failure when the
   * namespaces cannot be made (not root and no user namespaces).
   */
  runIsolated(args: readonly string[]): Promise<number>;
}

export interface Context {
  json: boolean;
  host: Host;
}

export interface Command {
  /** Operand synopsis for the help, e.g. `ID [--type N] [DATA]`. */
  synopsis: string;
  summary: string;
  /** The description and options of `ipcctl NAME --help`, for a top-level command that has its own. */
  help?: string;
  options: Readonly<Record<string, YargsOption>>;
  /** The words after `--` are a CMD to run (`sem run`); for every other command they are operands. */
  runsCommand?: true;
  run(args: Args, context: Context): Promise<Result>;
}

export interface Group {
  summary: string;
  /** What an OBJECT is for this group, for the help. */
  objects: string;
  actions: Readonly<Record<string, Command>>;
}

export type CommandTree = Readonly<Record<string, Group | Command>>;

export function isGroup(entry: Group | Command): entry is Group {
  return 'actions' in entry;
}

/** Runs a wait that a signal ends cleanly (see Host.trapInterrupts). */
export async function interruptible<T>(host: Host, body: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const trap = host.trapInterrupts();
  try {
    return await body(trap.signal);
  } finally {
    trap.release();
  }
}

/**
 * The shape of `sem run` and `psem run`: `take` (a wait the signal abandons, taking nothing), CMD,
 * then `give` on every path. One interrupt trap covers all of it, installed before the take and
 * released after the give: there is never a moment when a signal finds the unit taken and its
 * default action (ipcctl's death, the unit lost) in place. During CMD the trap only records the
 * signal; runCommand passes SIGTERM and SIGHUP on to CMD.
 */
export async function runHolding(
  host: Host,
  command: readonly string[],
  unit: { take(signal: AbortSignal): Promise<void>; give(): Promise<void> | void },
): Promise<number> {
  const trap = host.trapInterrupts();
  try {
    await unit.take(trap.signal);
    // Taken just as a signal came (it is dispatched after the take): give it back, run nothing.
    if (trap.signal.aborted) {
      await unit.give();
      throw new Interrupted(String(trap.signal.reason));
    }
    try {
      return await host.runCommand(command);
    } finally {
      await unit.give();
    }
  } finally {
    trap.release();
  }
}

/** The last value of a string option (yargs makes an array of a repeated one). */
export function stringOption(args: Args, name: string): string | undefined {
  const value = args.options[name];
  const last = Array.isArray(value) ? value[value.length - 1] : value;
  return typeof last === 'string' ? last : undefined;
}

export function flag(args: Args, name: string): boolean {
  return args.options[name] === true;
}

/** Exactly `min` to `max` operands, named in the message. */
export function expectOperands(args: Args, min: number, max: number, names: string): void {
  if (args.operands.length < min) throw new UsageError(`missing operand: ${names}`);
  if (args.operands.length > max) throw new UsageError(`unexpected operand: '${args.operands[max]}'`);
}

/** `--nowait` and `--timeout` exclude each other. */
export function refuseTogether(args: Args, a: string, b: string): void {
  if (args.options[a] !== undefined && args.options[b] !== undefined) {
    throw new UsageError(`--${a} and --${b} exclude each other`);
  }
}

export const WAIT_OPTIONS: Readonly<Record<string, YargsOption>> = {
  nowait: { type: 'boolean' },
  timeout: { type: 'string', requiresArg: true },
};
export const KEY_OPTION: Readonly<Record<string, YargsOption>> = {
  key: { type: 'string', requiresArg: true },
};
