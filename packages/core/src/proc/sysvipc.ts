/**
 * Parsers and readers for /proc/sysvipc/{shm,msg,sem}: a header line naming the columns, then one
 * object per line. Columns are found by header name, not position; malformed lines are skipped.
 *
 * A line is well-formed when it matches its table's regular expression (see openTable()). The
 * lines are scanned by table-scanner.ts, which checks them the same way without a string or a
 * match per line; the expression itself parses the lines the scanner cannot give as 32-bit
 * integers, and everything when WebAssembly is unavailable.
 */
import { closeSync, openSync, readSync } from 'node:fs';
import { PATH_PROC_SYSV_MSG, PATH_PROC_SYSV_SEM, PATH_PROC_SYSV_SHM } from '../paths.js';
import type { MsgQueue, SemSet, ShmSegment, ShmUsage } from '../types.js';
import {
  LINE_OK,
  type ScannedLines,
  scannerForFile,
  scannerForText,
  type TableScanner,
} from './table-scanner.js';

// Linux 2.6.32 and older print no rss/swap columns (util-linux accepts 14 of the 16 fields).
const SHM_COLUMNS = 'key shmid perms size cpid lpid nattch uid gid cuid cgid atime dtime ctime';
const SHM_OPTIONAL_COLUMNS = 'rss swap';
const MSG_COLUMNS = 'key msqid perms cbytes qnum lspid lrpid uid gid cuid cgid stime rtime ctime';
const SEM_COLUMNS = 'key semid perms nsems uid gid cuid cgid otime ctime';

export function parseShmTable(text: string): ShmSegment[] {
  return shmSegments(textSource(text));
}

export function parseMsgTable(text: string): MsgQueue[] {
  return msgQueues(textSource(text));
}

export function parseSemTable(text: string): SemSet[] {
  return semSets(textSource(text));
}

/** parseShmTable()'s count and total size, without a record per segment. */
export function parseShmUsage(text: string): ShmUsage {
  return shmUsage(textSource(text));
}

/** How many segments there are and their total size; undefined when the file cannot be read. */
export function readShmUsage(path: string = PATH_PROC_SYSV_SHM): ShmUsage | undefined {
  const source = fileSource(path);
  return source === undefined ? undefined : shmUsage(source);
}

/** All segments of the IPC namespace, or undefined when the file cannot be read (use SHM_STAT then). */
export function readShmSegments(path: string = PATH_PROC_SYSV_SHM): ShmSegment[] | undefined {
  const source = fileSource(path);
  return source === undefined ? undefined : shmSegments(source);
}

/** All message queues, or undefined when the file cannot be read (use MSG_STAT then). */
export function readMsgQueues(path: string = PATH_PROC_SYSV_MSG): MsgQueue[] | undefined {
  const source = fileSource(path);
  return source === undefined ? undefined : msgQueues(source);
}

/** All semaphore sets, or undefined when the file cannot be read (use SEM_STAT then). */
export function readSemSets(path: string = PATH_PROC_SYSV_SEM): SemSet[] | undefined {
  const source = fileSource(path);
  return source === undefined ? undefined : semSets(source);
}

/** The values of a line: from words[at + 3] on, or for a WIDE line from its own array. */
type Fields = ArrayLike<number>;

