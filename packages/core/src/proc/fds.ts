/**
 * Who has a file open: a scan of every process's descriptors in /proc/PID/fd (lsof's method), for
 * FIFOs (lsfifo, rmfifo --unused) and POSIX shm and mqueue files. Processes whose descriptors may
 * not be read are reported, so callers can answer "unknown" rather than "none". Threads blocked in
 * open(2) on a FIFO, waiting for the other end, hold no descriptor yet; they are found through
 * /proc/PID/task/TID/wchan and syscall and reported as holders that are still opening.
 */
import type { BigIntStats } from 'node:fs';
import { closeSync, openSync, readdirSync, readFileSync, readlinkSync, readSync, statSync } from 'node:fs';
import { resolve as resolvePath } from 'node:path';
import { fsPath, nameFromBytes } from '../names.js';
import { PATH_PROC } from '../paths.js';
import { isProcHidingProcesses, listPids, readCommand } from './pids.js';

export type FdAccess = 'read' | 'write' | 'readwrite';

/** What stat(2) says about an open file, reached through /proc/PID/fd/N (works for deleted and unnamed files). */
export interface OpenFileStat {
  dev: bigint;
  ino: bigint;
  /** st_mode: file type and permission bits. */
  mode: number;
  uid: number;
  gid: number;
  size: number;
  mtimeMs: number;
}

/** One process holding a file, all its descriptors for it merged. */
export interface Holder {
  pid: number;
  /** /proc/PID/comm: the first 15 bytes of the executable's name. */
  command: string;
  /** The union of the descriptors' access modes (a read fd plus a write fd is 'readwrite'). */
  access: FdAccess;
  /** Descriptor numbers, ascending; empty while `opening`. */
  fds: number[];
  /** Blocked in open(2) until the FIFO's other end is opened: holds it as soon as that returns. */
  opening: boolean;
}

export interface OpenFile {
  /** `${dev}:${ino}` (see fileKey). */
  key: string;
  /** The first holder's view: the fd link text ("/tmp/f", "pipe:[123]", "/x (deleted)") or the path it is opening. */
  target: string;
  stat: OpenFileStat;
  holders: Holder[];
}

/** A thread blocked opening a FIFO by a path that no longer leads to a FIFO (renamed or removed since). */
export interface UnresolvedOpener {
  pid: number;
  tid: number;
  command: string;
  /** The path as the process passed it to open(2). */
  path: string;
}

export interface OpenFilesScan {
  /** Every accepted open file by key, holders in ascending pid order. */
  files: Map<string, OpenFile>;
  /** Processes whose descriptors could not be read (EACCES): any of them may hold any file. */
  uninspectable: number[];
  unresolvedOpeners: UnresolvedOpener[];
  /**
   * Some processes are not listed at all: /proc is mounted with hidepid=invisible (or ptraceable)
   * and we are not root, or it is the /proc of a pid namespace we are not in.
   */
  processesHidden: boolean;
}

/** What acceptFile decides on. */
export interface OpenFileCandidate {
  key: string;
  /** The link text, or for a thread blocked in open() the absolute path it is opening. */
  target: string;
  stat: OpenFileStat;
}

export interface ScanOptions {
  /**
   * Cheap first test on a descriptor's link text; false skips its stat. E.g. named files only:
   * `(t) => t.startsWith('/')`; unnamed pipes: `(t) => t.startsWith('pipe:[')`. Not applied to openers.
   */
  acceptTarget?: (target: string) => boolean;
  /** Second test once the file is known; false skips reading the descriptor's fdinfo. */
  acceptFile?: (candidate: OpenFileCandidate) => boolean;
  /** Look for threads blocked opening a FIFO (default true). */
  openers?: boolean;
  /** Default /proc. */
  procRoot?: string;
}

/** The identity the scan keys files by: device and inode, as decimal strings. */
export function fileKey(stat: { dev: bigint; ino: bigint }): string {
  return `${stat.dev}:${stat.ino}`;
}

/** Reads every process's open descriptors (and pending FIFO opens) once. */
export function scanOpenFiles(options: ScanOptions = {}): OpenFilesScan {
  // Tests point procRoot at a fixture tree.
  const procRoot = options.procRoot ?? PATH_PROC;
  const scan: OpenFilesScan = {
    files: new Map(),
    uninspectable: [],
    unresolvedOpeners: [],
    processesHidden: isProcHidingProcesses(procRoot),
  };
  for (const pid of listPids(procRoot)) {
    const processScan = new ProcessScan(procRoot, pid, scan, options);
    if (!processScan.scanDescriptors()) continue;
    if (options.openers !== false) processScan.scanOpeners();
  }
  return scan;
}

