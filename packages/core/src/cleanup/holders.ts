/**
 * Who holds an IPC object, from one pass over /proc: System V segments are the mappings
 * "/SYSV%08x (deleted)" of /proc/PID/maps, whose inode column is the shmid (only processes of
 * our IPC namespace count: others have their own objects with the same ids); POSIX shm and named
 * semaphores are files of /dev/shm that a process maps (sem_open closes its descriptor) or has
 * open; POSIX queues are descriptors on the mqueue file. Files are matched by device and inode,
 * which also keeps other mount and IPC namespaces apart. A process whose maps or descriptors may
 * not be read makes every answer incomplete: "unknown", never "nobody".
 */
import { readFileSync, readlinkSync } from 'node:fs';
import { PATH_PROC } from '../paths.js';
import { fileKey, scanOpenFiles } from '../proc/fds.js';
import { listPids, readCommand } from '../proc/pids.js';
import type { FileIdentity, IpcObject } from './objects.js';

export interface IpcHolder {
  pid: number;
  /** /proc/PID/comm. */
  command: string;
}

export interface HolderScanOptions {
  /** Default /proc. */
  procRoot?: string;
  /** Look for attached System V segments (default true). */
  sysv?: boolean;
  /** The POSIX objects' files to look for (none: no descriptor scan). */
  files?: Iterable<FileIdentity>;
}

export interface HolderScan {
  /** Whether System V attachments were looked for. */
  sysv: boolean;
  /** Holders of this IPC namespace's segments by shmid, ascending pids. */
  shm: Map<number, IpcHolder[]>;
  /** Holders of each file looked for, by fileKey; an empty list when nobody holds it. */
  files: Map<string, IpcHolder[]>;
  /** Processes whose maps, descriptors or IPC namespace could not be read (EACCES). */
  uninspectable: number[];
  /** /proc hides processes from us (hidepid, another pid namespace's /proc): some are not even listed. */
  hidden: boolean;
}

/** What is known about an object's holders; `complete: false` means there may be others. */
export interface HolderAnswer {
  holders: IpcHolder[];
  complete: boolean;
}

/** Reads /proc/PID/maps (and, for POSIX files, /proc/PID/fd) of every process once. */
export function scanHolders(options: HolderScanOptions = {}): HolderScan {
  const procRoot = options.procRoot ?? PATH_PROC;
  const sysv = options.sysv !== false;
  const wanted = new Map<string, FileIdentity>();
  for (const file of options.files ?? []) wanted.set(fileKey(file), file);
  const scan: HolderScan = { sysv, shm: new Map(), files: new Map(), uninspectable: [], hidden: false };
  for (const key of wanted.keys()) scan.files.set(key, []);
  if (!sysv && wanted.size === 0) return scan;

  const uninspectable = new Set<number>();
  const holders = new Holders();
  scanMaps({ procRoot, sysv, wanted, holders, uninspectable });
  if (wanted.size > 0) {
    const fds = scanOpenFiles({
      procRoot,
      openers: false,
      // Only named files can be /dev/shm or /dev/mqueue entries; the rest is never stat'ed.
      acceptTarget: (target) => target.startsWith('/'),
      acceptFile: (candidate) => wanted.has(candidate.key),
    });
    for (const [key, file] of fds.files) {
      for (const holder of file.holders) holders.addFile(key, { pid: holder.pid, command: holder.command });
    }
    for (const pid of fds.uninspectable) uninspectable.add(pid);
    scan.hidden = fds.processesHidden;
  }
  holders.fill(scan);
  scan.uninspectable = [...uninspectable].sort((a, b) => a - b);
  return scan;
}

/**
 * The holders of one object from a scan; undefined for System V semaphores and queues, which no
 * process holds in a way /proc shows. A segment with nattch 0 has none, whatever we may inspect.
 */
export function holdersOf(scan: HolderScan, object: IpcObject): HolderAnswer | undefined {
  const complete = scan.uninspectable.length === 0 && !scan.hidden;
  switch (object.kind) {
    case 'msg':
    case 'sem':
      return undefined;
    case 'shm': {
      if (object.record.nattch === 0) return { holders: [], complete: true };
      if (!scan.sysv) throw new Error('the holder scan did not look for System V segments');
      return { holders: scan.shm.get(object.record.id) ?? [], complete };
    }
    default: {
      const holders = scan.files.get(fileKey(object.file));
      if (holders === undefined) throw new Error(`the holder scan did not look for ${object.record.path}`);
      return { holders, complete };
    }
  }
}

/**
 * util-linux style "4242(postgres),4243(psql)"; "" for nobody. A list that may be incomplete (some
 * process could not be inspected) ends in "?": "4242(postgres),?", or "?" when none could be seen.
 */
export function formatHolders(answer: HolderAnswer): string {
  const seen = answer.holders.map((holder) => `${holder.pid}(${holder.command})`);
  if (!answer.complete) seen.push('?');
  return seen.join(',');
}

/** Collects holders per object, one entry per process. */
class Holders {
  private readonly shm = new Map<number, Map<number, IpcHolder>>();
  private readonly files = new Map<string, Map<number, IpcHolder>>();

