/**
 * What one scrape reads: every System V and POSIX object (core's cleanup listing, the one lsipc
 * and ipcrm filter), the kernel limits lsipc -g shows with their use, the fullest queues and the
 * orphan verdicts of docs/cleanup.md, reduced to plain numbers. Nothing here knows Prometheus.
 */
import {
  formatKey,
  getMsgLimits,
  getSemLimits,
  getShmLimits,
  type IpcKind,
  type IpcObject,
  listIpcObjects,
  NameResolver,
  openMqueue,
  readPageSize,
  readPosixMqLimits,
  selectObjects,
  sizeOf,
  statMsgQueue,
} from '@ipcutils/core';

/** The kinds as ipcctl's commands name them (core's `pmsg` is `mq`), in lsipc's order. */
export const KINDS = ['shm', 'msg', 'sem', 'pshm', 'mq', 'psem'] as const;
export type Kind = (typeof KINDS)[number];
/** The kinds whose objects hold bytes: segment sizes, bytes queued. */
export const SIZED_KINDS = ['shm', 'msg', 'pshm', 'mq'] as const;

const KIND_OF: Record<IpcKind, Kind> = {
  shm: 'shm',
  msg: 'msg',
  sem: 'sem',
  pshm: 'pshm',
  pmsg: 'mq',
  psem: 'psem',
};

export interface Totals {
  objects: number;
  bytes: number;
}

export interface OwnerTotals extends Totals {
  kind: Kind;
  uid: number;
  /** The user name, or the uid when it has none. */
  owner: string;
}

/** One line of lsipc -g: a kernel limit and, where lsipc shows one, how much of it is used. */
export interface ResourceUsage {
  /** lsipc -g's RESOURCE column: SHMMNI, SEMMNI, MSGMNB… */
  resource: string;
  limit: number;
  /** In the limit's unit (SHMALL: pages). */
  used?: number;
}

export interface QueueUsage {
  kind: 'msg' | 'mq';
  /** System V: its id and key. */
  id?: number;
  key?: number;
  /** POSIX: its /NAME. */
  name?: string;
  bytes: number;
  /** Messages queued; undefined for a POSIX queue this process may not open. */
  messages?: number;
  /** System V: msg_qbytes, the most bytes it may hold. */
  capacityBytes?: number;
  /** POSIX: mq_maxmsg, the most messages it may hold. */
  capacityMessages?: number;
}

export interface OrphanTotals extends Totals {
  /** Objects whose use could not be judged (docs/cleanup.md: "undetermined"). */
  undetermined: number;
}

export interface Snapshot {
  /** Per kind; a kind that could not be listed (no /dev/mqueue mounted…) has none. */
  kinds: Partial<Record<Kind, Totals>>;
  owners: OwnerTotals[];
  resources: ResourceUsage[];
  /** The `top` queues holding the most bytes, fullest first. */
  queues: QueueUsage[];
  orphans: Partial<Record<Kind, OrphanTotals>>;
  /** Sources that could not be read in this scrape (a kind's listing, a limit, a verdict). */
  errors: number;
}

export interface SnapshotOptions {
  /** How many queues get their own series. */
  top: number;
}

/** Reads the state now; a source that fails counts in `errors` and leaves its numbers out. */
export function readSnapshot(options: SnapshotOptions): Snapshot {
  const listing = listIpcObjects(Object.keys(KIND_OF) as IpcKind[]);
  let errors = listing.problems.length;
  const attempt = <T>(read: () => T): T | undefined => {
    try {
      return read();
    } catch {
      errors++;
      return undefined;
    }
  };
  const { objects } = listing;
  const listed = KINDS.filter((kind) => !listing.problems.some((problem) => KIND_OF[problem.kind] === kind));
  const snapshot: Snapshot = {
    kinds: perKind(listed, () => ({ objects: 0, bytes: 0 })),
    owners: ownerTotals(objects),
    resources: attempt(() => resourceUsage(objects, listed)) ?? [],
    queues: fullestQueues(objects, options.top),
    orphans: perKind(listed, () => ({ objects: 0, bytes: 0, undetermined: 0 })),
    errors: 0,
  };
  for (const object of objects) add(snapshot.kinds[KIND_OF[object.kind]]!, object);
  // The selection ipcrm --orphaned makes: it stops at the first evidence of use (a live process
  // of the owner settles a set or queue before its semaphores are read), judgeObjects would not.
  const selection = attempt(() => selectObjects(objects, { orphaned: true }));
  if (selection === undefined) snapshot.orphans = {};
  for (const { object } of selection?.selected ?? []) add(snapshot.orphans[KIND_OF[object.kind]]!, object);
  for (const { object } of selection?.undetermined ?? [])
    snapshot.orphans[KIND_OF[object.kind]]!.undetermined++;
  snapshot.errors = errors;
  return snapshot;
}

function perKind<T>(kinds: readonly Kind[], make: () => T): Partial<Record<Kind, T>> {
  return Object.fromEntries(kinds.map((kind) => [kind, make()]));
}

function add(totals: Totals, object: IpcObject): void {
  totals.objects++;
  totals.bytes += sizeOf(object) ?? 0;
}

