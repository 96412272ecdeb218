/**
 * Lists what lsipc's one table shows, from every selected resource, in util-linux's order (msg,
 * POSIX msg, shm, POSIX shm, sem, POSIX sem), with its warnings ("id 5 not found") as they occur.
 * The table is named after the last resource that found something (the semaphore name is set even
 * when none is found; util-linux's JSON shows "" otherwise). Rows are built later, once the
 * filters have run and the output mode is known.
 */

import { Failure } from '@ipcutils/cli';
import type { Table } from '@ipcutils/cli/smartcols';
import { IpcError, PATH_DEV_MQUEUE, PATH_DEV_SHM, type SemElement } from '@ipcutils/core';
import { msgGlobalRows, posixMsgGlobalRows, semGlobalRows, shmGlobalRows } from './global.js';
import type { Resource } from './options.js';
import type { GlobalRow, ListedObject, RowContext } from './rows.js';
import type { PosixListing } from './sources.js';

/** One row to be: an object, or a line of the global view. */
export type Entry = ListedObject | { kind: 'global'; row: GlobalRow };

export interface Collected {
  name: string | null;
  /** The table's name whatever was found: the last resource's (--typed-json, never ""). */
  kindName: string;
  entries: Entry[];
  /** The semaphores of `-s -i ID`'s set by set record: the pretty view's "Elements" table, --typed-json's "elements". */
  elements: Map<object, SemElement[]>;
}

type Warn = (message: string) => void;

/** What collecting reads: the options and the sources, nothing derived. */
export type Listing = Pick<RowContext, 'options' | 'sources'>;

const ORDER: readonly Resource[] = ['msg', 'pmsg', 'shm', 'pshm', 'sem', 'psem'];

const TABLE_NAMES: Record<Resource, string> = {
  msg: 'messages',
  pmsg: 'posix-messages',
  shm: 'sharedmemory',
  pshm: 'posix-sharedmemory',
  sem: 'semaphores',
  psem: 'posix-semaphores',
};

export function collectEntries(context: Listing, warn: Warn): Collected {
  const { options } = context;
  const name = options.global ? 'ipclimits' : options.mixed ? 'ipc' : null;
  const last = ORDER.filter((resource) => options.resources.has(resource)).at(-1);
  const collected: Collected = {
    name,
    kindName: name ?? (last === undefined ? 'ipc' : TABLE_NAMES[last]),
    entries: [],
    elements: new Map(),
  };
  for (const resource of ORDER) {
    if (!options.resources.has(resource)) continue;
    if (options.global) collectGlobal(context, resource, collected, warn);
    else COLLECTORS[resource](context, collected, warn);
  }
  return collected;
}

function collectGlobal(context: Listing, resource: Resource, collected: Collected, warn: Warn): void {
  const { sources } = context;
  const rows =
    resource === 'msg'
      ? msgGlobalRows(sources)
      : resource === 'pmsg'
        ? posixMsgGlobalRows(sources, posixListing(sources.posixMqueues(), warn, PATH_DEV_MQUEUE))
        : resource === 'shm'
          ? shmGlobalRows(sources)
          : resource === 'sem'
            ? semGlobalRows(sources)
            : [];
  for (const row of rows) collected.entries.push({ kind: 'global', row });
}

/** -i ID: one object or a warning; -1 (no -i) and other negative ids select all of them. */
function selectById<T extends { id: number }>(records: T[], id: number, warn: Warn): T[] {
  if (id < 0) return records;
  const found = records.find((record) => record.id === id);
  if (found) return [found];
  warn(`id ${id} not found`);
  return [];
}

