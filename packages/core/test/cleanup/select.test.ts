import { describe, expect, it } from 'vitest';
import type { HolderScan } from '../../src/cleanup/holders.js';
import type { IpcObject } from '../../src/cleanup/objects.js';
import type { PidState } from '../../src/cleanup/processes.js';
import { hasFilter, type IpcFilter, type PidStates, selectObjects } from '../../src/cleanup/select.js';
import type { MsgQueue, SemSet, ShmSegment } from '../../src/types.js';

const NOW = 1_800_000_000;
const HOUR = 3600;

/** Pids by state: what a ProcessTable would answer, for any recording time. */
function pids(states: Record<number, PidState>): PidStates & { asked: number[] } {
  const asked: number[] = [];
  return {
    asked,
    pidState(pid, recordedAt, used = recordedAt !== 0) {
      asked.push(pid);
      if (pid === 0) return used ? 'unknown' : 'none';
      return states[pid] ?? 'gone';
    },
  };
}

const perm = { uid: 1000, gid: 1000, cuid: 1000, cgid: 1000, mode: 0o600 };

function shm(id: number, fields: Partial<ShmSegment> = {}): IpcObject {
  const record: ShmSegment = {
    key: id + 0x100,
    id,
    ...perm,
    size: 4096,
    cpid: 100,
    lpid: 0,
    nattch: 0,
    atime: 0,
    dtime: 0,
    ctime: NOW - HOUR,
    ...fields,
  };
  return { kind: 'shm', record };
}

function msg(id: number, fields: Partial<MsgQueue> = {}): IpcObject {
  const record: MsgQueue = {
    key: id + 0x200,
    id,
    ...perm,
    cbytes: 0,
    qnum: 0,
    lspid: 0,
    lrpid: 0,
    stime: 0,
    rtime: 0,
    ctime: NOW - HOUR,
    ...fields,
  };
  return { kind: 'msg', record };
}

function sem(id: number, fields: Partial<SemSet> = {}): IpcObject {
  const record: SemSet = { key: id + 0x300, id, ...perm, nsems: 2, otime: 0, ctime: NOW - HOUR, ...fields };
  return { kind: 'sem', record };
}

function pshm(
  name: string,
  ino: bigint,
  fields: { uid?: number; size?: number; mtime?: number } = {},
): IpcObject {
  return {
    kind: 'pshm',
    record: {
      name,
      path: `/dev/shm/${name}`,
      uid: 1000,
      gid: 1000,
      mode: 0o600,
      mtime: NOW - HOUR,
      size: 10,
      ...fields,
    },
    file: { dev: 1n, ino, mtimeNs: 0n },
  };
}

/** A holder scan that looked at inodes 1 to 9 of device 1: inode N held by the given pids, the rest by nobody. */
function holderScan(held: Record<string, number[]>, complete = true): HolderScan {
  const files = new Map(
    Array.from({ length: 9 }, (_, n) => [`1:${n + 1}`, [] as { pid: number; command: string }[]]),
  );
  for (const [ino, list] of Object.entries(held))
    files.set(
      `1:${ino}`,
      list.map((pid) => ({ pid, command: 'x' })),
    );
  return {
    sysv: false,
    shm: new Map(),
    files,
    uninspectable: complete ? [] : [999],
    hidden: false,
  };
}

function ids(objects: { object: IpcObject }[]): string[] {
  return objects.map(({ object }) =>
    object.kind === 'shm' || object.kind === 'msg' || object.kind === 'sem'
      ? `${object.kind}:${object.record.id}`
      : `${object.kind}:${object.record.name}`,
  );
}

function select(
  objects: IpcObject[],
  filter: IpcFilter,
  extra: Partial<Parameters<typeof selectObjects>[2]> = {},
) {
  return ids(
    selectObjects(objects, filter, {
      now: NOW,
      processes: pids({}),
      semPids: () => [0, 0],
      holders: holderScan({}),
      ...extra,
    }).selected,
  );
}

