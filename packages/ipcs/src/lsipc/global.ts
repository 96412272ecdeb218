/** The global view (-g, the default): system-wide limits and how much of each is used. */

import { formatPercent } from './format.js';
import type { GlobalRow } from './rows.js';
import type { LsipcSources } from './sources.js';

function usage(resource: string, description: string, used: number, limit: number | bigint): GlobalRow {
  return { resource, description, limit, used, percent: formatPercent(used, Number(limit)) };
}

export function msgGlobalRows(sources: LsipcSources): GlobalRow[] {
  const limits = sources.msgLimits();
  const queues = sources.msgQueueCount();
  return [
    usage('MSGMNI', 'Number of System V message queues', queues, limits.msgmni),
    {
      resource: 'MSGMAX',
      description: 'Max size of System V message (bytes)',
      limit: limits.msgmax,
      bytes: true,
    },
    {
      resource: 'MSGMNB',
      description: 'Default max size of System V queue (bytes)',
      limit: limits.msgmnb,
      bytes: true,
    },
  ];
}

/** `queues`: the /dev/mqueue listing, undefined when it could not be made (counted as none). */
export function posixMsgGlobalRows(
  sources: LsipcSources,
  queues: readonly unknown[] | undefined,
): GlobalRow[] {
  const limits = sources.posixMqLimits();
  const used = queues?.length ?? 0;
  return [
    usage('MQUMNI', 'Number of POSIX message queues', used, limits.queuesMax),
    {
      resource: 'MQUMAX',
      description: 'Max size of POSIX message (bytes)',
      limit: limits.msgsizeMax,
      bytes: true,
    },
    { resource: 'MQUMNB', description: 'Number of messages in POSIX message queue', limit: limits.msgMax },
  ];
}

export function shmGlobalRows(sources: LsipcSources): GlobalRow[] {
  const limits = sources.shmLimits();
  const { segments, bytes } = sources.shmUsage();
  // SHMALL counts pages: the sum of sizes divided by the page size (not a byte unit).
  const pages = Number(bytes / BigInt(sources.pageSize()));
  return [
    usage('SHMMNI', 'Shared memory segments', segments, limits.shmmni),
    usage('SHMALL', 'Shared memory pages', pages, limits.shmall),
    {
      resource: 'SHMMAX',
      description: 'Max size of shared memory segment (bytes)',
      limit: limits.shmmax,
      bytes: true,
    },
    {
      resource: 'SHMMIN',
      description: 'Min size of shared memory segment (bytes)',
      limit: limits.shmmin,
      bytes: true,
    },
  ];
}

export function semGlobalRows(sources: LsipcSources): GlobalRow[] {
  const limits = sources.semLimits();
  const { sets, semaphores } = sources.semUsage();
  return [
    usage('SEMMNI', 'Number of semaphore identifiers', sets, limits.semmni),
    usage('SEMMNS', 'Total number of semaphores', semaphores, limits.semmns),
    { resource: 'SEMMSL', description: 'Max semaphores per semaphore set.', limit: limits.semmsl },
    { resource: 'SEMOPM', description: 'Max number of operations per semop(2)', limit: limits.semopm },
    { resource: 'SEMVMX', description: 'Semaphore max value', limit: limits.semvmx },
  ];
}
