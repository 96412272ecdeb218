/**
 * lsipc's columns as data (util-linux 2.43 coldescs[] of sys-utils/lsipc.c, in its order): name,
 * help text, the label of the pretty -i/-N view, and libsmartcols flags. The order matters: it is
 * the order of the pretty view, and `-o` accepts a column after CTIME only within the range of the
 * selected resource.
 */
import type { Column } from '@ipcutils/cli/smartcols';

export const COLUMN_IDS = [
  'KEY',
  'ID',
  'OWNER',
  'PERMS',
  'CUID',
  'CUSER',
  'CGID',
  'CGROUP',
  'UID',
  'USER',
  'GID',
  'GROUP',
  'CTIME',
  'NAME',
  'MTIME',
  'USEDBYTES',
  'MSGS',
  'SEND',
  'RECV',
  'LSPID',
  'LRPID',
  'SIZE',
  'NATTCH',
  'STATUS',
  'ATTACH',
  'DETACH',
  'COMMAND',
  'CPID',
  'LPID',
  'NSEMS',
  'OTIME',
  'RESOURCE',
  'DESCRIPTION',
  'LIMIT',
  'USED',
  'USE%',
  'SVAL',
] as const;

/**
 * Our columns, after util-linux's: TYPE names the kind of each row (useful when filters list every
 * kind in one table), HOLDERS the processes that attach, map or hold the object open. They are never
 * in a util-linux default view (not even the pretty one), so existing output does not change.
 */
export const EXTRA_COLUMN_IDS = ['TYPE', 'HOLDERS'] as const;

export type ColumnId = (typeof COLUMN_IDS)[number] | (typeof EXTRA_COLUMN_IDS)[number];

const ALL_COLUMN_IDS: readonly ColumnId[] = [...COLUMN_IDS, ...EXTRA_COLUMN_IDS];

export interface ColumnDesc {
  id: ColumnId;
  help: string;
  /** Label in the pretty view ("Key:"). */
  pretty: string;
  right?: boolean;
  trunc?: boolean;
  noextremes?: boolean;
  /** libsmartcols width hint (lsipc gives 1 to all but COMMAND). */
  widthHint: number;
  /** Made only of digits, letters and punctuation we write: the renderer need not escape it. */
  plain?: boolean;
}

const R = { right: true, widthHint: 1 } as const;
const L = { widthHint: 1 } as const;
/** Numbers, keys and modes. */
const RP = { ...R, plain: true } as const;
const LP = { ...L, plain: true } as const;

export const COLUMNS: Readonly<Record<ColumnId, ColumnDesc>> = {
  KEY: { id: 'KEY', help: 'Resource key', pretty: 'Key', ...LP },
  ID: { id: 'ID', help: 'Resource ID', pretty: 'ID', ...LP },
  OWNER: { id: 'OWNER', help: "Owner's username or UID", pretty: 'Owner', ...R },
  PERMS: { id: 'PERMS', help: 'Permissions', pretty: 'Permissions', ...RP },
  CUID: { id: 'CUID', help: 'Creator UID', pretty: 'Creator UID', ...RP },
  CUSER: { id: 'CUSER', help: 'Creator user', pretty: 'Creator user', ...L },
  CGID: { id: 'CGID', help: 'Creator GID', pretty: 'Creator GID', ...RP },
  CGROUP: { id: 'CGROUP', help: 'Creator group', pretty: 'Creator group', ...L },
  UID: { id: 'UID', help: 'User ID', pretty: 'UID', ...RP },
  USER: { id: 'USER', help: 'User name', pretty: 'User name', ...L },
  GID: { id: 'GID', help: 'Group ID', pretty: 'GID', ...RP },
  GROUP: { id: 'GROUP', help: 'Group name', pretty: 'Group name', ...L },
  CTIME: { id: 'CTIME', help: 'Time of the last change', pretty: 'Last change', ...R },
  NAME: { id: 'NAME', help: 'POSIX resource name', pretty: 'Name', ...L },
  MTIME: { id: 'MTIME', help: 'Time of last action', pretty: 'Last action', ...R },
  USEDBYTES: { id: 'USEDBYTES', help: 'Bytes used', pretty: 'Bytes used', ...RP },
  // MSGS is left-aligned in util-linux too.
  MSGS: { id: 'MSGS', help: 'Number of messages', pretty: 'Messages', ...LP },
  SEND: { id: 'SEND', help: 'Time of last msg sent', pretty: 'Msg sent', ...R },
  RECV: { id: 'RECV', help: 'Time of last msg received', pretty: 'Msg received', ...R },
  LSPID: { id: 'LSPID', help: 'PID of the last msg sender', pretty: 'Msg sender', ...RP },
  LRPID: { id: 'LRPID', help: 'PID of the last msg receiver', pretty: 'Msg receiver', ...RP },
  SIZE: { id: 'SIZE', help: 'Segment size', pretty: 'Segment size', ...RP },
  NATTCH: { id: 'NATTCH', help: 'Number of attached processes', pretty: 'Attached processes', ...RP },
  STATUS: { id: 'STATUS', help: 'Status', pretty: 'Status', noextremes: true, widthHint: 1 },
  ATTACH: { id: 'ATTACH', help: 'Attach time', pretty: 'Attach time', ...R },
  DETACH: { id: 'DETACH', help: 'Detach time', pretty: 'Detach time', ...R },
  COMMAND: {
    id: 'COMMAND',
    help: 'Creator command line',
    pretty: 'Creator command',
    trunc: true,
    widthHint: 0,
  },
  CPID: { id: 'CPID', help: 'PID of the creator', pretty: 'Creator PID', ...RP },
  LPID: { id: 'LPID', help: 'PID of last user', pretty: 'Last user PID', ...RP },
  NSEMS: { id: 'NSEMS', help: 'Number of semaphores', pretty: 'Semaphores', ...RP },
  OTIME: { id: 'OTIME', help: 'Time of the last operation', pretty: 'Last operation', ...R },
  RESOURCE: { id: 'RESOURCE', help: 'Resource name', pretty: 'Resource', ...L },
  DESCRIPTION: { id: 'DESCRIPTION', help: 'Resource description', pretty: 'Description', ...L },
  LIMIT: { id: 'LIMIT', help: 'System-wide limit', pretty: 'Limit', ...RP },
  USED: { id: 'USED', help: 'Currently used', pretty: 'Used', ...RP },
  'USE%': { id: 'USE%', help: 'Currently use percentage', pretty: 'Use', ...RP },
  SVAL: { id: 'SVAL', help: 'Semaphore value', pretty: 'Value', ...RP },
  TYPE: { id: 'TYPE', help: 'Resource type (shm, msg, sem, pshm, pmsg, psem)', pretty: 'Type', ...L },
  HOLDERS: {
    id: 'HOLDERS',
    help: 'Processes attaching, mapping or holding it open',
    pretty: 'Holders',
    trunc: true,
    widthHint: 1,
  },
};

