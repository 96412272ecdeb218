/**
 * Removing FIFOs without removing one that is in use, or a file that replaced one meanwhile.
 *
 * There is no "unlink if unused" system call, and between a check and unlink(2) a process may
 * open the FIFO. So each FIFO is first renamed to a random name in its own directory: rename(2)
 * is atomic, and from then on nobody can open it by its name. lstat of the new name confirms it
 * is still the same FIFO (device, inode, type, age); with --unused a second scan of /proc
 * confirms that no process holds it; only then is it unlinked. Otherwise it goes back under its
 * name with link(2) + unlink(2), which fails instead of overwriting a file created there since.
 * A process that opened it before the rename shows in the second scan. One still blocked in
 * open(2), waiting for the FIFO's other end, shows as an opener whose path no longer resolves:
 * then the batch goes back and is checked again, when that path shows which FIFO it waits for.
 * Left over is the kernel's window between a path lookup begun before the rename and the
 * descriptor appearing in /proc: microseconds, where re-checking just before unlink would leave
 * the whole time between the check and the unlink open.
 * Every name is resolved through a descriptor of the FIFO's directory, checked to be the directory
 * it was selected in: one swapped for a symbolic link meanwhile would otherwise have rename(2)
 * move away whatever file of that name the link leads to.
 */
import {
  type BigIntStats,
  closeSync,
  constants,
  fstatSync,
  linkSync,
  lstatSync,
  openSync,
  renameSync,
  unlinkSync,
} from 'node:fs';
import { createRequire } from 'node:module';
import { basename, dirname } from 'node:path';
import { fileKey, fsPath, type Holder, type OpenFilesScan, scanOpenFiles } from '@ipcutils/core';
import { O_PATH } from '../common/open.js';
import type { Candidate } from './select.js';

export interface RemoveOptions {
  /** Only FIFOs no process holds open (or is opening). */
  unused: boolean;
  /** Only FIFOs last modified longer ago than this. */
  olderThanMs: number | undefined;
  dryRun: boolean;
  /** Milliseconds since the epoch the ages are measured from. */
  now: number;
  hooks?: RemovalHooks;
  /** Checked between batches: once aborted, the FIFOs of later batches are left untouched. */
  signal?: AbortSignal;
}

/** Test seams around the rename, where a race with another process can be staged. */
export interface RemovalHooks {
  /** A FIFO passed the checks and is about to be renamed away. */
  beforeRename?: (path: string) => void | Promise<void>;
  /** It has been renamed and is about to be re-checked. */
  afterRename?: (path: string, temporary: string) => void | Promise<void>;
}

export type Outcome =
  | { kind: 'removed'; path: string }
  | { kind: 'would-remove'; path: string }
  | { kind: 'too-new'; path: string }
  | { kind: 'held'; path: string; holders: Holder[] }
  | { kind: 'opened-meanwhile'; path: string; holders: Holder[] }
  /** Whether it is in use cannot be told (see UnknownCause). */
  | { kind: 'unknown'; path: string; cause: UnknownCause; uninspectable: number[] }
  | { kind: 'changed'; path: string; change: 'vanished' | 'replaced' | 'modified' }
  | { kind: 'failed'; path: string; code: string }
  /** Renamed away and could not be put back: it is at `temporary`. */
  | { kind: 'stranded'; path: string; temporary: string; code: string }
  /** Not examined: a signal stopped the removal before its batch. */
  | { kind: 'interrupted'; path: string };

/**
 * uninspectable: processes we may not inspect could hold it; hidden: /proc hides other users'
 * processes; opener: a thread kept opening a FIFO by a name that no longer resolves.
 */
export type UnknownCause = 'uninspectable' | 'hidden' | 'opener';

/** What counts as a failure for the exit status; the rest were removed or skipped by a filter. */
export function isFailure(outcome: Outcome): boolean {
  return outcome.kind === 'unknown' || outcome.kind === 'failed' || outcome.kind === 'stranded';
}

// One /proc scan per batch, not per FIFO; a batch is also what could be left renamed if killed.
const BATCH_SIZE = 512;
const ATTEMPTS = 3;

/** Removes (or with dryRun, judges) every candidate; outcomes in candidate order. */
export async function removeFifos(
  candidates: readonly Candidate[],
  options: RemoveOptions,
): Promise<Outcome[]> {
  const outcomes = new Map<Candidate, Outcome>();
  const eligible = candidates.filter((candidate) => {
    if (isOldEnough(candidate.stat, options)) return true;
    outcomes.set(candidate, { kind: 'too-new', path: candidate.path });
    return false;
  });
  for (let start = 0; start < eligible.length; start += BATCH_SIZE) {
    const batch = eligible.slice(start, start + BATCH_SIZE);
    // A batch runs without yielding to the event loop: a signal is handled between batches only.
    if (options.signal && start > 0) await new Promise((resolve) => setImmediate(resolve));
    if (options.signal?.aborted) {
      for (const candidate of eligible.slice(start))
        outcomes.set(candidate, { kind: 'interrupted', path: candidate.path });
      break;
    }
    if (options.dryRun) judgeBatch(batch, options, outcomes);
    else await removeBatch(batch, options, outcomes);
  }
  return candidates.map((candidate) => outcomes.get(candidate)!);
}