// O_ACCMODE values of open(2).
const ACCESS_BY_MODE: readonly FdAccess[] = ['read', 'write', 'readwrite', 'readwrite'];
const AT_FDCWD = 0xffffff9c;
const S_IFMT = 0o170000;
const S_IFIFO = 0o010000;

class ProcessScan {
  private readonly base: string;
  private command: string | undefined;
  private inspectable = true;

  constructor(
    private readonly procRoot: string,
    private readonly pid: number,
    private readonly scan: OpenFilesScan,
    private readonly options: ScanOptions,
  ) {
    this.base = `${procRoot}/${pid}`;
  }

  /** False when the process is gone or may not be inspected. */
  scanDescriptors(): boolean {
    let names: string[];
    try {
      names = readdirSync(`${this.base}/fd`);
    } catch (error) {
      this.noteFailure(error);
      return false;
    }
    const { acceptTarget, acceptFile } = this.options;
    for (const name of names) {
      const link = `${this.base}/fd/${name}`;
      try {
        // As bytes: a path that is not UTF-8 is still that path (see names.ts).
        const target = nameFromBytes(readlinkSync(link, { encoding: 'buffer' }));
        if (acceptTarget && !acceptTarget(target)) continue;
        const stat = toOpenFileStat(statSync(link, { bigint: true }));
        const key = fileKey(stat);
        if (acceptFile && !acceptFile({ key, target, stat })) continue;
        const access = readAccess(`${this.base}/fdinfo/${name}`);
        this.addHolder({ key, target, stat, access, fd: Number(name) });
      } catch (error) {
        // ENOENT: the descriptor was closed (or the process exited) since the readdir.
        this.noteFailure(error);
        if (!this.inspectable) return false;
      }
    }
    return this.inspectable;
  }

  /** Threads blocked in fs/pipe.c wait_for_partner(): a FIFO open waiting for the other end. */
  scanOpeners(): void {
    let tids: string[];
    try {
      tids = readdirSync(`${this.base}/task`);
    } catch {
      return;
    }
    for (const tid of tids) {
      const task = `${this.base}/task/${tid}`;
      const wchan = readOptional(`${task}/wchan`);
      if (wchan !== 'wait_for_partner') continue;
      try {
        this.resolveOpener(task, Number(tid));
      } catch (error) {
        this.noteFailure(error);
      }
    }
  }

  private resolveOpener(task: string, tid: number): void {
    const call = parseOpenSyscall(readFileSync(`${task}/syscall`, 'latin1'), process.arch);
    // The thread has left open() since we read its wchan, or the architecture is not known.
    if (call === undefined) {
      if (!SYSCALLS[process.arch]) this.markUninspectable();
      return;
    }
    const path = readCString(`${this.base}/mem`, call.pathAddress);
    if (path === undefined) return;
    // The path as the thread resolves it: through its own root, cwd or directory descriptor.
    const start = path.startsWith('/')
      ? 'root'
      : call.dirfd === undefined || call.dirfd === AT_FDCWD
        ? 'cwd'
        : `fd/${call.dirfd}`;
    let stat: OpenFileStat | undefined;
    try {
      stat = toOpenFileStat(statSync(fsPath(`${task}/${start}/${path}`), { bigint: true }));
    } catch {
      stat = undefined;
    }
    if (stat === undefined || (stat.mode & S_IFMT) !== S_IFIFO) {
      this.scan.unresolvedOpeners.push({ pid: this.pid, tid, command: this.readCommand(), path });
      return;
    }
    const key = fileKey(stat);
    const target = start === 'root' ? path : resolvePath(readOptionalLink(`${task}/${start}`) ?? '/', path);
    if (this.options.acceptFile && !this.options.acceptFile({ key, target, stat })) return;
    const flags = call.flags ?? readOpenHowFlags(`${this.base}/mem`, call.howAddress ?? 0);
    if (flags === undefined) return;
    this.addHolder({ key, target, stat, access: ACCESS_BY_MODE[flags & 3]!, fd: undefined });
  }

  private addHolder(entry: {
    key: string;
    target: string;
    stat: OpenFileStat;
    access: FdAccess | undefined;
    fd: number | undefined;
  }): void {
    // No fdinfo: the descriptor was closed in between.
    if (entry.access === undefined) return;
    let file = this.scan.files.get(entry.key);
    if (file === undefined) {
      file = { key: entry.key, target: entry.target, stat: entry.stat, holders: [] };
      this.scan.files.set(entry.key, file);
    }
    const opening = entry.fd === undefined;
    const last = file.holders.at(-1);
    if (last?.pid !== this.pid) {
      const fds = opening ? [] : [entry.fd as number];
      file.holders.push({ pid: this.pid, command: this.readCommand(), access: entry.access, fds, opening });
      return;
    }
    if (last.access !== entry.access) last.access = 'readwrite';
    if (!opening) {
      last.fds.push(entry.fd as number);
      last.fds.sort((a, b) => a - b);
      last.opening = false;
    }
  }

