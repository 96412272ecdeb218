/**
 * What a command left behind (leakcheck). Without isolation the kernel does not say who created
 * most objects, so the evidence is gathered around the run: the objects before it (by identity),
 * CMD's process tree while it runs (polled through /proc/PID/task/TID/children), and for POSIX
 * files, who holds each one when it appears (inotify on /dev/shm and /dev/mqueue, then a scan of
 * every process's descriptors and mappings). The rule is in docs/ipcctl.md ("leakcheck").
 */
import { type FSWatcher, watch } from 'node:fs';
import * as ops from './ops.js';

/** The tree is read this often while CMD runs: a process living less may go unseen. */
const TREE_POLL_MS = 10;

export type Attribution =
  /** The kernel's record names a process of CMD's tree as the creator (System V shm: cpid). */
  | 'certain'
  /** A POSIX file held, when it appeared, by processes of CMD's tree and by no other. */
  | 'probable'
  /** Left in CMD's private namespace: nothing else ran there. */
  | 'isolated';

export interface Finding {
  object: ops.IpcObject;
  /** Undefined: new during the run, but not attributed to CMD (not counted). */
  attribution?: Attribution;
  /** Why, in words: the pids and records that decided. */
  evidence: string;
}

export interface LeakReport {
  findings: Finding[];
  /** Kinds that could not be listed (/dev/mqueue not mounted…). */
  problems: ops.ListingProblem[];
}

/** What identifies an object across the run: ids and inodes are not reused at once, keys and creators never change. */
export function identityOf(object: ops.IpcObject): string {
  switch (object.kind) {
    case 'shm':
      return `shm:${object.record.id}:${object.record.key >>> 0}:${object.record.cpid}`;
    case 'msg':
    case 'sem':
      return `${object.kind}:${object.record.id}:${object.record.key >>> 0}`;
    default:
      return fileIdentity(object.kind, object.file);
  }
}

function fileIdentity(kind: string, file: ops.FileIdentity): string {
  // Not mtime or ctime: writing to a POSIX object changes them, but not which object it is.
  return `${kind}:${file.dev}:${file.ino}`;
}

/** Everything left in a private namespace after CMD: all of it is CMD's. */
export function reportIsolated(): LeakReport {
  const { objects, problems } = ops.listAllObjects();
  return {
    findings: objects.map((object) => ({
      object,
      attribution: 'isolated',
      evidence: "left in the command's private IPC namespace",
    })),
    problems,
  };
}

/** Records the evidence of one run of CMD in the caller's namespace. */
export class LeakWatch {
  private readonly before: Set<string>;
  /** Every pid seen in CMD's tree, and those still running. */
  private readonly treePids = new Set<number>();
  private readonly running = new Set<number>();
  /** Holders of each new POSIX file when it appeared, by identity. */
  private readonly holdersAtCreation = new Map<string, { holders: number[]; uninspectable: number[] }>();
  private timer: NodeJS.Timeout | undefined;
  private watchers: FSWatcher[] = [];

  /** Snapshot of the objects that exist before CMD starts: these are never blamed. */
  constructor() {
    this.before = new Set(ops.listAllObjects().objects.map(identityOf));
  }

  /** From CMD's start: its tree is followed, new POSIX files are examined as they appear. */
  follow(pid: number): void {
    this.treePids.add(pid);
    this.running.add(pid);
    this.timer = setInterval(() => this.readTree(), TREE_POLL_MS);
    for (const [dir, kind] of [
      [ops.POSIX_DIRS.shm, 'shm'],
      [ops.POSIX_DIRS.mqueue, 'pmsg'],
    ] as const) {
      try {
        this.watchers.push(
          watch(dir, { persistent: false }, (_event, name) => this.examine(dir, kind, name)),
        );
      } catch {
        // No inotify watch (no /dev/mqueue, inotify's limits): those files get no holder evidence.
      }
    }
  }

  /** After CMD's end: every object that was not there before, with its attribution. */
  finish(): LeakReport {
    if (this.timer) clearInterval(this.timer);
    for (const watcher of this.watchers) watcher.close();
    const { objects, problems } = ops.listAllObjects();
    const findings = objects
      .filter((object) => !this.before.has(identityOf(object)))
      .map((o) => this.judge(o));
    return { findings, problems };
  }

  private readTree(): void {
    for (const pid of [...this.running]) {
      const children = ops.childPids(pid);
      if (children === undefined) {
        this.running.delete(pid);
        continue;
      }
      for (const child of children) {
        if (this.running.has(child)) continue;
        this.treePids.add(child);
        this.running.add(child);
      }
    }
  }

  private examine(dir: string, kind: 'shm' | 'pmsg', name: string | Buffer | null): void {
    if (typeof name !== 'string') return;
    const file = ops.posixFile(`${dir}/${name}`);
    if (file === undefined) return;
    const fileKind = kind === 'pmsg' ? 'pmsg' : name.startsWith('sem.') ? 'psem' : 'pshm';
    const identity = fileIdentity(fileKind, file);
    if (this.before.has(identity) || this.holdersAtCreation.has(identity)) return;
    // The tree first: the holder may be a process forked since the last poll.
    this.readTree();
    this.holdersAtCreation.set(identity, ops.holdersOfFile(file));
  }

  private judge(object: ops.IpcObject): Finding {
    const inTree = (pid: number) => this.treePids.has(pid);
    const named = (pids: readonly number[]) => pids.map((pid) => `pid ${pid}`).join(', ');
    switch (object.kind) {
      case 'shm': {
        const { cpid } = object.record;
        if (inTree(cpid)) {
          return {
            object,
            attribution: 'certain',
            evidence: `created by pid ${cpid}, in the command's process tree`,
          };
        }
        return { object, evidence: `created by pid ${cpid}, never seen in the command's process tree` };
      }
      case 'msg': {
        const used = [object.record.lspid, object.record.lrpid].filter((pid) => pid !== 0 && inTree(pid));
        const note = used.length > 0 ? `; last used by ${named(used)} of the command` : '';
        return { object, evidence: `System V message queues do not record their creator${note}` };
      }
      case 'sem': {
        const used = (ops.semPids(object.record.id) ?? []).filter((pid) => pid !== 0 && inTree(pid));
        const note =
          used.length > 0 ? `; last operated on by ${named([...new Set(used)])} of the command` : '';
        return { object, evidence: `System V semaphore sets do not record their creator${note}` };
      }
      default: {
        const identity = fileIdentity(object.kind, object.file);
        if (!this.holdersAtCreation.has(identity)) {
          return { object, evidence: 'its appearance was not seen (no inotify watch)' };
        }
        const { holders, uninspectable } = this.holdersAtCreation.get(identity)!;
        if (holders.length === 0) {
          return { object, evidence: 'no process held it any more when it appeared' };
        }
        const outside = holders.filter((pid) => !inTree(pid));
        if (outside.length > 0) {
          return { object, evidence: `held by ${named(outside)}, outside the command, when it appeared` };
        }
        const unseen = uninspectable.filter((pid) => !inTree(pid)).length;
        const caveat =
          unseen === 0
            ? ''
            : ` (${unseen} other ${unseen === 1 ? 'process' : 'processes'} could not be inspected)`;
        return {
          object,
          attribution: 'probable',
          evidence: `held by ${named(holders)} of the command, and no other process, when it appeared${caveat}`,
        };
      }
    }
  }
}