/** Per kind and owner uid; a fresh resolver, so that a user added since the last scrape is named. */
function ownerTotals(objects: readonly IpcObject[]): OwnerTotals[] {
  const names = new NameResolver();
  const owners = new Map<string, OwnerTotals>();
  for (const object of objects) {
    const kind = KIND_OF[object.kind];
    const { uid } = object.record;
    const id = `${kind} ${uid}`;
    let totals = owners.get(id);
    if (totals === undefined) {
      totals = { kind, uid, owner: names.userName(uid) ?? String(uid), objects: 0, bytes: 0 };
      owners.set(id, totals);
    }
    add(totals, object);
  }
  return [...owners.values()];
}

/**
 * lsipc -g's resources, its USED computed from this scrape's listing (one reading of the state);
 * none for a kind that could not be listed.
 */
function resourceUsage(objects: readonly IpcObject[], listed: readonly Kind[]): ResourceUsage[] {
  let segments = 0;
  let segmentBytes = 0n;
  let sets = 0;
  let semaphores = 0;
  let queues = 0;
  let posixQueues = 0;
  for (const object of objects) {
    if (object.kind === 'shm') {
      segments++;
      segmentBytes += BigInt(object.record.size);
    } else if (object.kind === 'sem') {
      sets++;
      semaphores += object.record.nsems;
    } else if (object.kind === 'msg') queues++;
    else if (object.kind === 'pmsg') posixQueues++;
  }
  const msg = getMsgLimits();
  const mq = readPosixMqLimits();
  const shm = getShmLimits();
  const sem = getSemLimits();
  const usage = (kind: Kind, count: number) => (listed.includes(kind) ? count : undefined);
  return [
    { resource: 'MSGMNI', limit: msg.msgmni, used: usage('msg', queues) },
    { resource: 'MSGMAX', limit: Number(msg.msgmax) },
    { resource: 'MSGMNB', limit: Number(msg.msgmnb) },
    { resource: 'MQUMNI', limit: mq.queuesMax, used: usage('mq', posixQueues) },
    { resource: 'MQUMAX', limit: mq.msgsizeMax },
    { resource: 'MQUMNB', limit: mq.msgMax },
    { resource: 'SHMMNI', limit: Number(shm.shmmni), used: usage('shm', segments) },
    // SHMALL counts pages; lsipc divides the sum of the sizes by the page size.
    {
      resource: 'SHMALL',
      limit: Number(shm.shmall),
      used: usage('shm', Number(segmentBytes / BigInt(readPageSize()))),
    },
    { resource: 'SHMMAX', limit: Number(shm.shmmax) },
    { resource: 'SHMMIN', limit: Number(shm.shmmin) },
    { resource: 'SEMMNI', limit: sem.semmni, used: usage('sem', sets) },
    { resource: 'SEMMNS', limit: sem.semmns, used: usage('sem', semaphores) },
    { resource: 'SEMMSL', limit: sem.semmsl },
    { resource: 'SEMOPM', limit: sem.semopm },
    { resource: 'SEMVMX', limit: sem.semvmx },
  ];
}

/** The `top` queues holding the most bytes (ties: System V first, by id, then POSIX by name). */
function fullestQueues(objects: readonly IpcObject[], top: number): QueueUsage[] {
  const queues: QueueUsage[] = [];
  for (const object of objects) {
    if (object.kind === 'msg') {
      const { id, key, cbytes, qnum } = object.record;
      queues.push({ kind: 'msg', id, key, bytes: cbytes, messages: qnum });
    } else if (object.kind === 'pmsg') {
      queues.push({ kind: 'mq', name: object.record.name, bytes: object.record.qsize });
    }
  }
  queues.sort(compareQueues);
  const fullest = queues.slice(0, top);
  for (const queue of fullest) addCapacity(queue);
  return fullest;
}

function compareQueues(a: QueueUsage, b: QueueUsage): number {
  if (a.bytes !== b.bytes) return b.bytes - a.bytes;
  if (a.kind !== b.kind) return a.kind === 'msg' ? -1 : 1;
  if (a.kind === 'msg') return (a.id ?? 0) - (b.id ?? 0);
  return (a.name ?? '') < (b.name ?? '') ? -1 : 1;
}

/** What /proc and /dev/mqueue do not show: msg_qbytes (IPC_STAT), mq_maxmsg and mq_curmsgs (mq_getattr). */
function addCapacity(queue: QueueUsage): void {
  try {
    if (queue.kind === 'msg') {
      const { qbytes } = statMsgQueue(queue.id!);
      if (qbytes !== undefined) queue.capacityBytes = qbytes;
      return;
    }
    const handle = openMqueue(queue.name!, { readOnly: true });
    try {
      const attributes = handle.getAttributes();
      queue.messages = attributes.currentMessages;
      queue.capacityMessages = attributes.maxMessages;
    } finally {
      handle.close();
    }
  } catch {
    // Gone since the listing, or not readable by this user: its bytes are still known.
  }
}

/** The labels of a queue's series: kind, and id and key (System V) or name (POSIX). */
export function queueLabels(queue: QueueUsage): Partial<Record<'kind' | 'id' | 'key' | 'name', string>> {
  return queue.kind === 'msg'
    ? { kind: 'msg', id: String(queue.id), key: formatKey(queue.key ?? 0) }
    : { kind: 'mq', name: queue.name ?? '' };
}
