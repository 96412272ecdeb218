/**
 * What ipcrm was asked to do, as typed values: argv is parsed into this once (parse.ts), then
 * executed (run.ts) without ever looking at a string that might be a number again.
 */
import type { IpcFilter } from '@ipcutils/core';

export type SysvType = 'shm' | 'msg' | 'sem';
export type PosixType = 'pshm' | 'pmsg' | 'psem';
/** The categories of `--all=…`, also the kinds of object ipcrm removes. */
export type Category = SysvType | PosixType;

/** `--all` without a category, in util-linux's removal order. */
export const ALL_CATEGORIES: readonly Category[] = ['shm', 'pshm', 'sem', 'psem', 'msg', 'pmsg'];

/** One object to remove, as named on the command line or found by an enumeration. */
export type RemovalTarget =
  | { type: SysvType; by: 'id'; id: number }
  /** `text` is the key as typed: util-linux echoes it in messages about the lookup. */
  | { type: SysvType; by: 'key'; key: number; text: string }
  /** The name exactly as given to shm_unlink / mq_unlink / sem_unlink. */
  | { type: PosixType; by: 'name'; name: string };

export type Action =
  /** `verbose`: whether -v came before this option (util-linux sets the flag as it goes). */
  | { kind: 'remove'; target: RemovalTarget; verbose: boolean }
  /** Runs after every other action, as util-linux's remove_all() does. */
  | { kind: 'remove-all'; categories: readonly Category[]; verbose: boolean };

/**
 * Our cleanup (COMPATIBILITY.md, "Additions"): with a filter, --dry-run or --json the actions only
 * say which objects are candidates (none: every kind), and cleanup.ts selects, re-checks and removes.
 */
export interface CleanupSettings {
  filter: IpcFilter;
  dryRun: boolean;
  json: boolean;
  /** --explain: the verdict and evidence of every candidate (stdout; in --json, "judged"). */
  explain: boolean;
  /** -v anywhere on the command line: each removal is announced. */
  verbose: boolean;
}

export interface Command {
  actions: Action[];
  /** `ipcrm shm|msg|sem ID...`: prints "resource(s) deleted" when every removal succeeded. */
  legacy: boolean;
  cleanup?: CleanupSettings;
}
