/**
 * --typed-json: the same rows as --json in the suite's one JSON vocabulary (docs/json.md, checked
 * against docs/json/ipcutils.schema.json): numbers as numbers (sizes in bytes, whatever -b says;
 * KEY as the unsigned 32-bit key; PERMS as the permission bits), times in ISO 8601 UTC (null for
 * "never"), OWNER and the other name columns as names (null without one; UID and the like carry
 * the numbers), a POSIX NAME as shm_open(3) and its kin take it ("/name"), STATUS and HOLDERS as
 * arrays. HOLDERS lists the holders that could be seen, and "holders_complete" says whether every
 * process could be inspected; HOLDERS is null for semaphore sets and queues, which /proc does not
 * show held. The top-level key is the table's name even when nothing is listed.
 */

import { isoTime, jsonObject, posixName } from '@ipcutils/cli';
import { toShellVarName } from '@ipcutils/cli/smartcols';
import { type JudgedObject, type SemElement, SHM_DEST, SHM_LOCKED } from '@ipcutils/core';
import type { Entry } from './collect.js';
import type { ColumnId } from './columns.js';
import { type GlobalRow, globalRow, type ListedObject, objectRow, type RowContext } from './rows.js';

export type JsonValue =
  | string
  | number
  | bigint
  | boolean
  | null
  | readonly JsonValue[]
  | { readonly [key: string]: JsonValue };

type Typed<T> = (context: RowContext, record: T) => JsonValue;
type RecordOf<K extends ListedObject['kind']> = Extract<ListedObject, { kind: K }>['record'];

const holders: Typed<object> = (context, record) => {
  const answer = context.holderAnswer(record);
  if (answer === undefined) return null;
  return answer.holders.map((holder) => ({ pid: holder.pid, command: holder.command }));
};

const userName: Typed<{ uid: number }> = (context, record) => context.user(record.uid);

const SYSV: Partial<Record<ColumnId, Typed<RecordOf<'shm' | 'msg' | 'sem'>>>> = {
  KEY: (_, record) => record.key >>> 0,
  ID: (_, record) => record.id,
  PERMS: (_, record) => record.mode & 0o777,
  OWNER: userName,
  CUID: (_, record) => record.cuid,
  CGID: (_, record) => record.cgid,
  UID: (_, record) => record.uid,
  GID: (_, record) => record.gid,
  CTIME: (_, record) => isoTime(record.ctime),
};

const POSIX: Partial<Record<ColumnId, Typed<RecordOf<'pshm' | 'pmsg' | 'psem'>>>> = {
  NAME: (_, record) => posixName(record.name),
  OWNER: userName,
  PERMS: (_, record) => record.mode & 0o777,
  CUID: (_, record) => record.uid,
  CGID: (_, record) => record.gid,
  UID: (_, record) => record.uid,
  USER: userName,
  GID: (_, record) => record.gid,
  GROUP: (context, record) => context.group(record.gid),
  MTIME: (_, record) => isoTime(record.mtime),
  HOLDERS: holders,
};

// shmget(2) flags util-linux's STATUS looks for; see format.ts.
const STATUS_FLAGS = [
  [SHM_DEST, 'dest'],
  [SHM_LOCKED, 'locked'],
  [0o4000, 'hugetlb'],
  [0o10000, 'noreserve'],
] as const;

const TYPED: { [K in ListedObject['kind']]: Partial<Record<ColumnId, Typed<RecordOf<K>>>> } = {
  shm: {
    ...SYSV,
    SIZE: (_, segment) => segment.size,
    NATTCH: (_, segment) => segment.nattch,
    STATUS: (_, segment) => STATUS_FLAGS.filter(([flag]) => segment.mode & flag).map(([, word]) => word),
    ATTACH: (_, segment) => isoTime(segment.atime),
    DETACH: (_, segment) => isoTime(segment.dtime),
    CPID: (_, segment) => segment.cpid,
    LPID: (_, segment) => segment.lpid,
    HOLDERS: holders,
  },
  msg: {
    ...SYSV,
    USEDBYTES: (_, queue) => queue.cbytes,
    MSGS: (_, queue) => queue.qnum,
    SEND: (_, queue) => isoTime(queue.stime),
    RECV: (_, queue) => isoTime(queue.rtime),
    LSPID: (_, queue) => queue.lspid,
    LRPID: (_, queue) => queue.lrpid,
    HOLDERS: () => null,
  },
  sem: {
    ...SYSV,
    NSEMS: (_, set) => set.nsems,
    OTIME: (_, set) => isoTime(set.otime),
    HOLDERS: () => null,
  },
  pshm: { ...POSIX, SIZE: (_, object) => object.size },
  pmsg: {
    ...POSIX,
    USEDBYTES: (_, queue) => queue.qsize,
    MSGS: (_, queue) => queue.curmsgs ?? null,
  },
  psem: { ...POSIX, SVAL: (_, sem) => sem.value ?? null },
};

