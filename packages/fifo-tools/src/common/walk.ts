/**
 * Finding FIFOs under a directory: readdir's d_type picks the FIFOs and directories without a
 * stat per entry; symbolic links are never followed, so a walk cannot leave the tree or loop.
 */
import { type BigIntStats, type Dirent, lstatSync, readdirSync } from 'node:fs';

export interface FoundFifo {
  path: string;
  stat: BigIntStats;
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
}

/** Every FIFO below `root` (a directory), in readdir order per directory. */
export function findFifos(root: string, rootStat: BigIntStats, options: WalkOptions): FoundFifo[] {
  const found: FoundFifo[] = [];
  const pending: { path: string; depth: number }[] = [];
  // Depth 0 is the root alone, and a directory is not a FIFO.
  if (options.maxDepth !== 0 && markVisited(rootStat, options.visited))
    pending.push({ path: root, depth: 0 });
  for (let next = pending.pop(); next !== undefined; next = pending.pop()) {
    const { path, depth } = next;
    let entries: Dirent[];
    try {
      entries = readdirSync(path, { withFileTypes: true });
    } catch (error) {
      options.onError(path, error as NodeJS.ErrnoException);
      continue;
    }
    const descend = options.maxDepth === undefined || depth + 1 < options.maxDepth;
    const subdirectories: string[] = [];
    for (const entry of entries) {
      if (!entry.isFIFO() && !(descend && entry.isDirectory())) continue;
      // Not path.join, which would turn "./x" into "x": paths are shown as find shows them.
      const entryPath = path.endsWith('/') ? path + entry.name : `${path}/${entry.name}`;
      let stat: BigIntStats;
      try {
        stat = lstatSync(entryPath, { bigint: true });
      } catch (error) {
        // Removed since the readdir: nothing to list.
        if ((error as NodeJS.ErrnoException).code !== 'ENOENT')
          options.onError(entryPath, error as NodeJS.ErrnoException);
        continue;
      }
      if (stat.isFIFO()) found.push({ path: entryPath, stat });
      else if (stat.isDirectory() && !options.skipDirectory?.(stat) && markVisited(stat, options.visited))
        subdirectories.push(entryPath);
    }
    // Reversed onto the stack so that directories are walked in readdir order.
    for (const subdirectory of subdirectories.reverse())
      pending.push({ path: subdirectory, depth: depth + 1 });
  }
  return found;
}

/** False when the directory was walked already (a bind mount of an ancestor, or an overlapping root). */
function markVisited(stat: BigIntStats, visited: Set<string>): boolean {
  const key = `${stat.dev}:${stat.ino}`;
  if (visited.has(key)) return false;
  visited.add(key);
  return true;
}
