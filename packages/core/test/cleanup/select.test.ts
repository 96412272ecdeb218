import { describe, expect, it } from 'vitest';
import type { ProcessActivity } from '../../src/cleanup/activity.js';
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

/** Processes by uid and queue waiters by queue id, as a ProcActivity would find them. */
function activity(
  running: Record<number, number[]> = {},
  waiting: Record<number, number[]> = {},
  complete = true,
): ProcessActivity {
  return {
    processesRunningAs: (uids) => ({ pids: uids.flatMap((uid) => running[uid] ?? []), complete }),
    queueWaiters: (id) => ({ pids: waiting[id] ?? [], complete }),
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
    times: { atime: 0, mtime: fields.mtime ?? NOW - HOUR, ctime: 0 },
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
      semWaiters: () => ({ ncount: 0, zcount: 0 }),
      activity: activity(),
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

describe('--older-than measures idleness', () => {
  it('from the latest use or change: attach/detach, semop, send/receive, POSIX file times', () => {
    const objects = [
      shm(1, { atime: NOW - 5 }),
      shm(2, { dtime: NOW - 5 }),
      sem(3, { otime: NOW - 5 }),
      msg(4, { stime: NOW - 5 }),
      msg(5, { rtime: NOW - 5 }),
      shm(6),
    ];
    expect(select(objects, { olderThan: 60 })).toEqual(['shm:6']);
    const touched = pshm('a', 1n);
    if (touched.kind !== 'pshm') throw new Error('not pshm');
    touched.times = { atime: NOW - 5, mtime: NOW - HOUR, ctime: NOW - HOUR };
    expect(select([touched, pshm('b', 2n)], { olderThan: 60 })).toEqual(['pshm:b']);
  });
});

describe('--orphaned, sets and queues need more than dead pids', () => {
  const used = { otime: NOW - 50 };
  const semPids = () => [100, 0];

  it('a live process running as the owner (a parent whose workers exit) leaves them unproven', () => {
    const objects = [sem(1, used), msg(2, { lspid: 100, stime: NOW - 50 })];
    const selection = selectObjects(
      objects,
      { orphaned: true },
      {
        now: NOW,
        processes: pids({}),
        semPids,
        semWaiters: () => ({ ncount: 0, zcount: 0 }),
        activity: activity({ 1000: [42] }),
      },
    );
    expect(selection.selected).toEqual([]);
    expect(selection.judged.map(({ judgement }) => [judgement.verdict, judgement.reason])).toEqual([
      ['unproven', 'owner-running'],
      ['unproven', 'owner-running'],
    ]);
    expect(selection.judged[0]?.judgement.evidence.ownerProcesses).toEqual([42]);
    // An explicit idle age is the other evidence.
    expect(
      select(objects, { orphaned: true, olderThan: 40 }, { semPids, activity: activity({ 1000: [42] }) }),
    ).toEqual(['sem:1', 'msg:2']);
  });

  it('a waiter is proof of use, whatever the age', () => {
    const objects = [sem(1, used), msg(2, { lspid: 100, stime: NOW - 50 })];
    const extra = {
      semPids,
      semWaiters: () => ({ ncount: 1, zcount: 0 }),
      activity: activity({}, { 2: [77] }),
    };
    expect(select(objects, { orphaned: true }, extra)).toEqual([]);
    expect(select(objects, { orphaned: true, olderThan: 1 }, extra)).toEqual([]);
  });

  it('processes we cannot inspect make a queue undetermined', () => {
    const selection = selectObjects(
      [msg(2, { lspid: 100, stime: NOW - 50 })],
      { orphaned: true },
      {
        now: NOW,
        processes: pids({}),
        activity: activity({}, {}, false),
      },
    );
    expect(selection.selected).toEqual([]);
    expect(selection.undetermined.map(({ judgement }) => judgement.reason)).toEqual([
      'processes-uninspectable',
    ]);
  });

  it('a queue holding messages is data unless withMessages', () => {
    const full = [msg(1, { qnum: 2, cbytes: 10, lspid: 100, stime: NOW - 50 })];
    expect(select(full, { orphaned: true, olderThan: 1 })).toEqual([]);
    expect(select(full, { orphaned: true, olderThan: 1, withMessages: true })).toEqual(['msg:1']);
  });
});

describe('exclusions and name patterns', () => {
  const objects = [
    shm(1, { uid: 0, cuid: 0 }),
    shm(2, { key: 0x1234 }),
    pshm('pgsql.stats', 1n),
    pshm('web.cache', 2n),
    {
      ...pshm('jobs', 3n),
      kind: 'pmsg',
      record: {
        name: '/jobs',
        path: '/dev/mqueue/jobs',
        uid: 1000,
        gid: 1000,
        mode: 0o600,
        mtime: NOW - HOUR,
        qsize: 0,
      },
    } as IpcObject,
  ];

  it('excludes by owner or creator, key and name glob', () => {
    expect(select(objects, { olderThan: 1, excludeOwners: [0] })).toEqual([
      'shm:2',
      'pshm:pgsql.stats',
      'pshm:web.cache',
      'pmsg:/jobs',
    ]);
    expect(select(objects, { olderThan: 1, excludeKeys: [0x1234] })).toEqual([
      'shm:1',
      'pshm:pgsql.stats',
      'pshm:web.cache',
      'pmsg:/jobs',
    ]);
    expect(select(objects, { olderThan: 1, excludeNames: ['pg*', '/jo?s'] })).toEqual([
      'shm:1',
      'shm:2',
      'pshm:web.cache',
    ]);
  });

  it('selects POSIX objects by name glob, with or without the slash; System V objects never match', () => {
    expect(select(objects, { names: ['*.*'] })).toEqual(['pshm:pgsql.stats', 'pshm:web.cache']);
    expect(select(objects, { names: ['/jobs'] })).toEqual(['pmsg:/jobs']);
    expect(
      select(objects, { names: ['[pw]*'], orphaned: true }, { holders: holderScan({ 2: [5] }) }),
    ).toEqual(['pshm:pgsql.stats']);
  });
});

describe('undetermined objects and the evidence', () => {
  it('an incomplete holder scan: undetermined, with the holders that could be seen', () => {
    const selection = selectObjects(
      [pshm('a', 1n), pshm('b', 2n)],
      { orphaned: true },
      {
        now: NOW,
        processes: pids({}),
        holders: holderScan({ 2: [7] }, false),
      },
    );
    expect(selection.selected).toEqual([]);
    expect(
      selection.undetermined.map(({ object, judgement }) => [ids([{ object }])[0], judgement.reason]),
    ).toEqual([['pshm:a', 'processes-uninspectable']]);
    expect(selection.judged[1]?.judgement).toEqual({
      verdict: 'in-use',
      reason: 'held',
      evidence: { idleSeconds: HOUR, holders: { holders: [{ pid: 7, command: 'x' }], complete: false } },
    });
  });

  it('a segment: nattch, each pid and the idle time', () => {
    const selection = selectObjects(
      [shm(1, { cpid: 100, lpid: 101, atime: NOW - 9 })],
      { orphaned: true },
      {
        now: NOW,
        processes: pids({ 101: 'reused' }),
      },
    );
    expect(selection.selected[0]?.judgement).toEqual({
      verdict: 'orphaned',
      reason: 'unused',
      evidence: {
        idleSeconds: 9,
        nattch: 0,
        pids: [
          { role: 'creator', pid: 100, state: 'gone' },
          { role: 'last-operation', pid: 101, state: 'reused' },
        ],
      },
    });
  });
});