const GLOBAL: Partial<Record<ColumnId, (row: GlobalRow) => JsonValue>> = {
  LIMIT: (row) => row.limit,
  USED: (row) => row.used ?? null,
  'USE%': (row) => {
    const percent = Number.parseFloat(row.percent ?? '');
    return Number.isFinite(percent) ? percent : null;
  },
};

/**
 * `{"NAME": [{…}, …]}`; keys are the column names in lower case, as in lsipc --json. The set of
 * `-s -i ID` also gets "elements": its semaphores, as the pretty view's Elements table shows them.
 * With --orphaned or --unattached, "undetermined" lists the objects whose use could not be judged,
 * as ipcrm --json does.
 */
export function renderTypedJson(
  name: string,
  entries: readonly Entry[],
  context: RowContext,
  extra: {
    elements: ReadonlyMap<object, readonly SemElement[]>;
    undetermined?: readonly JudgedObject[] | undefined;
  },
): string {
  const { elements } = extra;
  const { columns } = context;
  const keys = columns.map((id) => (context.options.shellVar ? toShellVarName(id) : id).toLowerCase());
  const rows = entries.map((entry) => {
    const cells = entry.kind === 'global' ? globalRow(context, entry.row) : objectRow(context, entry);
    const row: Record<string, JsonValue> = {};
    columns.forEach((id, n) => {
      row[keys[n]!] = typedValue(context, entry, id, cells[n] ?? null);
      if (id === 'HOLDERS' && entry.kind !== 'global') {
        const answer = context.holderAnswer(entry.record);
        if (answer !== undefined) row.holders_complete = answer.complete;
      }
    });
    const semaphores = entry.kind === 'global' ? undefined : elements.get(entry.record);
    if (semaphores) {
      row.elements = semaphores.map((element, semnum) => ({
        semnum,
        value: element.semval,
        ncount: element.ncount,
        zcount: element.zcount,
        pid: element.pid,
        command: context.command(element.pid) || null,
      }));
    }
    return row;
  });
  const document: Record<string, JsonValue> = { [name]: rows };
  if (extra.undetermined !== undefined) {
    document.undetermined = extra.undetermined.map(
      ({ object, judgement }) => jsonObject(object, { judgement }) as unknown as JsonValue,
    );
  }
  return `${serialize(document, '')}\n`;
}

function typedValue(context: RowContext, entry: Entry, id: ColumnId, text: string | null): JsonValue {
  if (entry.kind === 'global') {
    const typed = GLOBAL[id];
    return typed ? typed(entry.row) : text;
  }
  const typed = (TYPED[entry.kind] as Partial<Record<ColumnId, Typed<object>>>)[id];
  return typed ? typed(context, entry.record) : text;
}

/** JSON with two-space indentation; bigints (limits past 2^53) are written digit for digit. */
export function serialize(value: JsonValue, indent: string): string {
  if (value === null) return 'null';
  if (typeof value === 'bigint') return value.toString();
  if (typeof value !== 'object') return JSON.stringify(value);
  const inner = `${indent}  `;
  if (Array.isArray(value)) {
    const items = value as readonly JsonValue[];
    if (items.length === 0) return '[]';
    return `[\n${items.map((item) => inner + serialize(item, inner)).join(',\n')}\n${indent}]`;
  }
  const fields = Object.entries(value as { readonly [key: string]: JsonValue });
  if (fields.length === 0) return '{}';
  return `{\n${fields.map(([key, item]) => `${inner}${JSON.stringify(key)}: ${serialize(item, inner)}`).join(',\n')}\n${indent}}`;
}