describe('the cheap filters', () => {
  const objects = [
    shm(1, { uid: 0, cuid: 0, size: 100 }),
    shm(2, { uid: 1000, cuid: 0, ctime: NOW - 10 }),
    msg(3, { cbytes: 5000 }),
    sem(4, { key: 0 }),
    pshm('a', 1n, { uid: 0, size: 1 << 20 }),
  ];

  it('--owner and --creator compare uid and cuid (a POSIX file has only its owner)', () => {
    expect(select(objects, { owner: 0 })).toEqual(['shm:1', 'pshm:a']);
    expect(select(objects, { creator: 0 })).toEqual(['shm:1', 'shm:2', 'pshm:a']);
  });

  it('--key matches any of the keys; POSIX objects have none', () => {
    expect(select(objects, { keys: [0x101, 0] })).toEqual(['shm:1', 'sem:4']);
  });

  it('--older-than measures from the last change', () => {
    expect(select(objects, { olderThan: 60 })).toEqual(['shm:1', 'msg:3', 'sem:4', 'pshm:a']);
    expect(select(objects, { olderThan: 10 })).toEqual(['shm:1', 'shm:2', 'msg:3', 'sem:4', 'pshm:a']);
    expect(select(objects, { olderThan: HOUR + 1 })).toEqual([]);
  });

  it('--min-size compares sizes and bytes queued; semaphores have no size', () => {
    expect(select(objects, { minSize: 4096n })).toEqual(['shm:2', 'msg:3', 'pshm:a']);
    expect(select(objects, { minSize: 0n })).toEqual(['shm:1', 'shm:2', 'msg:3', 'pshm:a']);
  });

  it('filters combine with AND', () => {
    expect(select(objects, { creator: 0, olderThan: 60 })).toEqual(['shm:1', 'pshm:a']);
  });

  it('hasFilter tells an empty filter apart', () => {
    expect(hasFilter({})).toBe(false);
    expect(hasFilter({ keys: [] })).toBe(false);
    expect(hasFilter({ keys: [0] })).toBe(true);
    expect(hasFilter({ orphaned: false })).toBe(false);
    expect(hasFilter({ minSize: 0n })).toBe(true);
  });
});

describe('--unattached', () => {
  it('segments with nattch 0 and POSIX objects nobody holds; never semaphores or queues', () => {
    const objects = [shm(1), shm(2, { nattch: 1 }), msg(3), sem(4), pshm('a', 1n), pshm('b', 2n)];
    expect(select(objects, { unattached: true }, { holders: holderScan({ 2: [50] }) })).toEqual([
      'shm:1',
      'pshm:a',
    ]);
  });

  it('an incomplete holder scan selects no POSIX object', () => {
    expect(select([pshm('a', 1n)], { unattached: true }, { holders: holderScan({}, false) })).toEqual([]);
  });
});

describe('--orphaned, System V segments', () => {
  it('nattch 0 and creator and last user gone', () => {
    const objects = [
      shm(1, { cpid: 100, lpid: 101, atime: NOW - 50 }),
      shm(2, { cpid: 100, lpid: 200, atime: NOW - 50 }),
      shm(3, { cpid: 200 }),
      shm(4, { cpid: 100, nattch: 1 }),
      shm(5, { cpid: 300 }),
      shm(6, { cpid: 400 }),
    ];
    const states = pids({ 200: 'alive', 300: 'reused', 400: 'unknown' });
    expect(select(objects, { orphaned: true }, { processes: states })).toEqual(['shm:1', 'shm:5']);
  });

  it('creator pid 0 is a creator we cannot see, not none', () => {
    expect(select([shm(1, { cpid: 0 })], { orphaned: true })).toEqual([]);
  });

  it('lpid 0 with an attach recorded is a process we cannot see', () => {
    expect(select([shm(1, { lpid: 0, dtime: NOW - 5 })], { orphaned: true })).toEqual([]);
    expect(select([shm(1, { lpid: 0 })], { orphaned: true })).toEqual(['shm:1']);
  });

  it('asks about pids only for what passed the cheap filters', () => {
    const states = pids({});
    selectObjects(
      [shm(1, { cpid: 11, uid: 0 }), shm(2, { cpid: 22 })],
      { orphaned: true, owner: 1000 },
      {
        now: NOW,
        processes: states,
      },
    );
    expect(states.asked).toEqual([22, 0]);
  });

  it('reports the evidence', () => {
    const selection = selectObjects(
      [shm(1, { cpid: 100, lpid: 101, atime: NOW - 9 })],
      { orphaned: true },
      {
        now: NOW,
        processes: pids({ 101: 'reused' }),
      },
    );
    expect(selection.selected[0]?.pids).toEqual([
      { role: 'creator', pid: 100, state: 'gone' },
      { role: 'last-operation', pid: 101, state: 'reused' },
    ]);
  });
});

