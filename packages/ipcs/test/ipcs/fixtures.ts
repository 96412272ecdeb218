/**
 * The state behind the captured util-linux runs in fixtures/ (reference/samples/README.md) as
 * IpcsSources: the records come from fixtures/proc-sysvipc.txt through core's parsers; limits, summaries,
 * qbytes, semaphore values and names are the ones that state had. Times there are 1795238463,
 * to be shown in TZ=UTC.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  type MsgQueue,
  parseMsgTable,
  parseSemTable,
  parseShmTable,
  type SemElement,
  type SemSet,
  type ShmSegment,
} from '@ipcutils/core';
import type { IpcsSources } from '../../src/ipcs/sources.js';

/** Copies of reference/samples (see fixtures/README.md). */
export const FIXTURES = join(import.meta.dirname, 'fixtures');

/** The three tables of proc-sysvipc.txt, which holds shm, msg and sem one after the other. */
function readProcTables(): { shm: ShmSegment[]; msg: MsgQueue[]; sem: SemSet[] } {
  const text = readFileSync(join(FIXTURES, 'proc-sysvipc.txt'), 'latin1');
  const tables = text.split(/^(?=\s+key\s)/m).filter((table) => table.trim() !== '');
  const find = (idColumn: string) => {
    const table = tables.find((candidate) => new RegExp(`^\\s+key\\s+${idColumn}\\s`).test(candidate));
    if (table === undefined) throw new Error(`proc-sysvipc.txt has no ${idColumn} table`);
    return table;
  };
  return {
    shm: parseShmTable(find('shmid')),
    msg: parseMsgTable(find('msqid')),
    sem: parseSemTable(find('semid')),
  };
}

const USERS = new Map([
  [0, 'root'],
  [4242, 'averyveryverylongusername'],
]);
const GROUPS = new Map([
  [0, 'root'],
  [4242, 'averyverylonggroupname'],
]);

/** semctl GETVAL/GETNCNT/GETZCNT/GETPID of sem A and sem C as the samples show them. */
const ELEMENTS: ReadonlyMap<number, SemElement[]> = new Map([
  [
    0,
    [
      { semval: 5, ncount: 0, zcount: 1, pid: 21477 },
      { semval: 0, ncount: 1, zcount: 0, pid: 0 },
      { semval: 0, ncount: 0, zcount: 0, pid: 0 },
    ],
  ],
  [1, [{ semval: 0, ncount: 0, zcount: 0, pid: 0 }]],
  [
    2,
    [
      { semval: 0, ncount: 0, zcount: 0, pid: 0 },
      { semval: 0, ncount: 0, zcount: 0, pid: 0 },
    ],
  ],
]);

/** The sample state; `overrides` replaces single sources (a failing kernel call, a refused semctl). */
export function sampleSources(overrides: Partial<IpcsSources> = {}): IpcsSources {
  const { shm, msg, sem } = readProcTables();
  return {
    msgQueues: () => msg,
    shmSegments: () => shm,
    semSets: () => sem,
    // Kernel defaults on the machine the samples were taken on (x86_64, 4 KiB pages).
    msgLimits: () => ({ msgmni: 32000, msgmax: 8192n, msgmnb: 16384n }),
    shmLimits: () => ({
      shmmni: 4096n,
      shmmax: 18446744073692774399n,
      shmall: 18446744073692774399n,
      shmmin: 1n,
    }),
    semLimits: () => ({ semmni: 32000, semmsl: 32000, semmns: 1024000000, semopm: 500, semvmx: 32767 }),
    msgSummary: () => ({ queues: 3, headers: 2, bytes: 50 }),
    shmSummary: () => ({
      usedIds: 5,
      totalPages: 261,
      rssPages: 1,
      swapPages: 0,
      swapAttempts: 0,
      swapSuccesses: 0,
    }),
    semSummary: () => ({ arrays: 3, semaphores: 6 }),
    msgQueue: (id) => {
      const queue = msg.find((candidate) => candidate.id === id);
      return queue && { ...queue, qbytes: 16384 };
    },
    shmSegment: (id) => shm.find((segment) => segment.id === id),
    semSet: (id) => {
      const set = sem.find((candidate) => candidate.id === id);
      return set && { set, elements: ELEMENTS.get(id) ?? [] };
    },
    pageSize: () => 4096,
    userName: (uid) => USERS.get(uid),
    groupName: (gid) => GROUPS.get(gid),
    ...overrides,
  };
}

export interface Sample {
  file: string;
  /** The arguments after `ipcs` on the `$ ipcs …` line (none of them is quoted). */
  args: string[];
  stdout: string;
  stderr: string;
  status: number;
}

/** One captured run: `$ command`, its stdout, `[exit=N]`, then `--- stderr:` and its stderr. */
export function readSample(file: string): Sample {
  const text = readFileSync(file, 'utf8');
  const match =
    /^\$ ipcs(?<args>[^\n]*)\n(?<stdout>[\s\S]*?)\[exit=(?<status>\d+)\]\n(?:--- stderr:\n(?<stderr>[\s\S]*))?$/.exec(
      text,
    );
  if (!match?.groups) throw new Error(`${file} is not a captured ipcs run`);
  const { args, stdout, status, stderr } = match.groups;
  return {
    file,
    args: (args ?? '').split(' ').filter((arg) => arg !== ''),
    stdout: stdout ?? '',
    stderr: stderr ?? '',
    status: Number(status),
  };
}

/** Every captured ipcs run of util-linux 2.38.1 over the sample state. */
export function readIpcsSamples(): Sample[] {
  const dir = join(FIXTURES, 'util-linux-2.38.1');
  return readdirSync(dir)
    .filter((name) => name === 'ipcs' || name.startsWith('ipcs-'))
    .sort()
    .map((name) => readSample(join(dir, name)));
}
