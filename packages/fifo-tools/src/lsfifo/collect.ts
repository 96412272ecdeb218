/**
 * The FIFOs lsfifo lists and who holds them: found by walking the paths, or from every process's
 * descriptors (--all-processes); one scan of /proc answers for all of them.
 */
import { type BigIntStats, statSync } from 'node:fs';
import { fileKey, fsPath, type Holder, type OpenFile, scanOpenFiles } from '@ipcutils/core';
import { findFifos } from '../common/walk.js';
import { directoryFilter, mountedPseudoFilesystems } from './filesystems.js';

export interface FifoRecord {
  /** As found under the given path, or as the holding process names it ("pipe:[1234]" for a pipe). */
  path: string;
  type: 'fifo' | 'pipe';
  inode: bigint;
  uid: number;
  gid: number;
  /** st_mode, file type included. */
  mode: number;
  mtimeMs: number;
  holders: Holder[];
  /** False when processes we may not inspect could hold it as well. */
  holdersComplete: boolean;
}

export interface CollectOptions {
  paths: readonly string[];
  maxDepth: number | undefined;
  /** -x: stay on each path's filesystem (pseudo filesystems are never entered unless a path is on one). */
  oneFileSystem: boolean;
  allProcesses: boolean;
  pipes: boolean;
  /** A path that cannot be read: reported, and lsfifo exits 1. */
  onError: (path: string, error: NodeJS.ErrnoException, action: 'access' | 'open directory') => void;
}

const PIPE_PREFIX = 'pipe:[';
const S_IFMT = 0o170000;
const S_IFIFO = 0o010000;

export function collectFifos(options: CollectOptions): FifoRecord[] {
  const found = options.allProcesses ? new Map<string, FoundFile>() : findUnderPaths(options);
  const keys = new Set([...found.values()].map((file) => file.key));
  const isWanted = (target: string): boolean =>
    target.startsWith('/') || (options.pipes && target.startsWith(PIPE_PREFIX));
  const scan = scanOpenFiles({
    acceptTarget: isWanted,
    acceptFile: ({ key, target, stat }) =>
      keys.has(key) ||
      (options.pipes && target.startsWith(PIPE_PREFIX)) ||
      (options.allProcesses && (stat.mode & S_IFMT) === S_IFIFO),
  });
  const complete = scan.uninspectable.length === 0 && !scan.processesHidden;
  const records: FifoRecord[] = [];
  for (const [path, file] of found) {
    records.push({
      ...file.record,
      path,
      holders: scan.files.get(file.key)?.holders ?? [],
      holdersComplete: complete,
    });
  }
  for (const open of scan.files.values()) {
    // Named FIFOs under the paths are listed above; every open one is listed with --all-processes.
    const isPipe = open.target.startsWith(PIPE_PREFIX);
    if (isPipe ? options.pipes : options.allProcesses && !keys.has(open.key))
      records.push(recordOfOpenFile(open, complete));
  }
  return records.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

interface FoundFile {
  key: string;
  record: Omit<FifoRecord, 'path' | 'holders' | 'holdersComplete'>;
}

/** FIFOs named by or found under the paths, by path (a FIFO reached twice is listed once). */
function findUnderPaths(options: CollectOptions): Map<string, FoundFile> {
  const found = new Map<string, FoundFile>();
  const visited = new Set<string>();
  const add = (path: string, stat: BigIntStats): void => {
    found.set(path, { key: fileKey(stat), record: recordOfStat(stat) });
  };
  for (const path of options.paths) {
    let stat: BigIntStats;
    try {
      // A symbolic link named on the command line is followed (find -H); none below it is.
      stat = statSync(fsPath(path), { bigint: true });
    } catch (error) {
      options.onError(path, error as NodeJS.ErrnoException, 'access');
      continue;
    }
    if (stat.isFIFO()) add(path, stat);
    if (!stat.isDirectory()) continue;
    const onError = (where: string, error: NodeJS.ErrnoException) =>
      options.onError(where, error, 'open directory');
    const skipDirectory = directoryFilter(stat.dev, options.oneFileSystem, mountedPseudoFilesystems);
    for (const fifo of findFifos(path, stat, {
      maxDepth: options.maxDepth,
      onError,
      visited,
      skipDirectory,
    })) {
      add(fifo.path, fifo.stat);
    }
  }
  return found;
}

function recordOfStat(stat: BigIntStats): FoundFile['record'] {
  return {
    type: 'fifo',
    inode: stat.ino,
    uid: Number(stat.uid),
    gid: Number(stat.gid),
    mode: Number(stat.mode),
    mtimeMs: Number(stat.mtimeNs / 1_000_000n),
  };
}

function recordOfOpenFile(open: OpenFile, complete: boolean): FifoRecord {
  const { stat } = open;
  return {
    path: open.target,
    type: open.target.startsWith(PIPE_PREFIX) ? 'pipe' : 'fifo',
    inode: stat.ino,
    uid: stat.uid,
    gid: stat.gid,
    mode: stat.mode,
    mtimeMs: stat.mtimeMs,
    holders: open.holders,
    holdersComplete: complete,
  };
}