function judgeBatch(
  batch: readonly Candidate[],
  options: RemoveOptions,
  outcomes: Map<Candidate, Outcome>,
): void {
  const free = options.unused ? keepUnused(batch, scanHolders(batch), outcomes) : batch;
  for (const candidate of free) outcomes.set(candidate, { kind: 'would-remove', path: candidate.path });
}

interface Renamed {
  candidate: Candidate;
  temporary: string;
  /** Its names, resolved through its directory's descriptor. */
  at: Resolve;
}

/** A name in the FIFO's directory as a path through that directory's descriptor. */
type Resolve = (name: string) => string;

/** The directories of a batch, each opened once and checked against the one its FIFOs were selected in. */
class Directories {
  private readonly opened = new Map<string, { fd: number; stat: BigIntStats; through: string }>();

  /** How names in the candidate's directory resolve, or the outcome when that directory is gone or another. */
  resolver(candidate: Candidate): Resolve | Outcome {
    const { path } = candidate;
    const where = dirname(path);
    let directory = this.opened.get(where);
    if (directory === undefined) {
      try {
        // O_PATH: like rename(2) by the path, it needs search permission only (a -wx directory).
        const fd = openSync(fsPath(where), O_PATH | constants.O_DIRECTORY);
        // Without /proc (a bare chroot) names can only be resolved by the path.
        const through = exists(`/proc/self/fd/${fd}`) ? `/proc/self/fd/${fd}` : where;
        directory = { fd, stat: fstatSync(fd, { bigint: true }), through };
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code ?? 'EIO';
        return code === 'ENOENT'
          ? { kind: 'changed', path, change: 'vanished' }
          : { kind: 'failed', path, code };
      }
      this.opened.set(where, directory);
    }
    const { stat, through } = directory;
    if (stat.dev !== candidate.directory.dev || stat.ino !== candidate.directory.ino)
      return { kind: 'changed', path, change: 'replaced' };
    return (name) => `${through}/${name}`;
  }

  close(): void {
    for (const { fd } of this.opened.values()) closeSync(fd);
    this.opened.clear();
  }
}

async function removeBatch(
  batch: readonly Candidate[],
  options: RemoveOptions,
  outcomes: Map<Candidate, Outcome>,
) {
  const directories = new Directories();
  try {
    await removeRenaming(batch, options, { outcomes, directories });
  } finally {
    directories.close();
  }
}

async function removeRenaming(
  batch: readonly Candidate[],
  options: RemoveOptions,
  context: { outcomes: Map<Candidate, Outcome>; directories: Directories },
) {
  const { outcomes, directories } = context;
  let pending = batch;
  for (let attempt = 1; pending.length > 0; attempt++) {
    let knownOpeners = new Set<string>();
    if (options.unused) {
      const scan = scanHolders(pending);
      pending = keepUnused(pending, scan, outcomes);
      knownOpeners = new Set(scan.unresolvedOpeners.map(openerId));
    }
    const renamed: Renamed[] = [];
    for (const candidate of pending) {
      await options.hooks?.beforeRename?.(candidate.path);
      const moved = renameAway(candidate, options, directories);
      if ('kind' in moved) {
        outcomes.set(candidate, moved);
        continue;
      }
      renamed.push(moved);
      await options.hooks?.afterRename?.(candidate.path, moved.temporary);
    }
    if (!options.unused) {
      for (const entry of renamed) outcomes.set(entry.candidate, unlinkRenamed(entry));
      return;
    }
    pending = recheckRenamed(renamed, { knownOpeners, retry: attempt < ATTEMPTS }, outcomes);
  }
}

/** After the rename: unlink what nobody holds, put back the rest; returns those to check again. */
function recheckRenamed(
  renamed: readonly Renamed[],
  context: { knownOpeners: ReadonlySet<string>; retry: boolean },
  outcomes: Map<Candidate, Outcome>,
): Candidate[] {
  const scan = scanHolders(renamed.map((entry) => entry.candidate));
  const complete = isComplete(scan);
  // A thread that began opening by the old name cannot be placed now that the name is gone.
  const newOpeners = scan.unresolvedOpeners.some((opener) => !context.knownOpeners.has(openerId(opener)));
  const again: Candidate[] = [];
  for (const entry of renamed) {
    const { candidate } = entry;
    const holders = scan.files.get(fileKey(candidate.stat))?.holders ?? [];
    if (holders.length === 0 && complete && !newOpeners) {
      outcomes.set(candidate, unlinkRenamed(entry));
      continue;
    }
    const stranded = restore(entry);
    if (stranded) outcomes.set(candidate, stranded);
    else if (holders.length > 0)
      outcomes.set(candidate, { kind: 'opened-meanwhile', path: candidate.path, holders });
    else if (complete && context.retry) again.push(candidate);
    else outcomes.set(candidate, unknownOutcome(candidate, scan, complete ? 'opener' : undefined));
  }
  return again;
}