  addShm(id: number, holder: IpcHolder): void {
    add(this.shm, id, holder);
  }

  addFile(key: string, holder: IpcHolder): void {
    add(this.files, key, holder);
  }

  fill(scan: HolderScan): void {
    for (const [id, byPid] of this.shm) scan.shm.set(id, sorted(byPid));
    for (const [key, byPid] of this.files) scan.files.set(key, sorted(byPid));
  }
}

function add<K>(map: Map<K, Map<number, IpcHolder>>, key: K, holder: IpcHolder): void {
  let byPid = map.get(key);
  if (byPid === undefined) {
    byPid = new Map();
    map.set(key, byPid);
  }
  if (!byPid.has(holder.pid)) byPid.set(holder.pid, holder);
}

function sorted(byPid: Map<number, IpcHolder>): IpcHolder[] {
  return [...byPid.values()].sort((a, b) => a.pid - b.pid);
}

interface MapsScan {
  procRoot: string;
  sysv: boolean;
  wanted: Map<string, FileIdentity>;
  holders: Holders;
  uninspectable: Set<number>;
}

// "start-end perms offset dev inode   path": dev is "%02x:%02x" (major:minor), inode in decimal.
const MAPS_LINE = /^\S+ \S+ \S+ ([0-9a-f]+):([0-9a-f]+) (\d+) +(.*)$/;
const SYSV_PATH = /^\/SYSV[0-9a-f]{8}( \(deleted\))?$/;

function scanMaps(scan: MapsScan): void {
  const { procRoot, sysv, wanted } = scan;
  // The devices of the wanted files as maps prints them: a cheap test before parsing a line.
  const devices = new Set([...wanted.values()].map((file) => formatDevice(file.dev)));
  const ourNamespace = sysv ? readLink(`${procRoot}/self/ns/ipc`) : undefined;
  for (const pid of listPids(procRoot)) {
    let maps: string;
    try {
      maps = readFileSync(`${procRoot}/${pid}/maps`, 'latin1');
    } catch (error) {
      if (isDenied(error)) scan.uninspectable.add(pid);
      continue;
    }
    let command: string | undefined;
    const commandOf = () => {
      command ??= readCommand(procRoot, pid);
      return command;
    };
    let sameNamespace: boolean | undefined;
    for (const line of relevantLines(maps, sysv, devices)) {
      const match = MAPS_LINE.exec(line);
      if (match === null) continue;
      const [, major, minor, inode, path] = match as unknown as [string, string, string, string, string];
      if (sysv && SYSV_PATH.test(path)) {
        if (sameNamespace === undefined) {
          const namespace = readLink(`${procRoot}/${pid}/ns/ipc`);
          if (namespace === undefined) scan.uninspectable.add(pid);
          sameNamespace = namespace !== undefined && namespace === ourNamespace;
        }
        if (sameNamespace) scan.holders.addShm(Number(inode), { pid, command: commandOf() });
        continue;
      }
      const key = fileKey({ dev: makeDevice(major, minor), ino: BigInt(inode) });
      if (wanted.has(key)) scan.holders.addFile(key, { pid, command: commandOf() });
    }
  }
}

/** Lines that mention a System V segment or one of the devices, found by substring first. */
function* relevantLines(maps: string, sysv: boolean, devices: ReadonlySet<string>): Generator<string> {
  let start = 0;
  while (start < maps.length) {
    let end = maps.indexOf('\n', start);
    if (end < 0) end = maps.length;
    const line = maps.slice(start, end);
    start = end + 1;
    if (sysv && line.includes('/SYSV')) {
      yield line;
      continue;
    }
    if (devices.size === 0) continue;
    // The dev column follows three fields: find it without a regex.
    const device = nthField(line, 3);
    if (device !== undefined && devices.has(device)) yield line;
  }
}

function nthField(line: string, n: number): string | undefined {
  let at = 0;
  for (let field = 0; field < n; field++) {
    at = line.indexOf(' ', at);
    if (at < 0) return undefined;
    at++;
  }
  const end = line.indexOf(' ', at);
  return end < 0 ? undefined : line.slice(at, end);
}

// glibc's gnu_dev_major/minor/makedev: the st_dev encoding Node's stat returns.
function formatDevice(dev: bigint): string {
  const major = ((dev >> 8n) & 0xfffn) | ((dev >> 32n) & ~0xfffn);
  const minor = (dev & 0xffn) | ((dev >> 12n) & ~0xffn);
  return `${major.toString(16).padStart(2, '0')}:${minor.toString(16).padStart(2, '0')}`;
}

function makeDevice(majorHex: string, minorHex: string): bigint {
  const major = BigInt(`0x${majorHex}`);
  const minor = BigInt(`0x${minorHex}`);
  return ((major & 0xfffn) << 8n) | ((major & ~0xfffn) << 32n) | (minor & 0xffn) | ((minor & ~0xffn) << 12n);
}

function isDenied(error: unknown): boolean {
  const code = (error as NodeJS.ErrnoException).code;
  return code === 'EACCES' || code === 'EPERM';
}

function readLink(path: string): string | undefined {
  try {
    return readlinkSync(path);
  } catch {
    return undefined;
  }
}