// The kernel prints the key with %10d; `| 0` also folds a key printed unsigned into key_t.
// perms is printed with %o and keeps SHM_DEST (0o1000) and SHM_LOCKED (0o2000).
// Each table builds its records in one loop with one object literal (so that they share a shape):
// 10,000 records are made in a few milliseconds that way, and the loop is the one function the
// JIT has to compile.
function shmSegments(source: Source): ShmSegment[] {
  const table = openTable(source, SHM_COLUMNS, SHM_OPTIONAL_COLUMNS);
  if (table === undefined) return [];
  const { key, shmid, perms, size, cpid, lpid, nattch, uid, gid, cuid, cgid, atime, dtime, ctime } = table.at;
  const { rss, swap } = table.optionalAt;
  const { words, first, stride, count } = scanTable(source, table);
  const segments: ShmSegment[] = [];
  for (let line = 0, at = first; line < count; line++, at += stride) {
    let f: Fields = words;
    let o = at + 3;
    if (words[at] !== LINE_OK) {
      const wide = wideFields(source, table, words, at);
      if (wide === undefined) continue;
      f = wide;
      o = 0;
    }
    if (rss === undefined || swap === undefined) {
      segments.push(shmWithout(f, o, table));
      continue;
    }
    segments.push({
      key: f[o + key]! | 0,
      id: f[o + shmid]!,
      uid: f[o + uid]!,
      gid: f[o + gid]!,
      cuid: f[o + cuid]!,
      cgid: f[o + cgid]!,
      mode: f[o + perms]!,
      size: f[o + size]!,
      cpid: f[o + cpid]!,
      lpid: f[o + lpid]!,
      nattch: f[o + nattch]!,
      atime: f[o + atime]!,
      dtime: f[o + dtime]!,
      ctime: f[o + ctime]!,
      rss: f[o + rss]!,
      swap: f[o + swap]!,
    });
  }
  return segments;
}

/**
 * The segments' count and the sum of their sizes, as shmSegments() would give them: lsipc's
 * global view needs no more, and 10,000 records cost more than scanning their lines.
 */
function shmUsage(source: Source): ShmUsage {
  const usage = { segments: 0, bytes: 0n };
  const table = openTable(source, SHM_COLUMNS, SHM_OPTIONAL_COLUMNS);
  if (table === undefined) return usage;
  const { size } = table.at;
  const { words, first, stride, count } = scanTable(source, table);
  // Sizes below 2^32 add up as numbers, flushed to the bigint before they could pass 2^53.
  let small = 0;
  for (let line = 0, at = first; line < count; line++, at += stride) {
    const bytes =
      words[at] === LINE_OK ? words[at + 3 + size]! : wideFields(source, table, words, at)?.[size];
    if (bytes === undefined) continue;
    usage.segments++;
    if (bytes >= 2 ** 32) {
      usage.bytes += BigInt(bytes);
      continue;
    }
    small += bytes;
    if (small > 2 ** 52) {
      usage.bytes += BigInt(small);
      small = 0;
    }
  }
  usage.bytes += BigInt(small);
  return usage;
}

/** A segment of a table without rss, swap or both (Linux 2.6.32 and older). */
function shmWithout(f: Fields, o: number, table: Table<typeof SHM_COLUMNS, typeof SHM_OPTIONAL_COLUMNS>) {
  const { at } = table;
  const { rss, swap } = table.optionalAt;
  const segment: ShmSegment = {
    key: f[o + at.key]! | 0,
    id: f[o + at.shmid]!,
    uid: f[o + at.uid]!,
    gid: f[o + at.gid]!,
    cuid: f[o + at.cuid]!,
    cgid: f[o + at.cgid]!,
    mode: f[o + at.perms]!,
    size: f[o + at.size]!,
    cpid: f[o + at.cpid]!,
    lpid: f[o + at.lpid]!,
    nattch: f[o + at.nattch]!,
    atime: f[o + at.atime]!,
    dtime: f[o + at.dtime]!,
    ctime: f[o + at.ctime]!,
  };
  if (rss !== undefined) segment.rss = f[o + rss]!;
  if (swap !== undefined) segment.swap = f[o + swap]!;
  return segment;
}

function msgQueues(source: Source): MsgQueue[] {
  const table = openTable(source, MSG_COLUMNS);
  if (table === undefined) return [];
  const { key, msqid, perms, cbytes, qnum, lspid, lrpid, uid, gid, cuid, cgid, stime, rtime, ctime } =
    table.at;
  const { words, first, stride, count } = scanTable(source, table);
  const queues: MsgQueue[] = [];
  for (let line = 0, at = first; line < count; line++, at += stride) {
    let f: Fields = words;
    let o = at + 3;
    if (words[at] !== LINE_OK) {
      const wide = wideFields(source, table, words, at);
      if (wide === undefined) continue;
      f = wide;
      o = 0;
    }
    queues.push({
      key: f[o + key]! | 0,
      id: f[o + msqid]!,
      uid: f[o + uid]!,
      gid: f[o + gid]!,
      cuid: f[o + cuid]!,
      cgid: f[o + cgid]!,
      mode: f[o + perms]!,
      cbytes: f[o + cbytes]!,
      qnum: f[o + qnum]!,
      lspid: f[o + lspid]!,
      lrpid: f[o + lrpid]!,
      stime: f[o + stime]!,
      rtime: f[o + rtime]!,
      ctime: f[o + ctime]!,
    });
  }
  return queues;
}

