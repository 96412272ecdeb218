/**
 * The state behind fixtures/util-linux-2.43-devel (copies of reference/samples) as LsipcSources: the captured
 * /proc/sysvipc tables, the POSIX objects of posix-ls.txt, the kernel's default limits and the
 * sample's users, so lsipc's whole pipeline can be checked against the captured outputs.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileKey, parseMsgTable, parseSemTable, parseShmTable, parseShmUsage } from '@ipcutils/core';
import { type LsipcSources, semUsageOf } from '../../src/lsipc/sources.js';

/** Copies of reference/samples (see fixtures/README.md), so the tests run from any clone. */
export const FIXTURES = join(import.meta.dirname, 'fixtures');

/** The samples' objects were made (System V) and touched (POSIX) at these times; TZ=UTC. */
export const SYSV_TIME = 1795238463;
export const POSIX_TIME = SYSV_TIME + 1;

/** One captured command: `$ lsipc ARGS`, stdout, `[exit=N]`, then `--- stderr:` and stderr. */
export interface Sample {
  file: string;
  args: string[];
  stdout: string;
  stderr: string;
  status: number;
}

export function readSample(path: string): Sample {
  const text = readFileSync(path, 'utf8');
  const newline = text.indexOf('\n');
  const command = text.slice(2, newline).split(' ');
  const exit = /^\[exit=(\d+)\]$/m.exec(text);
  if (!exit) throw new Error(`${path}: no [exit=N] line`);
  const stdout = text.slice(newline + 1, exit.index);
  const after = text.slice(exit.index + exit[0].length + 1);
  const stderr = after.startsWith('--- stderr:\n') ? after.slice('--- stderr:\n'.length) : '';
  return { file: path, args: command.slice(1), stdout, stderr, status: Number(exit[1]) };
}

/** The captured runs of util-linux 2.43-devel whose file name is PREFIX or starts with `PREFIX-`. */
export function listSamples(prefix: string): Sample[] {
  const dir = join(FIXTURES, 'util-linux-2.43-devel');
  return readdirSync(dir)
    .filter((name) => name === prefix || name.startsWith(`${prefix}-`))
    .sort()
    .map((name) => readSample(join(dir, name)));
}

/** The three tables of proc-sysvipc.txt, each starting at its header line. */
function sampleTables(): { shm: string; msg: string; sem: string } {
  const lines = readFileSync(join(FIXTURES, '../../ipcs/fixtures/proc-sysvipc.txt'), 'utf8').split('\n');
  const starts = lines.flatMap((line, n) => (/^\s+key\s/.test(line) ? [n] : []));
  const table = (index: number) => lines.slice(starts[index], starts[index + 1] ?? lines.length).join('\n');
  return { shm: table(0), msg: table(1), sem: table(2) };
}

const USERS = new Map([
  [0, 'root'],
  [4242, 'averyveryverylongusername'],
]);
const GROUPS = new Map([
  [0, 'root'],
  [4242, 'averyverylonggroupname'],
]);

/** The sample state; `overrides` replace single readers (a missing /dev/mqueue, a race). */
export function sampleSources(overrides: Partial<LsipcSources> = {}): LsipcSources {
  const tables = sampleTables();
  const posix = { uid: 0, gid: 0, mtime: POSIX_TIME };
  return {
    shmSegments: () => parseShmTable(tables.shm),
    msgQueues: () => parseMsgTable(tables.msg),
    semSets: () => parseSemTable(tables.sem),
    msgQueueCount: () => parseMsgTable(tables.msg).length,
    shmUsage: () => parseShmUsage(tables.shm),
    semUsage: () => semUsageOf(parseSemTable(tables.sem)),
    semElements: (id) => {
      if (id !== 0) throw new Error(`no elements recorded for set ${id}`);
      return [
        { semval: 5, ncount: 0, zcount: 1, pid: 21477 },
        { semval: 0, ncount: 1, zcount: 0, pid: 0 },
        { semval: 0, ncount: 0, zcount: 0, pid: 0 },
      ];
    },
    shmLimits: () => ({
      shmmni: 4096n,
      shmmax: 18446744073692774399n,
      shmall: 18446744073692774399n,
      shmmin: 1n,
    }),
    msgLimits: () => ({ msgmni: 32000, msgmax: 8192n, msgmnb: 16384n }),
    semLimits: () => ({ semmni: 32000, semmsl: 32000, semmns: 1024000000, semopm: 500, semvmx: 32767 }),
    posixMqLimits: () => ({ queuesMax: 256, msgMax: 10, msgsizeMax: 8192 }),
    // readdir order of the samples' tmpfs: newest first.
    posixShm: () => [
      { ...posix, name: 'pshm_b', path: '/dev/shm/pshm_b', mode: 0o600, size: 1048576 },
      { ...posix, name: 'pshm_a', path: '/dev/shm/pshm_a', mode: 0o644, size: 8192 },
    ],
    posixSems: () => [
      { ...posix, name: 'psem_b', path: '/dev/shm/sem.psem_b', mode: 0o600, value: 0 },
      { ...posix, name: 'psem_a', path: '/dev/shm/sem.psem_a', mode: 0o644, value: 3 },
    ],
    posixMqueues: () => [
      { ...posix, name: '/pmq_b', path: '/dev/mqueue/pmq_b', mode: 0o600, qsize: 0, curmsgs: 0 },
      { ...posix, name: '/pmq_a', path: '/dev/mqueue/pmq_a', mode: 0o644, qsize: 21, curmsgs: 2 },
    ],
    mqueueMounted: () => true,
    userName: (uid) => USERS.get(uid),
    groupName: (gid) => GROUPS.get(gid),
    // Every creator had exited when the samples were taken.
    commandLine: () => null,
    pageSize: () => 4096,
    now: () => SYSV_TIME + 60,
    // The cleanup's view of the sample: each POSIX file its own inode, nobody holding anything,
    // every recorded process gone.
    posixFile: (path) => ({
      file: { dev: 1n, ino: BigInt(path.length * 1000 + path.charCodeAt(path.length - 1)), mtimeNs: 0n },
      times: { atime: POSIX_TIME, mtime: POSIX_TIME, ctime: POSIX_TIME },
    }),
    scanHolders: (request) => ({
      sysv: request.sysv,
      shm: new Map(),
      files: new Map(request.files.map((file) => [fileKey(file), []])),
      uninspectable: [],
      hidden: false,
    }),
    processes: () => ({
      pidState: (pid, recordedAt, used = recordedAt !== 0) =>
        pid === 0 ? (used ? 'unknown' : 'none') : 'gone',
    }),
    semPids: (set) => (set.id === 0 ? [21477, 0, 0] : Array.from({ length: set.nsems }, () => 0)),
    // Nobody waits on a set or a queue, and no process runs as the objects' owners.
    semWaiters: () => ({ ncount: 0, zcount: 0 }),
    activity: () => ({
      processesRunningAs: () => ({ pids: [], complete: true }),
      queueWaiters: () => ({ pids: [], complete: true }),
    }),
    ...overrides,
  };
}
