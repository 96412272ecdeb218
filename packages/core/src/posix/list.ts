/**
 * POSIX shared memory, semaphores and message queues, listed from their files as util-linux 2.41+
 * does: /dev/shm holds shm objects and "sem.NAME" semaphores, /dev/mqueue one file per queue.
 * Entries keep readdir(3) order; one that vanishes or cannot be read midway is skipped.
 */
import { type BigIntStats, existsSync, opendirSync, readFileSync, statfsSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fsPath, nameFromBytes } from '../names.js';
import { PATH_DEV_MQUEUE, PATH_DEV_SHM } from '../paths.js';
import type { PosixMqueue, PosixObject, PosixSem, PosixShm } from '../types.js';

/** sem_open(name) + sem_getvalue(); undefined when the semaphore cannot be opened. */
export type GetSemValue = (name: string) => number | undefined;
/** mq_open(name) + mq_getattr(); undefined when the queue cannot be opened. */
export type GetMqCurmsgs = (name: string) => number | undefined;

// glibc's sem_open creates "/dev/shm/sem.NAME"; shm_open creates "/dev/shm/NAME".
const SEM_PREFIX = 'sem.';

/** Shared memory objects (every /dev/shm entry but "sem.*"); undefined when the directory cannot be opened. */
export function listPosixShm(dir: string = PATH_DEV_SHM): PosixShm[] | undefined {
  const root = resolve(dir);
  const names = readEntryNames(root);
  if (names === undefined) return undefined;
  const objects: PosixShm[] = [];
  for (const name of names) {
    if (name.startsWith(SEM_PREFIX)) continue;
    const path = join(root, name);
    const stats = statEntry(path);
    if (stats === undefined) continue;
    objects.push({ ...describe(name, path, stats), size: Number(stats.size) });
  }
  return objects;
}

/**
 * Named semaphores ("sem.NAME" in /dev/shm, listed as NAME). With `getValue`, a semaphore it cannot
 * open is skipped, as util-linux skips one whose sem_open() fails; without it, every semaphore is
 * listed with no value. Undefined when the directory cannot be opened.
 */
export function listPosixSems(dir: string = PATH_DEV_SHM, getValue?: GetSemValue): PosixSem[] | undefined {
  const root = resolve(dir);
  const names = readEntryNames(root);
  if (names === undefined) return undefined;
  const objects: PosixSem[] = [];
  for (const entry of names) {
    if (!entry.startsWith(SEM_PREFIX)) continue;
    const path = join(root, entry);
    const stats = statEntry(path);
    if (stats === undefined) continue;
    const name = entry.slice(SEM_PREFIX.length);
    if (getValue === undefined) {
      objects.push(describe(name, path, stats));
      continue;
    }
    const value = getValue(name);
    if (value !== undefined) objects.push({ ...describe(name, path, stats), value });
  }
  return objects;
}

/**
 * Message queues, named "/" + file name, with QSIZE from the first line of each file. Undefined
 * when the directory does not exist (the mqueue filesystem is not mounted; util-linux warns);
 * throws the fs error when it exists but cannot be opened. An entry whose file does not start with
 * "QSIZE:" is skipped, as in util-linux.
 */
export function listPosixMqueues(
  dir: string = PATH_DEV_MQUEUE,
  getCurmsgs?: GetMqCurmsgs,
): PosixMqueue[] | undefined {
  const root = resolve(dir);
  if (!existsSync(root)) return undefined;
  const names = readEntryNames(root, { throwOnError: true }) ?? [];
  const objects: PosixMqueue[] = [];
  for (const entry of names) {
    const path = join(root, entry);
    const stats = statEntry(path);
    if (stats === undefined) continue;
    const qsize = readQsize(path);
    if (qsize === undefined) continue;
    const name = `/${entry}`;
    const queue: PosixMqueue = { ...describe(name, path, stats), qsize };
    const curmsgs = getCurmsgs?.(name);
    if (curmsgs !== undefined) queue.curmsgs = curmsgs;
    objects.push(queue);
  }
  return objects;
}

/** The mqueue filesystem's magic number as statfs(2) gives it (linux/magic.h MQUEUE_MAGIC). */
const MQUEUE_MAGIC = 0x19800202;

/**
 * Whether the mqueue filesystem is mounted at dir. In its place an empty directory (a container's
 * /dev without the mount, `umount /dev/mqueue`) lists no queue although queues may exist: util-linux
 * lists nothing there without a word, but a count or a cleanup must say that it could not look.
 * True when statfs fails: listing the directory then says what is wrong.
 */
export function isMqueueMounted(dir: string = PATH_DEV_MQUEUE): boolean {
  try {
    return statfsSync(dir).type === MQUEUE_MAGIC;
  } catch {
    return true;
  }
}

/**
 * Names in readdir(3) order: fs.readdirSync sorts them (libuv scandir), fs.opendirSync does not.
 * Read as bytes: a name that is not UTF-8 is still that name (see names.ts).
 */
function readEntryNames(dir: string, options: { throwOnError?: boolean } = {}): string[] | undefined {
  let handle: ReturnType<typeof opendirSync>;
  try {
    // Node's types omit 'buffer', which Dir supports: entries' names are then Buffers.
    handle = opendirSync(dir, { encoding: 'buffer' as BufferEncoding });
  } catch (error) {
    if (options.throwOnError) throw error;
    return undefined;
  }
  try {
    const names: string[] = [];
    for (let entry = handle.readSync(); entry !== null; entry = handle.readSync()) {
      // Typed as a string, but a Buffer with encoding 'buffer'.
      const name = nameFromBytes(entry.name as unknown as Buffer);
      if (name !== '.' && name !== '..') names.push(name);
    }
    return names;
  } finally {
    handle.closeSync();
  }
}

/** stat(2), following symlinks like util-linux's fstatat(…, 0); undefined for an entry gone since readdir. */
function statEntry(path: string): BigIntStats | undefined {
  try {
    // bigint: the float mtimeMs can round a time just before a second boundary up into the next one.
    return statSync(fsPath(path), { bigint: true, throwIfNoEntry: false });
  } catch {
    return undefined;
  }
}

function describe(name: string, path: string, stats: BigIntStats): PosixObject {
  return {
    name,
    path,
    uid: Number(stats.uid),
    gid: Number(stats.gid),
    mode: Number(stats.mode & 0o7777n),
    mtime: Number(stats.mtimeNs / 1_000_000_000n),
  };
}

/** The kernel's mqueue file reads "QSIZE:%-10lu NOTIFY:…"; util-linux scans it with "QSIZE:%lu". */
function readQsize(path: string): number | undefined {
  let text: string;
  try {
    text = readFileSync(fsPath(path), 'latin1');
  } catch {
    return undefined;
  }
  const match = /^QSIZE:\s*(\d+)/.exec(text);
  return match ? Number(match[1]) : undefined;
}
