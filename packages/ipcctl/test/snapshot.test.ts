// What a scrape keeps in memory (issue 15: a scrape of 30,000 objects in under 100 MiB, and a
// --listen server that does not grow with the host's objects): one System V kind's records at a
// time, none after the scrape, and no more queues than --top. Structural checks, not timings.
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import {
  createMsgQueue,
  createSemSet,
  createShm,
  type IpcKind,
  removeMsgQueue,
  removeSemSet,
  removeShm,
} from '@ipcutils/core';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { FullestQueues, type QueueUsage, readSnapshot } from '../src/metrics/snapshot.js';

/** Each listing the snapshot asked core for: its kinds, and weak references to what it returned. */
const listings = vi.hoisted(() => [] as { kinds: IpcKind[]; held: WeakRef<object>[] }[]);

vi.mock('@ipcutils/core', async (importOriginal) => {
  const core = await importOriginal<typeof import('@ipcutils/core')>();
  return {
    ...core,
    // A plain function, not vi.fn(), which would keep every result it returned.
    listIpcObjects(kinds: readonly IpcKind[]) {
      const listing = core.listIpcObjects(kinds);
      const held = listing.objects.flatMap((object) => [new WeakRef(object), new WeakRef(object.record)]);
      listings.push({ kinds: [...kinds], held });
      return listing;
    },
  };
});

describe('readSnapshot', () => {
  const made: (() => void)[] = [];
  beforeAll(() => {
    for (let i = 0; i < 3; i++) {
      const shm = createShm({ size: 4096, mode: 0o600 });
      const msg = createMsgQueue({ mode: 0o600 });
      const sem = createSemSet({ nsems: 2, mode: 0o600 });
      made.push(
        () => removeShm(shm),
        () => removeMsgQueue(msg),
        () => removeSemSet(sem),
      );
    }
  });
  afterAll(() => {
    for (const remove of made) remove();
  });

  it('lists the POSIX kinds together, then each System V kind on its own, in listIpcObjects order', () => {
    listings.length = 0;
    readSnapshot({ top: 10 });
    // One System V kind's records at a time: 10,000 of them, not 30,000, are alive at once.
    expect(listings.map(({ kinds }) => kinds)).toEqual([['pshm', 'pmsg', 'psem'], ['shm'], ['sem'], ['msg']]);
  });

  it('keeps no object it listed once the scrape is over', async () => {
    listings.length = 0;
    for (let scrape = 0; scrape < 2; scrape++) readSnapshot({ top: 10 });
    const held = listings.flatMap((listing) => listing.held);
    // The 9 objects made above (other test files may add theirs), each with its record.
    expect(held.length).toBeGreaterThanOrEqual(2 * 2 * 9);
    // WeakRef targets stay alive until the job that made them ends.
    await new Promise((resolve) => setImmediate(resolve));
    collectGarbage();
    expect(held.filter((ref) => ref.deref() !== undefined)).toHaveLength(0);
  });
});

describe('FullestQueues', () => {
  // 600 queues, bytes from 0 to 19 so that ties abound, System V and POSIX mixed, in no order.
  const queues: QueueUsage[] = [];
  let seed = 15;
  const random = (bound: number) => {
    seed = (seed * 1103515245 + 12345) % 2 ** 31;
    return seed % bound;
  };
  for (let i = 0; i < 600; i++) {
    const bytes = random(20);
    queues.push(
      random(2) === 0 ? { kind: 'msg', id: 1000 - i, key: i, bytes } : { kind: 'mq', name: `/q${i}`, bytes },
    );
  }
  /** Fullest first; ties: System V before POSIX, System V by id, POSIX by name. */
  const ranked = [...queues].sort(
    (a, b) =>
      b.bytes - a.bytes ||
      (a.kind === b.kind ? 0 : a.kind === 'msg' ? -1 : 1) ||
      (a.id ?? 0) - (b.id ?? 0) ||
      byCodeUnits(a.name ?? '', b.name ?? ''),
  );

  it.each([0, 1, 2, 7, 10, 299, 300, 599, 600, 100_000])('top %i: the same as sorting them all', (top) => {
    const fullest = new FullestQueues(top);
    for (const queue of queues) fullest.add(queue);
    expect(fullest.take()).toEqual(ranked.slice(0, top));
  });
});

function byCodeUnits(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** A full garbage collection: --expose-gc set now exposes gc() in contexts made after it. */
function collectGarbage(): void {
  setFlagsFromString('--expose-gc');
  (runInNewContext('gc') as () => void)();
}