function semSets(source: Source): SemSet[] {
  const table = openTable(source, SEM_COLUMNS);
  if (table === undefined) return [];
  const { key, semid, perms, nsems, uid, gid, cuid, cgid, otime, ctime } = table.at;
  const { words, first, stride, count } = scanTable(source, table);
  const sets: SemSet[] = [];
  for (let line = 0, at = first; line < count; line++, at += stride) {
    let f: Fields = words;
    let o = at + 3;
    if (words[at] !== LINE_OK) {
      const wide = wideFields(source, table, words, at);
      if (wide === undefined) continue;
      f = wide;
      o = 0;
    }
    sets.push({
      key: f[o + key]! | 0,
      id: f[o + semid]!,
      uid: f[o + uid]!,
      gid: f[o + gid]!,
      cuid: f[o + cuid]!,
      cgid: f[o + cgid]!,
      mode: f[o + perms]!,
      nsems: f[o + nsems]!,
      otime: f[o + otime]!,
      ctime: f[o + ctime]!,
    });
  }
  return sets;
}

/** A table's text, as a string or as bytes held by a scanner (latin1: one byte per character). */
type Source =
  | { text: string; scanner: TableScanner | undefined }
  | { text: undefined; scanner: TableScanner };

function textSource(text: string): Source {
  return { text, scanner: scannerForText(text) };
}

/**
 * Tables shorter than this (some 150 lines) are parsed by the regular expressions: assembling
 * the scanner costs about 1 ms, a tenth of a bare node start-up, more than they take.
 */
export const SCANNER_MIN_BYTES = 32 * 1024;

/** The file's content, or undefined when it cannot be read. */
function fileSource(path: string): Source | undefined {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch {
    return undefined;
  }
  try {
    const read = (from: number, into: Uint8Array, at: number) =>
      readSync(from, into, at, into.length - at, null);
    const head = Buffer.allocUnsafe(SCANNER_MIN_BYTES);
    let length = 0;
    while (length < head.length) {
      const count = read(fd, head, length);
      if (count === 0) return { text: head.toString('latin1', 0, length), scanner: undefined };
      length += count;
    }
    const scanner = scannerForFile(fd, read, head);
    if (scanner !== undefined) return { text: undefined, scanner };
    return { text: head.toString('latin1') + readRest(fd), scanner: undefined };
  } catch {
    return undefined;
  } finally {
    closeSync(fd);
  }
}

/** /proc files report size 0: read until EOF. The tables are ASCII; latin1 skips UTF-8 decoding. */
function readRest(fd: number): string {
  let buffer = Buffer.allocUnsafe(1 << 16);
  let length = 0;
  for (;;) {
    if (length === buffer.length) {
      const larger = Buffer.allocUnsafe(length * 2);
      buffer.copy(larger);
      buffer = larger;
    }
    const count = readSync(fd, buffer, length, buffer.length - length, null);
    if (count === 0) return buffer.toString('latin1', 0, length);
    length += count;
  }
}

/** Characters `start` to `end` of the source. */
function slice(source: Source, start: number, end: number): string {
  if (source.text !== undefined) return source.text.slice(start, end);
  return Buffer.from(source.scanner.bytes.buffer).toString('latin1', start, end);
}

/** The names of a space-separated list: "a b" → "a" | "b". */
type Names<List extends string> = List extends `${infer Head} ${infer Rest}` ? Head | Names<Rest> : List;

