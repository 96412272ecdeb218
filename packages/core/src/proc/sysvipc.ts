/**
 * Parsers and readers for /proc/sysvipc/{shm,msg,sem}: a header line naming the columns, then one
 * object per line. Columns are found by header name, not position; malformed lines are skipped.
 */
import { readFileSync } from 'node:fs';
import { PATH_PROC_SYSV_MSG, PATH_PROC_SYSV_SEM, PATH_PROC_SYSV_SHM } from '../paths.js';
import type { MsgQueue, SemSet, ShmSegment } from '../types.js';

// Linux 2.6.32 and older print no rss/swap columns (util-linux accepts 14 of the 16 fields).
const SHM_COLUMNS = 'key shmid perms size cpid lpid nattch uid gid cuid cgid atime dtime ctime';
const SHM_OPTIONAL_COLUMNS = 'rss swap';
const MSG_COLUMNS = 'key msqid perms cbytes qnum lspid lrpid uid gid cuid cgid stime rtime ctime';
const SEM_COLUMNS = 'key semid perms nsems uid gid cuid cgid otime ctime';

// The kernel prints the key with %10d; `| 0` also folds a key printed unsigned into key_t.
export function parseShmTable(text: string): ShmSegment[] {
  const table = openTable(text, SHM_COLUMNS, SHM_OPTIONAL_COLUMNS);
  if (table === undefined) return [];
  const { at } = table;
  const { rss, swap } = table.optionalAt;
  return scanRows(text, table, (f) => {
    const segment: ShmSegment = {
      key: Number(f[at.key]) | 0,
      id: Number(f[at.shmid]),
      uid: Number(f[at.uid]),
      gid: Number(f[at.gid]),
      cuid: Number(f[at.cuid]),
      cgid: Number(f[at.cgid]),
      // perms is printed with %o and keeps SHM_DEST (0o1000) and SHM_LOCKED (0o2000).
      mode: octal(f[at.perms]),
      size: Number(f[at.size]),
      cpid: Number(f[at.cpid]),
      lpid: Number(f[at.lpid]),
      nattch: Number(f[at.nattch]),
      atime: Number(f[at.atime]),
      dtime: Number(f[at.dtime]),
      ctime: Number(f[at.ctime]),
    };
    if (rss !== undefined) segment.rss = Number(f[rss]);
    if (swap !== undefined) segment.swap = Number(f[swap]);
    return segment;
  });
}

export function parseMsgTable(text: string): MsgQueue[] {
  const table = openTable(text, MSG_COLUMNS);
  if (table === undefined) return [];
  const { at } = table;
  return scanRows(text, table, (f) => ({
    key: Number(f[at.key]) | 0,
    id: Number(f[at.msqid]),
    uid: Number(f[at.uid]),
    gid: Number(f[at.gid]),
    cuid: Number(f[at.cuid]),
    cgid: Number(f[at.cgid]),
    mode: octal(f[at.perms]),
    cbytes: Number(f[at.cbytes]),
    qnum: Number(f[at.qnum]),
    lspid: Number(f[at.lspid]),
    lrpid: Number(f[at.lrpid]),
    stime: Number(f[at.stime]),
    rtime: Number(f[at.rtime]),
    ctime: Number(f[at.ctime]),
  }));
}

export function parseSemTable(text: string): SemSet[] {
  const table = openTable(text, SEM_COLUMNS);
  if (table === undefined) return [];
  const { at } = table;
  return scanRows(text, table, (f) => ({
    key: Number(f[at.key]) | 0,
    id: Number(f[at.semid]),
    uid: Number(f[at.uid]),
    gid: Number(f[at.gid]),
    cuid: Number(f[at.cuid]),
    cgid: Number(f[at.cgid]),
    mode: octal(f[at.perms]),
    nsems: Number(f[at.nsems]),
    otime: Number(f[at.otime]),
    ctime: Number(f[at.ctime]),
  }));
}

/** All segments of the IPC namespace, or undefined when the file cannot be read (use SHM_STAT then). */
export function readShmSegments(path: string = PATH_PROC_SYSV_SHM): ShmSegment[] | undefined {
  const text = readText(path);
  return text === undefined ? undefined : parseShmTable(text);
}

/** All message queues, or undefined when the file cannot be read (use MSG_STAT then). */
export function readMsgQueues(path: string = PATH_PROC_SYSV_MSG): MsgQueue[] | undefined {
  const text = readText(path);
  return text === undefined ? undefined : parseMsgTable(text);
}

/** All semaphore sets, or undefined when the file cannot be read (use SEM_STAT then). */
export function readSemSets(path: string = PATH_PROC_SYSV_SEM): SemSet[] | undefined {
  const text = readText(path);
  return text === undefined ? undefined : parseSemTable(text);
}

function readText(path: string): string | undefined {
  try {
    // The tables are ASCII; latin1 skips UTF-8 decoding.
    return readFileSync(path, 'latin1');
  } catch {
    return undefined;
  }
}

function octal(digits: string | undefined): number {
  return Number.parseInt(digits ?? '', 8);
}

/** The names of a space-separated list: "a b" → "a" | "b". */
type Names<List extends string> = List extends `${infer Head} ${infer Rest}` ? Head | Names<Rest> : List;

/** A table's layout, worked out once from its header. */
interface Table<Required extends string, Optional extends string> {
  /** Capture group of each required column. */
  at: Record<Names<Required>, number>;
  /** Capture group of each optional column the header has. */
  optionalAt: Partial<Record<Names<Optional>, number>>;
  /**
   * Matches one well-formed line: exactly one integer per header name, separated by blanks,
   * octal digits for perms. Global and multiline, so exec() steps over malformed lines.
   */
  row: RegExp;
  /** Offset of the first line after the header. */
  body: number;
}

/** Maps header names to capture groups; undefined when the header lacks a required column. */
function openTable<Required extends string, Optional extends string = never>(
  text: string,
  required: Required,
  optional?: Optional,
): Table<Required, Optional> | undefined {
  const newline = text.indexOf('\n');
  const end = newline < 0 ? text.length : newline;
  const names = text.slice(0, end).trim().split(/\s+/);
  const at = groupsOf(names, required);
  if (Object.keys(at).length !== required.split(' ').length) return undefined;
  const fields = names.map((name) => (name === 'perms' ? '([0-7]+)' : '([-+]?\\d+)'));
  return {
    at: at as Record<Names<Required>, number>,
    optionalAt: optional === undefined ? {} : groupsOf(names, optional),
    // One native regex per line parses faster than a JS character loop before the JIT warms up.
    row: new RegExp(`^[ \\t]*${fields.join('[ \\t]+')}[ \\t\\r]*$`, 'gm'),
    body: end + 1,
  };
}

/** The capture group (field index + 1) of each name of `list` that the header has. */
function groupsOf<List extends string>(names: string[], list: List): Partial<Record<Names<List>, number>> {
  const groups: Partial<Record<string, number>> = {};
  for (const name of list.split(' ')) {
    const at = names.indexOf(name);
    if (at >= 0) groups[name] = at + 1;
  }
  return groups;
}

/** Builds one record per well-formed line, in file order. */
function scanRows<T>(text: string, table: Table<string, string>, build: (fields: RegExpExecArray) => T): T[] {
  const { row } = table;
  const records: T[] = [];
  row.lastIndex = table.body;
  for (let match = row.exec(text); match !== null; match = row.exec(text)) records.push(build(match));
  return records;
}
