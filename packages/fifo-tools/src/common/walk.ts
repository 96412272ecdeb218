/**
 * Finding FIFOs under a directory: readdir's d_type picks the FIFOs and directories without a
 * stat per entry; symbolic links are never followed, so a walk cannot leave the tree or loop.
 * Another user may swap a directory for a symbolic link between its lstat and its readdir: each
 * directory is opened with O_NOFOLLOW, must be the one lstat saw, and its entries are read and
 * lstat'ed through that descriptor (/proc/self/fd/N), never by a path that could be redirected.
 */
import {
  type BigIntStats,
  closeSync,
  constants,
  type Dirent,
  fstatSync,
  lstatSync,
  openSync,
  readdirSync,
} from 'node:fs';
import { fsPath, nameFromBytes } from '@ipcutils/core';

export interface FoundFifo {
  path: string;
  stat: BigIntStats;
  /** The directory it was found in, as its descriptor showed it (rmfifo removes it only from there). */
  directory: BigIntStats;
}

export interface WalkOptions {
  /** As find's -maxdepth: 1 lists the directory's own entries; undefined is unlimited. */
  maxDepth?: number;
  /** A directory that cannot be read, or an entry that vanished: reported, the walk goes on. */
  onError: (path: string, error: NodeJS.ErrnoException) => void;
  /** Directories already walked (device:inode), shared between walks so overlapping roots list once. */
  visited: Set<string>;
  /** A directory below the root for which this is true is not entered (lsfifo -x, pseudo filesystems). */
  skipDirectory?: (stat: BigIntStats) => boolean;
  /** Test seam: called before each directory is opened, where a swap by another user can be staged. */
  beforeOpen?: (path: string) => void;
}

/** Every FIFO below `root` (a directory), in readdir order per directory. */
export function findFifos(root: string, rootStat: BigIntStats, options: WalkOptions): FoundFifo[] {
  const found: FoundFifo[] = [];
  const pending: PendingDirectory[] = [];
  // Depth 0 is the root alone, and a directory is not a FIFO.
  if (options.maxDepth !== 0 && markVisited(rootStat, options.visited))
    pending.push({ path: root, depth: 0, stat: rootStat });
  for (let next = pending.pop(); next !== undefined; next = pending.pop()) {
    const { path, depth } = next;
    options.beforeOpen?.(path);
    let directory: OpenDirectory;
    try {
      // The root may be a symbolic link named on the command line (find -H); nothing below it.
      directory = openDirectory(path, next.stat, depth === 0);
    } catch (error) {
      options.onError(path, error as NodeJS.ErrnoException);
      continue;
    }
    const descend = options.maxDepth === undefined || depth + 1 < options.maxDepth;
    const subdirectories: PendingDirectory[] = [];
    try {
      for (const entry of directory.entries) {
        if (!entry.isFIFO() && !(descend && entry.isDirectory())) continue;
        // Read as bytes: a name that is not UTF-8 is still that name (see core's names.ts).
        const name = nameFromBytes(entry.name as unknown as Buffer);
        // Not path.join, which would turn "./x" into "x": paths are shown as find shows them.
        const entryPath = path.endsWith('/') ? path + name : `${path}/${name}`;
        let stat: BigIntStats;
        try {
          stat = lstatSync(fsPath(`${directory.handle}/${name}`), { bigint: true });
        } catch (error) {
          // Removed since the readdir: nothing to list.
          if ((error as NodeJS.ErrnoException).code !== 'ENOENT')
            options.onError(entryPath, error as NodeJS.ErrnoException);
          continue;
        }
        if (stat.isFIFO()) found.push({ path: entryPath, stat, directory: directory.stat });
        else if (stat.isDirectory() && !options.skipDirectory?.(stat) && markVisited(stat, options.visited))
          subdirectories.push({ path: entryPath, depth: depth + 1, stat });
      }
    } finally {
      directory.close();
    }
    // Reversed onto the stack so that directories are walked in readdir order.
    pending.push(...subdirectories.reverse());
  }
  return found;
}

interface PendingDirectory {
  path: string;
  depth: number;
  /** What lstat (or the root's stat) saw: the directory opened must be this one. */
  stat: BigIntStats;
}

interface OpenDirectory {
  entries: Dirent[];
  stat: BigIntStats;
  /** The directory as a path that resolves through its descriptor. */
  handle: string;
  close: () => void;
}

/**
 * Opens `path` without following a final symbolic link (ELOOP) unless told to, checks it is still the directory
 * `expected` describes (ESTALE when another took its place), and reads it through the descriptor.
 */
function openDirectory(path: string, expected: BigIntStats, follow: boolean): OpenDirectory {
  const noFollow = follow ? 0 : constants.O_NOFOLLOW;
  const fd = openSync(fsPath(path), constants.O_RDONLY | constants.O_DIRECTORY | noFollow);
  const close = () => closeSync(fd);
  try {
    const stat = fstatSync(fd, { bigint: true });
    if (stat.dev !== expected.dev || stat.ino !== expected.ino) {
      throw Object.assign(new Error(`${path} changed while being walked`), { code: 'ESTALE' });
    }
    const handle = `/proc/self/fd/${fd}`;
    // Node's types omit 'buffer' with file types: the entries' names are then Buffers.
    const entries = readdirSync(handle, { withFileTypes: true, encoding: 'buffer' as BufferEncoding });
    return { entries, stat, handle, close };
  } catch (error) {
    close();
    throw error;
  }
}

/** False when the directory was walked already (a bind mount of an ancestor, or an overlapping root). */
function markVisited(stat: BigIntStats, visited: Set<string>): boolean {
  const key = `${stat.dev}:${stat.ino}`;
  if (visited.has(key)) return false;
  visited.add(key);
  return true;
}
