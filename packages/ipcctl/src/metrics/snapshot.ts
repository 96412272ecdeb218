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
  type HolderScan,
  IPC_KINDS,
  type IpcKind,
  type IpcObject,
  isSysvObject,
  listIpcObjects,
  NameResolver,
  openMqueue,
  ProcActivity,
  ProcessTable,
  readPageSize,
  readPosixMqLimits,
  type SelectionOptions,
  scanHolders,
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

/** Objects judged per selectObjects call: their judgements are dropped before the next chunk. */
const JUDGED_PER_CALL = 1024;

/**
 * Reads the state now; a source that fails counts in `errors` and leaves its numbers out. Nothing
 * per object outlives the scrape, nor the kind it belongs to: each System V kind is listed,
 * counted and judged in turn, then dropped (a server scraped for hours keeps its heap small), and
 * only the --top fullest queues are kept. POSIX objects (files in /dev/shm and /dev/mqueue) are
 * listed together, for one holder scan of them all.
 */
export function readSnapshot(options: SnapshotOptions): Snapshot {
  const tally = new Tally(options.top);
  const posix = listIpcObjects(['pshm', 'pmsg', 'psem']);
  const problems = [...posix.problems];
  const orphans = new OrphanJudge(posix.objects);
  // In listIpcObjects' order, the order of the owners' series.
  for (const kind of IPC_KINDS) {
    let objects: readonly IpcObject[];
    if (kind === 'shm' || kind === 'msg' || kind === 'sem') {
      const listing = listIpcObjects([kind]);
      problems.push(...listing.problems);
      objects = listing.objects;
    } else objects = posix.objects.filter((object) => object.kind === kind);
    for (const object of objects) tally.add(object);
    orphans.judge(objects);
  }
  let errors = problems.length;
  const listed = KINDS.filter((kind) => !problems.some((problem) => KIND_OF[problem.kind] === kind));
  let resources: ResourceUsage[] = [];
  try {
    resources = resourceUsage(tally.usage, listed);
  } catch {
    errors++;
  }
  if (orphans.failed) errors++;
  return {
    kinds: ofKinds(listed, tally.kinds),
    owners: tally.owners,
    resources,
    queues: tally.fullestQueues(),
    orphans: orphans.failed ? {} : ofKinds(listed, orphans.totals),
    errors,
  };
}

function ofKinds<T>(kinds: readonly Kind[], values: Record<Kind, T>): Partial<Record<Kind, T>> {
  return Object.fromEntries(kinds.map((kind) => [kind, values[kind]]));
}

function perKind<T>(make: () => T): Record<Kind, T> {
  return Object.fromEntries(KINDS.map((kind) => [kind, make()])) as Record<Kind, T>;
}

function add(totals: Totals, object: IpcObject): void {
  totals.objects++;
  totals.bytes += sizeOf(object) ?? 0;
}

/** What lsipc -g's USED column adds up. */
interface LimitUsage {
  segments: number;
  segmentBytes: bigint;
  sets: number;
  semaphores: number;
  queues: number;
  posixQueues: number;
}

/** The per-kind, per-owner and per-limit sums, and the fullest queues, one object at a time. */
class Tally {
  readonly kinds = perKind<Totals>(() => ({ objects: 0, bytes: 0 }));
  readonly owners: OwnerTotals[] = [];
  readonly usage: LimitUsage = {
    segments: 0,
    segmentBytes: 0n,
    sets: 0,
    semaphores: 0,
    queues: 0,
    posixQueues: 0,
  };
  /** A fresh resolver per scrape, so that a user added since the last one is named. */
  private readonly names = new NameResolver();
  private readonly ownersByKind = new Map<Kind, Map<number, OwnerTotals>>();
  private readonly queues: FullestQueues;

  constructor(top: number) {
    this.queues = new FullestQueues(top);
  }

