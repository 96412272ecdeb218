/** One scrape: the state read now, timed, as the text exposition format. */
import { type Exposition, exposeSnapshot } from './exposition.js';
import { readSnapshot, type SnapshotOptions } from './snapshot.js';

export type { Exposition };

export async function scrape(options: SnapshotOptions): Promise<Exposition> {
  const start = performance.now();
  const snapshot = readSnapshot(options);
  const seconds = (performance.now() - start) / 1000;
  return exposeSnapshot(snapshot, seconds);
}
