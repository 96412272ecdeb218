/** lsfifo's output columns: a header, the text people read, and the typed JSON fields. */
import { groupName, type LocalTime, userName } from '@ipcutils/core';
import { describeHolders } from '../common/holders.js';
import { formatMode } from '../common/mode.js';
import type { FifoRecord } from './collect.js';

export const COLUMN_IDS = [
  'PATH',
  'TYPE',
  'INODE',
  'OWNER',
  'UID',
  'GROUP',
  'GID',
  'MODE',
  'MTIME',
  'HOLDERS',
] as const;
export type ColumnId = (typeof COLUMN_IDS)[number];

export const DEFAULT_COLUMNS: readonly ColumnId[] = ['PATH', 'OWNER', 'GROUP', 'MODE', 'MTIME', 'HOLDERS'];

export interface Column {
  description: string;
  /** Numbers are right-aligned in the plain output. */
  numeric: boolean;
  /** May be cut to fit a terminal (SCOLS_FL_TRUNC): the free-text columns. */
  trunc?: boolean;
  text: (record: FifoRecord, localTime: LocalTime) => string;
  json: (record: FifoRecord) => Record<string, unknown>;
}

export const COLUMNS: Readonly<Record<ColumnId, Column>> = {
  PATH: {
    description: 'path of the FIFO, or pipe:[inode]',
    numeric: false,
    trunc: true,
    text: (r) => r.path,
    json: (r) => ({ path: r.path }),
  },
  TYPE: {
    description: 'fifo or pipe',
    numeric: false,
    text: (r) => r.type,
    json: (r) => ({ type: r.type }),
  },
  INODE: {
    description: 'inode number',
    numeric: true,
    text: (r) => String(r.inode),
    json: (r) => ({ inode: Number(r.inode) }),
  },
  OWNER: {
    description: 'owner name',
    numeric: false,
    text: (r) => userName(r.uid) ?? String(r.uid),
    json: (r) => ({ owner: userName(r.uid) ?? null }),
  },
  UID: { description: 'owner id', numeric: true, text: (r) => String(r.uid), json: (r) => ({ uid: r.uid }) },
  GROUP: {
    description: 'group name',
    numeric: false,
    text: (r) => groupName(r.gid) ?? String(r.gid),
    json: (r) => ({ group: groupName(r.gid) ?? null }),
  },
  GID: { description: 'group id', numeric: true, text: (r) => String(r.gid), json: (r) => ({ gid: r.gid }) },
  MODE: {
    description: 'type and permissions, as ls -l shows them',
    numeric: false,
    text: (r) => formatMode(r.mode),
    json: (r) => ({ mode: r.mode & 0o7777, permissions: formatMode(r.mode) }),
  },
  MTIME: {
    description: 'last modification (local time)',
    numeric: false,
    text: (r, localTime) => formatLocalTime(r.mtimeMs, localTime),
    json: (r) => ({ mtime: new Date(r.mtimeMs).toISOString() }),
  },
  HOLDERS: {
    description: 'processes holding it open: PID COMMAND (r, w or rw)',
    numeric: false,
    trunc: true,
    text: (r) => describeHolders(r.holders, r.holdersComplete),
    json: (r) => ({
      holders: r.holders.map(({ pid, command, access, fds, opening }) => ({
        pid,
        command,
        access,
        fds,
        opening,
      })),
      holders_complete: r.holdersComplete,
    }),
  },
};

/** "2024-05-21 14:03:07" in the local time zone (TZ, as glibc's localtime() reads it). */
function formatLocalTime(ms: number, localTime: LocalTime): string {
  const time = localTime(Math.floor(ms / 1000));
  const two = (n: number) => String(n).padStart(2, '0');
  const day = `${time.year}-${two(time.month + 1)}-${two(time.day)}`;
  return `${day} ${two(time.hours)}:${two(time.minutes)}:${two(time.seconds)}`;
}

/** `-o` list: comma-separated names in any case; a leading "+" adds to the default columns. */
export function parseColumnList(list: string): ColumnId[] | { unknown: string } {
  const append = list.startsWith('+');
  const columns: ColumnId[] = append ? [...DEFAULT_COLUMNS] : [];
  for (const name of (append ? list.slice(1) : list).split(',')) {
    const id = COLUMN_IDS.find((column) => column === name.toUpperCase());
    if (id === undefined) return { unknown: name };
    columns.push(id);
  }
  return columns;
}
