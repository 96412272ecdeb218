/**
 * One row builder per resource kind: a record in, the cells of the selected columns out (null
 * where util-linux sets no data, e.g. KEY for a POSIX object or CUSER for a uid without a name).
 */

import type { Cell } from '@ipcutils/cli/smartcols';
import {
  formatHolders,
  formatKey,
  type HolderAnswer,
  type IpcKind,
  type IpcObject,
  type IpcPerm,
  type LocalTime,
  type MsgQueue,
  type PosixMqueue,
  type PosixObject,
  type PosixSem,
  type PosixShm,
  type SemSet,
  type ShmSegment,
} from '@ipcutils/core';
import type { ColumnId } from './columns.js';
import { formatPermsCell, formatShmStatus, formatSize } from './format.js';
import type { LsipcOptions } from './options.js';
import type { LsipcSources } from './sources.js';
import { formatTime } from './time.js';

/** What every row builder needs: the columns, the options, and memoised lookups. */
export class RowContext {
  readonly columns: readonly ColumnId[];
  private readonly times = new Map<number, string>();
  private readonly commands = new Map<number, string | null>();
  private readonly modes = new Map<number, string>();
  private readonly sizes = new Map<number | bigint, string>();
  readonly now: number;
  /** HOLDERS of each record, when the column is shown or a filter looked (applyCleanup's answers). */
  private readonly holderAnswers: ReadonlyMap<object, HolderAnswer>;

  constructor(
    readonly options: LsipcOptions,
    readonly sources: LsipcSources,
    /** localtime() of the TZ the tool runs under. */
    private readonly localTime: LocalTime,
    derived: { now: number; holders?: ReadonlyMap<object, HolderAnswer> },
  ) {
    this.columns = options.columns;
    this.now = derived.now;
    this.holderAnswers = derived.holders ?? new Map();
  }

  /** A time cell: no data for 0 ("never"). */
  time(seconds: number): Cell {
    if (seconds === 0) return null;
    let text = this.times.get(seconds);
    if (text === undefined) {
      text = formatTime(seconds, this.options.timeFormat, this.now, this.localTime);
      this.times.set(seconds, text);
    }
    return text;
  }

  /** OWNER: the user name, else the uid. */
  owner(uid: number): string {
    return this.sources.userName(uid) ?? String(uid);
  }

  user(uid: number): Cell {
    return this.sources.userName(uid) ?? null;
  }

  group(gid: number): Cell {
    return this.sources.groupName(gid) ?? null;
  }

  perms(mode: number): string {
    let text = this.modes.get(mode);
    if (text === undefined) {
      text = formatPermsCell(mode, this.options.numericPerms);
      this.modes.set(mode, text);
    }
    return text;
  }

  size(bytes: number | bigint): string {
    let text = this.sizes.get(bytes);
    if (text === undefined) {
      text = formatSize(bytes, this.options.bytes);
      this.sizes.set(bytes, text);
    }
    return text;
  }

  holderAnswer(record: object): HolderAnswer | undefined {
    return this.holderAnswers.get(record);
  }

  /** HOLDERS: no data where nothing is known (semaphore sets, queues). */
  holders(record: object): Cell {
    const answer = this.holderAnswers.get(record);
    return answer === undefined ? null : formatHolders(answer);
  }

  command(pid: number): Cell {
    let command = this.commands.get(pid);
    if (command === undefined) {
      command = this.sources.commandLine(pid);
      this.commands.set(pid, command);
    }
    return command;
  }
}

type Getter<T> = (context: RowContext, record: T) => Cell;
type Getters<T> = Partial<Record<ColumnId, Getter<T>>>;

const none: Getter<unknown> = () => null;

const holders: Getter<object> = (context, record) => context.holders(record);

/** KEY through CTIME: every System V object has them. */
const SYSV: Getters<IpcPerm & { ctime: number }> = {
  KEY: (_, perm) => formatKey(perm.key),
  ID: (_, perm) => String(perm.id),
  OWNER: (context, perm) => context.owner(perm.uid),
  PERMS: (context, perm) => context.perms(perm.mode),
  CUID: (_, perm) => String(perm.cuid),
  CUSER: (context, perm) => context.user(perm.cuid),
  CGID: (_, perm) => String(perm.cgid),
  CGROUP: (context, perm) => context.group(perm.cgid),
  UID: (_, perm) => String(perm.uid),
  USER: (context, perm) => context.user(perm.uid),
  GID: (_, perm) => String(perm.gid),
  GROUP: (context, perm) => context.group(perm.gid),
  CTIME: (context, perm) => context.time(perm.ctime),
};

/** The generic POSIX columns: the file's owner stands for both owner and creator. */
const POSIX: Getters<PosixObject> = {
  NAME: (_, object) => object.name,
  OWNER: (context, object) => context.owner(object.uid),
  PERMS: (context, object) => context.perms(object.mode),
  CUID: (_, object) => String(object.uid),
  CUSER: (context, object) => context.user(object.uid),
  CGID: (_, object) => String(object.gid),
  CGROUP: (context, object) => context.group(object.gid),
  MTIME: (context, object) => context.time(object.mtime),
};

