/**
 * Whether the process an object recorded (a creator or last-operation pid) may still run. A pid
 * is gone when no process has it, or when the process that has it now started after the time the
 * pid was recorded (pid reuse): /proc/PID/stat field 22 is the start in clock ticks since boot,
 * /proc/stat `btime` the boot time. Every doubt counts as alive.
 */
import { readFileSync } from 'node:fs';
import { PATH_PROC } from '../paths.js';
import { readClockTicks } from '../proc/auxv.js';
import { isProcHidingProcesses, procSelf } from '../proc/pids.js';

/**
 * none: no pid recorded; gone: no process has it (or only a zombie); reused: the process that has
 * it started after the recording; alive: it may be the recorded process; unknown: we cannot tell.
 */
export type PidState = 'none' | 'gone' | 'reused' | 'alive' | 'unknown';

/** The states in which no live process can be the one recorded. */
export function isPidGone(state: PidState): boolean {
  return state === 'none' || state === 'gone' || state === 'reused';
}

/**
 * Recorded times are whole seconds (the event happened within the second after), btime is whole
 * seconds too and moves by one as the clock is adjusted: a process counts as started after the
 * recording only when its start is at least this far past the recorded second.
 */
export const PID_REUSE_MARGIN_SECONDS = 2;

export interface ProcessTableOptions {
  /** Default /proc; the same mount /proc/sysvipc was read from, so pids are in one namespace. */
  procRoot?: string;
}

/** A process as /proc/PID/stat shows it. */
export interface ProcessInfo {
  pid: number;
  /** Start time in seconds since the epoch (fractional). */
  startTime: number;
  /** /proc/PID/stat's comm: the first 15 bytes of the executable's name. */
  command: string;
  /** A zombie holds its pid but no IPC object any more (exit_shm and the sem undos have run). */
  zombie: boolean;
}

type Lookup = ProcessInfo | 'absent' | 'unknown';

/** Reads each /proc/PID/stat at most once: one table per run (or per re-check). */
export class ProcessTable {
  private readonly procRoot: string;
  private readonly lookups = new Map<number, Lookup>();
  private clock: { bootTime: number; ticksPerSecond: number } | undefined;
  private hiding: boolean | undefined;
  private ourPids: boolean | undefined;

  constructor(options: ProcessTableOptions = {}) {
    this.procRoot = options.procRoot ?? PATH_PROC;
  }

  /**
   * What became of `pid`, recorded at `recordedAt` (seconds; 0 = never). `used` says whether the
   * object shows the recorded event happened: pid 0 then means a process outside our pid
   * namespace (unknown), not "no pid".
   */
  pidState(pid: number, recordedAt: number, used = recordedAt !== 0): PidState {
    if (pid === 0) return used ? 'unknown' : 'none';
    // /proc/PID of another pid namespace is another process, or none, whatever ours does.
    this.ourPids ??= procSelf(this.procRoot) === 'ours';
    if (!this.ourPids) return 'unknown';
    const found = this.lookup(pid);
    if (found === 'unknown') return 'unknown';
    // hidepid: other users' processes are not listed; absence proves nothing then.
    if (found === 'absent') return this.hidesProcesses() ? 'unknown' : 'gone';
    if (found.zombie) return 'gone';
    if (recordedAt !== 0 && found.startTime >= recordedAt + PID_REUSE_MARGIN_SECONDS) return 'reused';
    return 'alive';
  }

  /** The process with this pid now, 'absent', or 'unknown' when /proc/PID/stat cannot be read. */
  lookup(pid: number): Lookup {
    let found = this.lookups.get(pid);
    if (found === undefined) {
      found = this.read(pid);
      this.lookups.set(pid, found);
    }
    return found;
  }

  private read(pid: number): Lookup {
    let text: string;
    try {
      text = readFileSync(`${this.procRoot}/${pid}/stat`, 'latin1');
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      return code === 'ENOENT' || code === 'ESRCH' ? 'absent' : 'unknown';
    }
    const parsed = parseProcStat(text);
    if (parsed === undefined) return 'unknown';
    const { bootTime, ticksPerSecond } = this.readClock();
    return {
      pid,
      startTime: bootTime + parsed.startTicks / ticksPerSecond,
      command: parsed.command,
      zombie: parsed.state === 'Z' || parsed.state === 'X',
    };
  }

  private readClock(): { bootTime: number; ticksPerSecond: number } {
    this.clock ??= {
      bootTime: readBootTime(this.procRoot),
      ticksPerSecond: readClockTicks(this.procRoot),
    };
    return this.clock;
  }

  private hidesProcesses(): boolean {
    this.hiding ??= isProcHidingProcesses(this.procRoot);
    return this.hiding;
  }
}

/** "PID (COMM) S PPID … STARTTIME …": comm may hold blanks and ')', so fields count from the last ')'. */
export function parseProcStat(
  text: string,
): { command: string; state: string; startTicks: number } | undefined {
  const open = text.indexOf('(');
  const close = text.lastIndexOf(')');
  if (open < 0 || close < open) return undefined;
  const fields = text.slice(close + 2).split(' ');
  // fields[0] is field 3 (state); starttime is field 22.
  const startTicks = Number(fields[19]);
  const state = fields[0];
  if (state === undefined || !Number.isFinite(startTicks)) return undefined;
  return { command: text.slice(open + 1, close), state, startTicks };
}

/** /proc/stat's "btime SECONDS"; NaN when unknown, which makes every start time NaN: no pid counts as reused. */
function readBootTime(procRoot: string): number {
  try {
    const match = /^btime\s+(\d+)/m.exec(readFileSync(`${procRoot}/stat`, 'latin1'));
    return match === null ? Number.NaN : Number(match[1]);
  } catch {
    return Number.NaN;
  }
}
