/**
 * Waiting for a condition on the IPC tables without burning a CPU: inotify (fs.watch) on a
 * directory whose entries are the objects (/dev/shm, /dev/mqueue), else re-checks with a backoff
 * from 10 ms to 250 ms (the /proc/sysvipc tables send no notification).
 */
import { type FSWatcher, watch } from 'node:fs';
import { Interrupted } from './result.js';

const FIRST_PAUSE_MS = 10;
const MAX_PAUSE_MS = 250;
/**
 * With a watcher, the condition is still re-checked this often: inotify drops events when its
 * queue overflows, and a mount over the directory hides later changes from the watch.
 */
const WATCHED_RECHECK_MS = 1000;

export interface WaitUntilOptions {
  /** A directory whose entries change with the condition (inotify); without one, backoff polling. */
  dir?: string;
  timeoutMs?: number;
  /** Aborted by a signal (its name as the reason): the wait ends with Interrupted. */
  signal?: AbortSignal;
}

/** True once `holds()` is, false when the deadline passes first; Interrupted when the signal aborts. */
export async function waitUntil(holds: () => boolean, options: WaitUntilOptions): Promise<boolean> {
  const deadline =
    options.timeoutMs === undefined ? Number.POSITIVE_INFINITY : Date.now() + options.timeoutMs;
  const { signal } = options;
  let wake: (() => void) | undefined;
  // Armed before the first check: a change after that check is an event, so none falls between.
  let watcher = options.dir === undefined ? undefined : watchDirectory(options.dir, () => wake?.());
  watcher?.once('error', () => {
    watcher?.close();
    watcher = undefined;
    wake?.();
  });
  try {
    let pause = FIRST_PAUSE_MS;
    for (;;) {
      if (holds()) return true;
      if (signal?.aborted) throw new Interrupted(String(signal.reason));
      const left = deadline - Date.now();
      if (left <= 0) return false;
      const ms = Math.min(left, watcher === undefined ? pause : WATCHED_RECHECK_MS);
      await new Promise<void>((resolve) => {
        const done = () => {
          clearTimeout(timer);
          signal?.removeEventListener('abort', done);
          wake = undefined;
          resolve();
        };
        const timer = setTimeout(done, ms);
        signal?.addEventListener('abort', done, { once: true });
        wake = done;
      });
      pause = Math.min(pause * 2, MAX_PAUSE_MS);
    }
  } finally {
    watcher?.close();
  }
}

/** An inotify watch on the directory, or undefined when none can be set (missing, or inotify's limits). */
function watchDirectory(dir: string, onChange: () => void): FSWatcher | undefined {
  try {
    return watch(dir, { persistent: true }, onChange);
  } catch {
    return undefined;
  }
}