const SHM: Getters<ShmSegment> = {
  ...SYSV,
  SIZE: (context, segment) => context.size(segment.size),
  NATTCH: (_, segment) => String(segment.nattch),
  STATUS: (_, segment) => formatShmStatus(segment.mode),
  ATTACH: (context, segment) => context.time(segment.atime),
  DETACH: (context, segment) => context.time(segment.dtime),
  CPID: (_, segment) => String(segment.cpid),
  LPID: (_, segment) => String(segment.lpid),
  COMMAND: (context, segment) => context.command(segment.cpid),
  TYPE: () => 'shm',
  HOLDERS: holders,
};

const MSG: Getters<MsgQueue> = {
  ...SYSV,
  USEDBYTES: (context, queue) => context.size(queue.cbytes),
  MSGS: (_, queue) => String(queue.qnum),
  SEND: (context, queue) => context.time(queue.stime),
  RECV: (context, queue) => context.time(queue.rtime),
  LSPID: (_, queue) => String(queue.lspid),
  LRPID: (_, queue) => String(queue.lrpid),
  TYPE: () => 'msg',
};

const SEM: Getters<SemSet> = {
  ...SYSV,
  NSEMS: (_, set) => String(set.nsems),
  OTIME: (context, set) => context.time(set.otime),
  TYPE: () => 'sem',
};

const POSIX_SHM: Getters<PosixShm> = {
  ...POSIX,
  SIZE: (context, object) => context.size(object.size),
  TYPE: () => 'pshm',
  HOLDERS: holders,
};

const POSIX_MQUEUE: Getters<PosixMqueue> = {
  ...POSIX,
  USEDBYTES: (context, queue) => context.size(queue.qsize),
  // util-linux prints whatever mq_getattr left when the queue cannot be opened; 0 here.
  MSGS: (_, queue) => String(queue.curmsgs ?? 0),
  TYPE: () => 'pmsg',
  HOLDERS: holders,
};

const POSIX_SEM: Getters<PosixSem> = {
  ...POSIX,
  SVAL: (_, sem) => String(sem.value ?? 0),
  TYPE: () => 'psem',
  HOLDERS: holders,
};

/** A row builder for one kind: the selected columns' getters, looked up once. */
function rowBuilder<T>(getters: Getters<T>): (context: RowContext, record: T) => Cell[] {
  const cache = new WeakMap<RowContext, Getter<T>[]>();
  return (context, record) => {
    let selected = cache.get(context);
    if (selected === undefined) {
      selected = context.columns.map((id) => getters[id] ?? (none as Getter<T>));
      cache.set(context, selected);
    }
    const row = new Array<Cell>(selected.length);
    for (let c = 0; c < selected.length; c++) row[c] = selected[c]!(context, record);
    return row;
  };
}

export const shmRow = rowBuilder(SHM);
export const msgRow = rowBuilder(MSG);
export const semRow = rowBuilder(SEM);
export const posixShmRow = rowBuilder(POSIX_SHM);
export const posixMqueueRow = rowBuilder(POSIX_MQUEUE);
export const posixSemRow = rowBuilder(POSIX_SEM);

/** A listed object: an IpcObject before a POSIX file's identity is looked up (only filters and HOLDERS need it). */
export type ListedObject = {
  [K in IpcKind]: { kind: K; record: Extract<IpcObject, { kind: K }>['record'] };
}[IpcKind];

/** The row of any listed object. */
export function objectRow(context: RowContext, object: ListedObject): Cell[] {
  switch (object.kind) {
    case 'shm':
      return shmRow(context, object.record);
    case 'msg':
      return msgRow(context, object.record);
    case 'sem':
      return semRow(context, object.record);
    case 'pshm':
      return posixShmRow(context, object.record);
    case 'pmsg':
      return posixMqueueRow(context, object.record);
    case 'psem':
      return posixSemRow(context, object.record);
  }
}

/** One row of the global view (global_set_data()); `used` undefined for a pure limit. */
export interface GlobalRow {
  resource: string;
  description: string;
  limit: number | bigint;
  used?: number | bigint;
  /** LIMIT and USED are byte counts, shown human-readable unless -b. */
  bytes?: boolean;
  /** USE%, precomputed as util-linux prints it. */
  percent?: string;
}

export function globalRow(context: RowContext, row: GlobalRow): Cell[] {
  const amount = (value: number | bigint) =>
    row.bytes && !context.options.bytes ? context.size(value) : BigInt(value).toString();
  return context.columns.map((column) => {
    switch (column) {
      case 'RESOURCE':
        return row.resource;
      case 'DESCRIPTION':
        return row.description;
      case 'LIMIT':
        return amount(row.limit);
      case 'USED':
        return row.used === undefined ? '-' : amount(row.used);
      case 'USE%':
        return row.percent ?? '-';
      default:
        return null;
    }
  });
}