/** Which columns `-o` accepts past CTIME: the range of the last resource option given. */
export type ColumnRange = readonly [first: ColumnId, last: ColumnId];

export const RANGES = {
  shm: ['SIZE', 'LPID'],
  msg: ['USEDBYTES', 'LRPID'],
  sem: ['NSEMS', 'OTIME'],
  posix: ['NAME', 'MTIME'],
  global: ['RESOURCE', 'USE%'],
} as const satisfies Record<string, ColumnRange>;

/** Position in coldescs[] (what the ranges compare); our columns come after util-linux's. */
export function columnIndex(id: ColumnId): number {
  return ALL_COLUMN_IDS.indexOf(id);
}

/** TYPE and HOLDERS: every object kind accepts them, the global view does not. */
export function isExtraColumn(id: ColumnId): boolean {
  return (EXTRA_COLUMN_IDS as readonly ColumnId[]).includes(id);
}

/** The generic columns every resource accepts: KEY through CTIME. */
export function isGenericColumn(id: ColumnId): boolean {
  return columnIndex(id) <= columnIndex('CTIME');
}

export function isInRange(id: ColumnId, range: ColumnRange): boolean {
  const index = columnIndex(id);
  return index >= columnIndex(range[0]) && index <= columnIndex(range[1]);
}

/** A column's case-insensitive lookup, as c_strncasecmp() in column_name_to_id(). */
export function findColumn(name: string): ColumnId | undefined {
  const upper = name.replace(/[a-z]+/g, (letters) => letters.toUpperCase());
  return ALL_COLUMN_IDS.find((id) => id === upper);
}

/** The smartcols column for a descriptor; --notruncate clears TRUNC. */
export function toTableColumn(desc: ColumnDesc, notruncate: boolean): Column {
  return {
    name: desc.id,
    right: desc.right === true,
    trunc: desc.trunc === true && !notruncate,
    noextremes: desc.noextremes === true,
    widthHint: desc.widthHint,
    plain: desc.plain === true,
  };
}

/** Default columns of each resource (lsipc.c adds them as the option is seen). */
export const DEFAULT_COLUMNS = {
  msg: ['KEY', 'ID', 'PERMS', 'OWNER', 'USEDBYTES', 'MSGS', 'LSPID', 'LRPID'],
  pmsg: ['NAME', 'PERMS', 'OWNER', 'MTIME', 'USEDBYTES', 'MSGS'],
  shm: ['KEY', 'ID', 'PERMS', 'OWNER', 'SIZE', 'NATTCH', 'STATUS', 'CTIME', 'CPID', 'LPID', 'COMMAND'],
  pshm: ['NAME', 'PERMS', 'OWNER', 'SIZE', 'MTIME'],
  sem: ['KEY', 'ID', 'PERMS', 'OWNER', 'NSEMS'],
  psem: ['NAME', 'PERMS', 'OWNER', 'MTIME', 'SVAL'],
  global: ['RESOURCE', 'DESCRIPTION', 'LIMIT', 'USED', 'USE%'],
  /** Filters without a resource option list every kind in one table. */
  mixed: ['TYPE', 'KEY', 'ID', 'NAME', 'PERMS', 'OWNER', 'SIZE', 'USEDBYTES', 'CTIME', 'MTIME', 'HOLDERS'],
} as const satisfies Record<string, readonly ColumnId[]>;

/** lsipc's columns[] holds twice the number of util-linux's coldescs; past that it gives up. */
export const MAX_COLUMNS = COLUMN_IDS.length * 2;
