/**
 * What ipcmk was asked to create, as typed values: argv is parsed into this once (parse.ts);
 * nothing downstream sees an argument string that might be a number.
 */

export type SysvKind = 'shm' | 'msg' | 'sem';
export type PosixKind = 'pshm' | 'pmsg' | 'psem';
/** The same names as `ipcrm --all=…` uses for the categories. */
export type ResourceKind = SysvKind | PosixKind;

/** util-linux creates (and prints) in this order, whatever the order of the options. */
export const CREATION_ORDER: readonly ResourceKind[] = ['shm', 'pshm', 'msg', 'pmsg', 'sem', 'psem'];

export type ResourceRequest =
  | { kind: 'shm'; size: bigint }
  | { kind: 'pshm'; name: string; size: bigint }
  | { kind: 'msg' }
  | { kind: 'pmsg'; name: string }
  | { kind: 'sem'; nsems: number }
  | { kind: 'psem'; name: string };

/** Where System V keys come from. */
export type KeySource =
  /** A fresh random non-zero key per object, created exclusively and retried on collision. */
  | { kind: 'random' }
  /** --key: this key for every System V object (0 = IPC_PRIVATE). */
  | { kind: 'fixed'; key: number }
  /** --ftok PATH [--project-id N]: ftok(3) of an existing file. */
  | { kind: 'ftok'; path: string; projectId: number };

export interface Request {
  /** In CREATION_ORDER. */
  resources: ResourceRequest[];
  /** Permission bits, default 0644. */
  mode: number;
  keySource: KeySource;
  /** --json: one JSON document instead of util-linux's lines. */
  json: boolean;
}