/** The candidates nobody holds; outcomes for the held ones and for those we cannot judge. */
function keepUnused(
  batch: readonly Candidate[],
  scan: OpenFilesScan,
  outcomes: Map<Candidate, Outcome>,
): Candidate[] {
  const complete = isComplete(scan);
  return batch.filter((candidate) => {
    const holders = scan.files.get(fileKey(candidate.stat))?.holders ?? [];
    if (holders.length > 0) outcomes.set(candidate, { kind: 'held', path: candidate.path, holders });
    else if (!complete) outcomes.set(candidate, unknownOutcome(candidate, scan));
    return holders.length === 0 && complete;
  });
}

function scanHolders(candidates: readonly Candidate[]): OpenFilesScan {
  const keys = new Set(candidates.map((candidate) => fileKey(candidate.stat)));
  return scanOpenFiles({
    // A named FIFO's link is its path (possibly with " (deleted)"): skip pipes, sockets, anon inodes.
    acceptTarget: (target) => target.startsWith('/'),
    acceptFile: ({ key }) => keys.has(key),
  });
}

function unknownOutcome(candidate: Candidate, scan: OpenFilesScan, cause?: UnknownCause): Outcome {
  const { uninspectable } = scan;
  cause ??= uninspectable.length > 0 ? 'uninspectable' : 'hidden';
  return { kind: 'unknown', path: candidate.path, cause, uninspectable };
}

function isComplete(scan: OpenFilesScan): boolean {
  return scan.uninspectable.length === 0 && !scan.processesHidden;
}

function openerId(opener: { pid: number; tid: number; path: string }): string {
  return `${opener.pid}:${opener.tid}:${opener.path}`;
}

function isOldEnough(stat: BigIntStats, options: RemoveOptions): boolean {
  return options.olderThanMs === undefined || options.now - Number(stat.mtimeMs) > options.olderThanMs;
}

/** Renames the FIFO to a fresh name beside it and checks it is still the FIFO that was selected. */
function renameAway(
  candidate: Candidate,
  options: RemoveOptions,
  directories: Directories,
): Renamed | Outcome {
  const { path } = candidate;
  const at = directories.resolver(candidate);
  if (typeof at !== 'function') return at;
  const temporary = temporaryName(path, at);
  try {
    renameSync(fsPath(at(basename(path))), fsPath(at(basename(temporary))));
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? 'EIO';
    return code === 'ENOENT' ? { kind: 'changed', path, change: 'vanished' } : { kind: 'failed', path, code };
  }
  const entry = { candidate, temporary, at };
  let stat: BigIntStats;
  try {
    stat = lstatSync(fsPath(at(basename(temporary))), { bigint: true });
  } catch {
    return { kind: 'changed', path, change: 'vanished' };
  }
  const same = stat.isFIFO() && stat.dev === candidate.stat.dev && stat.ino === candidate.stat.ino;
  const change = !same ? 'replaced' : !isOldEnough(stat, options) ? 'modified' : undefined;
  if (change === undefined) return entry;
  return restore(entry) ?? { kind: 'changed', path, change };
}

/** A name nobody uses in the same directory (rename(2) would silently replace an existing one). */
function temporaryName(path: string, at: Resolve): string {
  const { randomBytes } = crypto();
  for (;;) {
    const name = `.rmfifo-${randomBytes(8).toString('hex')}`;
    try {
      lstatSync(fsPath(at(name)));
    } catch {
      return `${dirname(path)}/${name}`;
    }
  }
}

function unlinkRenamed(entry: Renamed): Outcome {
  const { path } = entry.candidate;
  try {
    unlinkSync(fsPath(entry.at(basename(entry.temporary))));
    return { kind: 'removed', path };
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? 'EIO';
    return restore(entry) ?? { kind: 'failed', path, code };
  }
}

/** Puts the FIFO back under its name; the stranded outcome when that cannot be done. */
function restore(entry: Renamed): Outcome | undefined {
  const { path } = entry.candidate;
  const temporary = fsPath(entry.at(basename(entry.temporary)));
  const original = fsPath(entry.at(basename(path)));
  try {
    // link(2) fails with EEXIST where rename(2) would replace a file created at the name meanwhile.
    linkSync(temporary, original);
    unlinkSync(temporary);
    return undefined;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? 'EIO';
    if (code !== 'EEXIST' && !exists(original)) {
      // No hard links here (fs.protected_hardlinks, or a filesystem without them): rename back.
      try {
        renameSync(temporary, original);
        return undefined;
      } catch {
        // reported below
      }
    }
    return { kind: 'stranded', path, temporary: entry.temporary, code };
  }
}

function exists(path: string | Buffer): boolean {
  try {
    lstatSync(path);
    return true;
  } catch {
    return false;
  }
}

/** Loaded only to remove something: node:crypto (and node's stream modules with it) costs every start-up. */
function crypto(): typeof import('node:crypto') {
  return createRequire(import.meta.url)('node:crypto') as typeof import('node:crypto');
}