  add(object: IpcObject): void {
    const kind = KIND_OF[object.kind];
    add(this.kinds[kind], object);
    add(this.ownerTotals(kind, object.record.uid), object);
    const { usage } = this;
    switch (object.kind) {
      case 'shm':
        usage.segments++;
        usage.segmentBytes += BigInt(object.record.size);
        break;
      case 'sem':
        usage.sets++;
        usage.semaphores += object.record.nsems;
        break;
      case 'msg': {
        usage.queues++;
        const { id, key, cbytes, qnum } = object.record;
        this.queues.add({ kind: 'msg', id, key, bytes: cbytes, messages: qnum });
        break;
      }
      case 'pmsg':
        usage.posixQueues++;
        this.queues.add({ kind: 'mq', name: object.record.name, bytes: object.record.qsize });
        break;
    }
  }

  /** The fullest queues, with what /proc and /dev/mqueue do not show. */
  fullestQueues(): QueueUsage[] {
    const fullest = this.queues.take();
    for (const queue of fullest) addCapacity(queue);
    return fullest;
  }

  private ownerTotals(kind: Kind, uid: number): OwnerTotals {
    let byUid = this.ownersByKind.get(kind);
    if (byUid === undefined) {
      byUid = new Map();
      this.ownersByKind.set(kind, byUid);
    }
    let totals = byUid.get(uid);
    if (totals === undefined) {
      totals = { kind, uid, owner: this.names.userName(uid) ?? String(uid), objects: 0, bytes: 0 };
      byUid.set(uid, totals);
      this.owners.push(totals);
    }
    return totals;
  }
}

/**
 * The `top` queues holding the most bytes (ties: System V first, by id, then POSIX by name), fed
 * one queue at a time: sorted and cut to `top` whenever it holds twice that many, so that a scrape
 * keeps a bounded number of queues however many the host has.
 */
export class FullestQueues {
  private readonly queues: QueueUsage[] = [];

  constructor(private readonly top: number) {}

  add(queue: QueueUsage): void {
    if (this.top === 0) return;
    this.queues.push(queue);
    if (this.queues.length >= 2 * this.top) this.cut();
  }

  /** The fullest first. */
  take(): QueueUsage[] {
    this.cut();
    return this.queues;
  }

  private cut(): void {
    this.queues.sort(compareQueues);
    if (this.queues.length > this.top) this.queues.length = this.top;
  }
}

/**
 * The orphan counts: the selection ipcrm --orphaned makes, which stops at the first evidence of
 * use (a live process of the owner settles a set or queue before its semaphores are read), as
 * judgeObjects would not. The objects are judged a chunk at a time, with one process table, one
 * reading of /proc's processes and one holder scan (of the POSIX files) for them all.
 */
class OrphanJudge {
  readonly totals = perKind<OrphanTotals>(() => ({ objects: 0, bytes: 0, undetermined: 0 }));
  /** A selection failed: no orphan counts in this scrape. */
  failed = false;
  private readonly options: SelectionOptions;

  constructor(posixObjects: readonly IpcObject[]) {
    let holders: HolderScan | undefined;
    const files = () => posixObjects.flatMap((object) => (isSysvObject(object) ? [] : [object.file]));
    this.options = {
      now: Math.floor(Date.now() / 1000),
      processes: new ProcessTable(),
      activity: new ProcActivity(),
      holders: () => {
        holders ??= scanHolders({ sysv: false, files: files() });
        return holders;
      },
    };
  }

  judge(objects: readonly IpcObject[]): void {
    for (let at = 0; at < objects.length && !this.failed; at += JUDGED_PER_CALL) {
      try {
        const { selected, undetermined } = selectObjects(
          objects.slice(at, at + JUDGED_PER_CALL),
          { orphaned: true },
          this.options,
        );
        for (const { object } of selected) add(this.totals[KIND_OF[object.kind]], object);
        for (const { object } of undetermined) this.totals[KIND_OF[object.kind]].undetermined++;
      } catch {
        this.failed = true;
      }
    }
  }
}

/**
 * lsipc -g's resources, its USED computed from this scrape's listing (one reading of the state);
 * none for a kind that could not be listed.
 */
function resourceUsage(counts: LimitUsage, listed: readonly Kind[]): ResourceUsage[] {
  const { segments, segmentBytes, sets, semaphores, queues, posixQueues } = counts;
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
