/**
 * A snapshot as Prometheus metrics, through prom-client: a fresh Registry per scrape, so every
 * scrape shows the state it read and nothing left from the one before (a queue gone, an owner
 * with no objects any more). Every metric is a gauge: these are levels, not counts of events.
 */
import { escapeInvalidBytes } from '@ipcutils/cli/smartcols';
import { Gauge, Registry } from 'prom-client';
import { KINDS, type Kind, queueLabels, SIZED_KINDS, type Snapshot } from './snapshot.js';

export interface Exposition {
  text: string;
  contentType: string;
}

const QUEUE_LABELS = ['kind', 'id', 'key', 'name'] as const;

/** The text exposition format of a snapshot read in `seconds`. */
export async function exposeSnapshot(snapshot: Snapshot, seconds: number): Promise<Exposition> {
  const registry = new Registry();
  const gauge = <L extends string>(name: string, help: string, labelNames: readonly L[] = []) =>
    new Gauge<L>({ name, help, labelNames, registers: [registry] });

  const objects = gauge(
    'ipc_objects',
    'IPC objects that exist, by kind (shm, msg, sem: System V; pshm, mq, psem: POSIX).',
    ['kind'],
  );
  const bytes = gauge(
    'ipc_bytes',
    'Bytes held by IPC objects: segment sizes (shm, pshm), bytes queued (msg, mq).',
    ['kind'],
  );
  for (const kind of KINDS) {
    const totals = snapshot.kinds[kind];
    if (totals === undefined) continue;
    objects.set({ kind }, totals.objects);
    if (isSized(kind)) bytes.set({ kind }, totals.bytes);
  }

  const ownerLabels = ['kind', 'owner', 'uid'] as const;
  const ownerObjects = gauge(
    'ipc_owner_objects',
    'IPC objects by kind and owner (user name, or uid without one).',
    ownerLabels,
  );
  const ownerBytes = gauge('ipc_owner_bytes', 'Bytes held by IPC objects, by kind and owner.', ownerLabels);
  for (const { kind, owner, uid, ...totals } of snapshot.owners) {
    const labels = { kind, owner: labelValue(owner), uid: String(uid) };
    ownerObjects.set(labels, totals.objects);
    if (isSized(kind)) ownerBytes.set(labels, totals.bytes);
  }

  const used = gauge(
    'ipc_resource_used',
    "Use of a kernel IPC limit, named as lsipc -g's RESOURCE, in the limit's unit (SHMALL: pages).",
    ['resource'],
  );
  const limit = gauge(
    'ipc_resource_limit',
    "Kernel IPC limit, named as lsipc -g's RESOURCE (SHMALL: pages; MSGMAX, MSGMNB, MQUMAX, SHMMAX, SHMMIN: bytes).",
    ['resource'],
  );
  for (const resource of snapshot.resources) {
    limit.set({ resource: resource.resource }, resource.limit);
    if (resource.used !== undefined) used.set({ resource: resource.resource }, resource.used);
  }

  const queueMessages = gauge(
    'ipc_queue_messages',
    'Messages queued, for the queues holding the most bytes (--top).',
    QUEUE_LABELS,
  );
  const queueBytes = gauge(
    'ipc_queue_bytes',
    'Bytes queued, for the queues holding the most bytes (--top).',
    QUEUE_LABELS,
  );
  const capacityBytes = gauge(
    'ipc_queue_capacity_bytes',
    'Most bytes a System V queue may hold (msg_qbytes), for the --top queues.',
    QUEUE_LABELS,
  );
  const capacityMessages = gauge(
    'ipc_queue_capacity_messages',
    'Most messages a POSIX queue may hold (mq_maxmsg), for the --top queues.',
    QUEUE_LABELS,
  );
  for (const queue of snapshot.queues) {
    const { name, ...rest } = queueLabels(queue);
    const labels = name === undefined ? rest : { ...rest, name: labelValue(name) };
    queueBytes.set(labels, queue.bytes);
    if (queue.messages !== undefined) queueMessages.set(labels, queue.messages);
    if (queue.capacityBytes !== undefined) capacityBytes.set(labels, queue.capacityBytes);
    if (queue.capacityMessages !== undefined) capacityMessages.set(labels, queue.capacityMessages);
  }

  const orphaned = gauge(
    'ipc_orphaned_objects',
    'IPC objects that ipcrm --orphaned would remove (docs/cleanup.md), by kind.',
    ['kind'],
  );
  const orphanedBytes = gauge('ipc_orphaned_bytes', 'Bytes held by orphaned IPC objects, by kind.', ['kind']);
  const undetermined = gauge(
    'ipc_undetermined_objects',
    'IPC objects whose use could not be judged (some evidence unreadable), by kind.',
    ['kind'],
  );
  for (const kind of KINDS) {
    const totals = snapshot.orphans[kind];
    if (totals === undefined) continue;
    orphaned.set({ kind }, totals.objects);
    undetermined.set({ kind }, totals.undetermined);
    if (isSized(kind)) orphanedBytes.set({ kind }, totals.bytes);
  }

  gauge(
    'ipc_scrape_errors',
    'Sources that could not be read in this scrape (a listing, the limits, the orphan verdicts).',
  ).set(snapshot.errors);
  gauge('ipc_scrape_duration_seconds', 'Time this scrape took to read the state.').set(seconds);
  return { text: await registry.metrics(), contentType: registry.contentType };
}

/**
 * A label value is UTF-8 text (a byte that is not makes the whole scrape fail to parse), a queue's
 * name any bytes but "/" and NUL: each byte that is not UTF-8 as `\xNN`, as lsipc shows it.
 */
function labelValue(text: string): string {
  return escapeInvalidBytes(text);
}

function isSized(kind: Kind): boolean {
  return (SIZED_KINDS as readonly Kind[]).includes(kind);
}