describe('--orphaned, semaphore sets and queues', () => {
  it('queues whose last sender and receiver are gone', () => {
    const objects = [
      msg(1, { lspid: 100, stime: NOW - 9, lrpid: 101, rtime: NOW - 8 }),
      msg(2, { lspid: 100, stime: NOW - 9, lrpid: 200, rtime: NOW - 8 }),
      msg(3, { lspid: 0, stime: NOW - 9 }),
    ];
    expect(select(objects, { orphaned: true }, { processes: pids({ 200: 'alive' }) })).toEqual(['msg:1']);
  });

  it('sets whose semaphores last pids are all gone', () => {
    const semPids = (set: SemSet) => (set.id === 1 ? [100, 0] : set.id === 2 ? [100, 200] : undefined);
    const objects = [sem(1, { otime: NOW - 5 }), sem(2, { otime: NOW - 5 }), sem(3, { otime: NOW - 5 })];
    expect(select(objects, { orphaned: true }, { semPids, processes: pids({ 200: 'alive' }) })).toEqual([
      'sem:1',
    ]);
  });

  it('a set operated on whose pids are all 0 was used by processes we cannot see', () => {
    expect(select([sem(1, { otime: NOW - 5 })], { orphaned: true }, { semPids: () => [0, 0] })).toEqual([]);
  });

  it('with no pid recorded at all, only --older-than can select them', () => {
    const objects = [msg(1), sem(2), shm(3)];
    expect(select(objects, { orphaned: true })).toEqual(['shm:3']);
    expect(select(objects, { orphaned: true, olderThan: 60 })).toEqual(['msg:1', 'sem:2', 'shm:3']);
    expect(select(objects, { orphaned: true, olderThan: 2 * HOUR })).toEqual([]);
  });

  it('fetches semaphore pids only for sets that passed the cheap filters', () => {
    const asked: number[] = [];
    const semPids = (set: SemSet) => {
      asked.push(set.id);
      return [0, 0];
    };
    select([sem(1, { uid: 0 }), sem(2), msg(3)], { orphaned: true, owner: 1000 }, { semPids });
    expect(asked).toEqual([2]);
  });
});

describe('--orphaned, POSIX objects', () => {
  it('nobody maps or holds them open', () => {
    const objects = [pshm('a', 1n), pshm('b', 2n)];
    expect(select(objects, { orphaned: true }, { holders: holderScan({ 2: [7] }) })).toEqual(['pshm:a']);
  });

  it('scans holders once, only for the candidates', () => {
    const requests: string[][] = [];
    selectObjects(
      [pshm('a', 1n), pshm('b', 2n, { uid: 0 }), shm(1)],
      { orphaned: true, owner: 1000 },
      {
        now: NOW,
        processes: pids({}),
        holders: (request) => {
          requests.push(request.files.map((file) => String(file.ino)));
          return holderScan({ 1: [] });
        },
      },
    );
    expect(requests).toEqual([['1']]);
  });
});