  private readCommand(): string {
    this.command ??= readCommand(this.procRoot, this.pid);
    return this.command;
  }

  private noteFailure(error: unknown): void {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EACCES' || code === 'EPERM') this.markUninspectable();
  }

  private markUninspectable(): void {
    if (!this.inspectable) return;
    this.inspectable = false;
    this.scan.uninspectable.push(this.pid);
  }
}

function toOpenFileStat(stat: BigIntStats): OpenFileStat {
  return {
    dev: stat.dev,
    ino: stat.ino,
    mode: Number(stat.mode),
    uid: Number(stat.uid),
    gid: Number(stat.gid),
    size: Number(stat.size),
    mtimeMs: Number(stat.mtimeNs / 1_000_000n),
  };
}

/** The access mode from fdinfo's octal `flags:` line; undefined when the descriptor is gone. */
function readAccess(fdinfo: string): FdAccess | undefined {
  const text = readOptional(fdinfo);
  const flags = text === undefined ? undefined : /^flags:\s*([0-7]+)/m.exec(text)?.[1];
  if (flags === undefined) return undefined;
  return ACCESS_BY_MODE[Number.parseInt(flags, 8) & 3];
}

interface OpenSyscall {
  dirfd: number | undefined;
  pathAddress: number;
  /** open/openat/creat flags; undefined for openat2, whose flags are in struct open_how. */
  flags: number | undefined;
  howAddress?: number;
}

type SyscallKind = 'open' | 'openat' | 'openat2' | 'creat';

// Syscall numbers from the kernel's unistd tables; arm64 has no open or creat.
const SYSCALLS: Partial<Record<string, Readonly<Record<number, SyscallKind>>>> = {
  x64: { 2: 'open', 85: 'creat', 257: 'openat', 437: 'openat2' },
  arm64: { 56: 'openat', 437: 'openat2' },
};

const O_WRONLY = 1;

/** /proc/PID/task/TID/syscall: "NR ARG1 ... ARG6 SP PC" in hex, or "running" / "-1 ..." outside a call. */
function parseOpenSyscall(text: string, arch: string): OpenSyscall | undefined {
  const fields = text.trim().split(' ');
  const kind = SYSCALLS[arch]?.[Number(fields[0])];
  if (kind === undefined || fields.length < 4) return undefined;
  const args = fields.slice(1, 4).map((field) => Number.parseInt(field, 16));
  const [a0, a1, a2] = args as [number, number, number];
  switch (kind) {
    case 'open':
      return { dirfd: undefined, pathAddress: a0, flags: a1 };
    case 'creat':
      return { dirfd: undefined, pathAddress: a0, flags: O_WRONLY };
    case 'openat':
      return { dirfd: a0 % 2 ** 32, pathAddress: a1, flags: a2 };
    case 'openat2':
      return { dirfd: a0 % 2 ** 32, pathAddress: a1, flags: undefined, howAddress: a2 };
  }
}

const PATH_MAX = 4096;

/** A NUL-terminated string from another process's memory (needs ptrace access: root, or our own process). */
function readCString(mem: string, address: number): string | undefined {
  const fd = openSync(mem, 'r');
  try {
    const chunks: Buffer[] = [];
    let length = 0;
    let position = address;
    while (length < PATH_MAX) {
      // Read up to the page end: the next page may be unmapped.
      const buffer = Buffer.alloc(4096 - (position % 4096));
      const read = readSync(fd, buffer, 0, buffer.length, position);
      if (read === 0) return undefined;
      const nul = buffer.subarray(0, read).indexOf(0);
      if (nul !== -1) {
        chunks.push(buffer.subarray(0, nul));
        return nameFromBytes(Buffer.concat(chunks));
      }
      chunks.push(buffer.subarray(0, read));
      length += read;
      position += read;
    }
    return undefined;
  } finally {
    closeSync(fd);
  }
}

/** The first field of struct open_how (u64 flags). */
function readOpenHowFlags(mem: string, address: number): number | undefined {
  const fd = openSync(mem, 'r');
  try {
    const buffer = Buffer.alloc(8);
    return readSync(fd, buffer, 0, 8, address) === 8
      ? Number(buffer.readBigUInt64LE(0) & 0xffffffffn)
      : undefined;
  } finally {
    closeSync(fd);
  }
}

function readOptionalLink(path: string): string | undefined {
  try {
    return nameFromBytes(readlinkSync(path, { encoding: 'buffer' }));
  } catch {
    return undefined;
  }
}

function readOptional(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8').replace(/\n$/, '');
  } catch {
    return undefined;
  }
}