const COLLECTORS: Record<Resource, (context: Listing, collected: Collected, warn: Warn) => void> = {
  msg(context, collected, warn) {
    const queues = selectById(context.sources.msgQueues(), context.options.id, warn);
    if (queues.length > 0) nameTable(context, collected, TABLE_NAMES.msg);
    for (const record of queues) collected.entries.push({ kind: 'msg', record });
  },

  shm(context, collected, warn) {
    const segments = selectById(context.sources.shmSegments(), context.options.id, warn);
    if (segments.length > 0) nameTable(context, collected, TABLE_NAMES.shm);
    for (const record of segments) collected.entries.push({ kind: 'shm', record });
  },

  sem(context, collected, warn) {
    nameTable(context, collected, TABLE_NAMES.sem);
    const { id } = context.options;
    const sets = selectById(context.sources.semSets(), id, warn);
    for (const set of sets) {
      if (id < 0 || set.nsems === 0) {
        collected.entries.push({ kind: 'sem', record: set });
        continue;
      }
      const elements = readElements(context, set.id);
      // Removed between reading /proc and semctl(): as if it had not been there.
      if (elements === undefined) {
        warn(`id ${id} not found`);
        continue;
      }
      collected.elements.set(set, elements);
      collected.entries.push({ kind: 'sem', record: set });
    }
  },

  pmsg(context, collected, warn) {
    let listing = posixListing(context.sources.posixMqueues(), warn, PATH_DEV_MQUEUE);
    // Filtered, this is what ipcrm would remove: queues not looked at are said, as ipcrm says them.
    if (listing !== undefined && context.options.filtered && !context.sources.mqueueMounted())
      listing = posixListing({ problem: 'not-mounted' }, warn, PATH_DEV_MQUEUE);
    if (listing === undefined) return;
    const { name } = context.options;
    if (name !== undefined && !name.startsWith('/')) {
      warn(`message queue name must start with '/': ${name}`);
      return;
    }
    const queues = selectByName(listing, name);
    if (queues.length === 0) {
      if (name !== undefined) warn(`message queue ${name} not found`);
      return;
    }
    nameTable(context, collected, TABLE_NAMES.pmsg);
    for (const record of queues) collected.entries.push({ kind: 'pmsg', record });
  },

  pshm(context, collected, warn) {
    const listing = posixListing(context.sources.posixShm(), warn, PATH_DEV_SHM);
    if (!Array.isArray(listing)) return;
    const { name } = context.options;
    const objects = selectByName(listing, name);
    if (objects.length === 0) {
      if (name !== undefined) warn(`shared memory segment ${name} not found`);
      return;
    }
    nameTable(context, collected, TABLE_NAMES.pshm);
    for (const record of objects) collected.entries.push({ kind: 'pshm', record });
  },

  psem(context, collected, warn) {
    const listing = posixListing(context.sources.posixSems(), warn, PATH_DEV_SHM);
    if (!Array.isArray(listing)) return;
    const { name } = context.options;
    const sems = selectByName(listing, name);
    if (sems.length === 0) {
      // util-linux says "message queue" here (a copy-paste slip); we name the semaphore.
      if (name !== undefined) warn(`semaphore ${name} not found`);
      return;
    }
    nameTable(context, collected, TABLE_NAMES.psem);
    for (const record of sems) collected.entries.push({ kind: 'psem', record });
  },
};

/** Every kind in one table (filters without a resource option) keeps the name "ipc". */
function nameTable(context: Listing, collected: Collected, name: string): void {
  if (!context.options.mixed) collected.name = name;
}

/** The listing, or undefined after util-linux's warning for a directory it cannot read. */
function posixListing<T>(listing: PosixListing<T>, warn: Warn, path: string): T[] | undefined {
  if (Array.isArray(listing)) return listing;
  if (listing.problem === 'not-mounted') {
    warn(`${path} does not seem to be mounted. Use 'mount -t mqueue none ${path}' to mount it.`);
  } else {
    warn(`cannot open ${path}`);
  }
  return undefined;
}

function selectByName<T extends { name: string }>(objects: T[], name: string | undefined): T[] {
  if (name === undefined) return objects;
  const found = objects.find((object) => object.name === name);
  return found ? [found] : [];
}

/** The set's semaphores; undefined when the set is gone. */
function readElements(context: Listing, id: number): SemElement[] | undefined {
  try {
    return context.sources.semElements(id);
  } catch (error) {
    if (error instanceof IpcError && (error.code === 'EINVAL' || error.code === 'EIDRM')) return undefined;
    // util-linux's first call is GETVAL, and every one of its four needs the same read permission.
    if (error instanceof IpcError) throw new Failure(`semctl(GETVAL) failed: ${error.reason}`);
    throw error;
  }
}

/** The pretty view's SEMNUM VALUE NCOUNT ZCOUNT PID COMMAND table. */
export function elementsTable(context: RowContext, elements: readonly SemElement[]): Table {
  const names = ['SEMNUM', 'VALUE', 'NCOUNT', 'ZCOUNT', 'PID', 'COMMAND'];
  return {
    name: 'elements',
    columns: names.map((name) => ({ name, right: true, widthHint: 0 })),
    rows: elements.map((element, num) => [
      String(num),
      String(element.semval),
      String(element.ncount),
      String(element.zcount),
      String(element.pid),
      context.command(element.pid),
    ]),
  };
}