/** A table's layout, worked out once from its header. */
interface Table<Required extends string, Optional extends string> {
  /** Field index of each required column. */
  at: Record<Names<Required>, number>;
  /** Field index of each optional column the header has. */
  optionalAt: Partial<Record<Names<Optional>, number>>;
  /** The header's names: a line has one integer per name. */
  names: string[];
  columns: number;
  /** Field index of perms (octal digits, no sign); -1 when the scanner cannot read the table. */
  perms: number;
  /**
   * Matches one well-formed line: exactly one integer per header name, separated by blanks,
   * octal digits for perms; capture group i + 1 is field i. Global and multiline, so exec()
   * steps over malformed lines.
   */
  row: RegExp;
  /** Offset of the first line after the header. */
  body: number;
}

/** Maps header names to field indexes; undefined when the header lacks a required column. */
function openTable<Required extends string, Optional extends string = never>(
  source: Source,
  required: Required,
  optional?: Optional,
): Table<Required, Optional> | undefined {
  const end = headerEnd(source);
  const names = slice(source, 0, end).trim().split(/\s+/);
  const at = indexesOf(names, required);
  if (Object.keys(at).length !== required.split(' ').length) return undefined;
  const fields = names.map((name) => (name === 'perms' ? '([0-7]+)' : '([-+]?\\d+)'));
  return {
    at: at as Record<Names<Required>, number>,
    optionalAt: optional === undefined ? {} : indexesOf(names, optional),
    names,
    columns: names.length,
    // The scanner knows one octal column; a header naming perms twice is left to the expression.
    perms: names.indexOf('perms') === names.lastIndexOf('perms') ? names.indexOf('perms') : -1,
    row: new RegExp(`^[ \\t]*${fields.join('[ \\t]+')}[ \\t\\r]*$`, 'gm'),
    body: end + 1,
  };
}

/** Where the header line ends (the first newline, else the end of the text). */
function headerEnd(source: Source): number {
  if (source.text !== undefined) {
    const newline = source.text.indexOf('\n');
    return newline < 0 ? source.text.length : newline;
  }
  const { bytes, length } = source.scanner;
  const newline = bytes.subarray(0, length).indexOf(0x0a);
  return newline < 0 ? length : newline;
}

/** The field index of each name of `list` that the header has. */
function indexesOf<List extends string>(names: string[], list: List): Partial<Record<Names<List>, number>> {
  const indexes: Partial<Record<string, number>> = {};
  for (const name of list.split(' ')) {
    const at = names.indexOf(name);
    if (at >= 0) indexes[name] = at;
  }
  return indexes;
}

/**
 * The well-formed lines of the table, in file order: per line `[state, start, end, value...]`
 * from `words[first]` on, `stride` words apart.
 */
function scanTable(source: Source, table: Table<string, string>): ScannedLines | RegExpLines {
  const { scanner } = source;
  if (scanner !== undefined && table.perms >= 0) return scanner.scan(table.body, table.columns, table.perms);
  // Without the scanner, the regular expression finds the lines (and the values are exact).
  const text = source.text ?? slice(source, 0, source.scanner.length);
  const { row, columns } = table;
  const words: number[] = [];
  let count = 0;
  row.lastIndex = table.body;
  for (let match = row.exec(text); match !== null; match = row.exec(text), count++) {
    words.push(LINE_OK, match.index, row.lastIndex, ...numbers(match, table));
  }
  return { words, first: 0, stride: 3 + columns, count };
}

interface RegExpLines {
  words: number[];
  first: number;
  stride: number;
  count: number;
}

/** The values of a WIDE line, as the regular expression gives them (undefined: not a line after all). */
function wideFields(
  source: Source,
  table: Table<string, string>,
  words: Fields,
  at: number,
): number[] | undefined {
  const { row } = table;
  row.lastIndex = 0;
  const match = row.exec(slice(source, words[at + 1]!, words[at + 2]!));
  return match === null ? undefined : numbers(match, table);
}

/** The fields of a regular-expression match, as numbers. */
function numbers(match: RegExpExecArray, table: Table<string, string>): number[] {
  const fields = new Array<number>(table.columns);
  for (let i = 0; i < table.columns; i++) {
    const digits = match[i + 1]!;
    fields[i] = table.names[i] === 'perms' ? Number.parseInt(digits, 8) : Number(digits);
  }
  return fields;
}
