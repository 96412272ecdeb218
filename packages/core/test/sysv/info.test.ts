import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { IpcNamespace, NOBODY, withNamespace } from '../../../../test/helpers/namespace.js';
import { buildScript } from '../../../../test/helpers/script.js';
import {
  listMsgQueuesBySyscall,
  listSemSetsBySyscall,
  listShmSegmentsBySyscall,
  msgLimitsFromKernel,
  semLimitsFromKernel,
  shmLimitsFromKernel,
} from '../../src/sysv/info.js';
import { createMsgQueue, removeMsgQueue, sendMessageSync, statMsgQueue } from '../../src/sysv/msg.js';
import { createSemSet, removeSemSet, statSemSet } from '../../src/sysv/sem.js';
import { createShm, removeShm, statShm } from '../../src/sysv/shm.js';

describe('listing by syscall in the shared test namespace', () => {
  it('lists this file’s objects exactly as IPC_STAT reports them', () => {
    const shm = createShm({ size: 12345, mode: 0o640 });
    const msg = createMsgQueue({ mode: 0o604 });
    const sem = createSemSet({ nsems: 5, mode: 0o660 });
    try {
      sendMessageSync(msg, { type: 1, data: 'abc' });
      expect(listShmSegmentsBySyscall().find((s) => s.id === shm)).toEqual(statShm(shm));
      expect(listMsgQueuesBySyscall().find((q) => q.id === msg)).toEqual(statMsgQueue(msg));
      expect(listSemSetsBySyscall().find((s) => s.id === sem)).toEqual(statSemSet(sem));
    } finally {
      removeShm(shm);
      removeMsgQueue(msg);
      removeSemSet(sem);
    }
    expect(listShmSegmentsBySyscall().some((s) => s.id === shm)).toBe(false);
  });
});

describe('limits from IPC_INFO', () => {
  it('match the sysctls of this namespace', () => {
    const read = (name: string) => readFileSync(`/proc/sys/kernel/${name}`, 'utf8').trim();
    expect(shmLimitsFromKernel()).toEqual({
      shmmni: BigInt(read('shmmni')),
      shmmax: BigInt(read('shmmax')),
      shmall: BigInt(read('shmall')),
      shmmin: 1n,
    });
    const [semmsl, semmns, semopm, semmni] = read('sem').split(/\s+/).map(Number);
    expect(semLimitsFromKernel()).toEqual({ semmni, semmsl, semmns, semopm, semvmx: 32767 });
    expect(msgLimitsFromKernel()).toEqual({
      msgmni: Number(read('msgmni')),
      msgmax: BigInt(read('msgmax')),
      msgmnb: BigInt(read('msgmnb')),
    });
  });
});

// The scripts below run inside a nested namespace of their own, so whole listings and
// namespace-wide counters are exact.
const SETUP = `
  import { attachShm, createShm, removeShm } from '../packages/core/src/sysv/shm.ts';
  import { createMsgQueue, sendMessageSync } from '../packages/core/src/sysv/msg.ts';
  import { createSemSet, semopSync, setAllSemValues } from '../packages/core/src/sysv/sem.ts';
  const a = createShm({ size: 10000, key: 0x1111, mode: 0o600 });
  const gone = createShm({ size: 100 });
  createShm({ size: 4096, mode: 0o644 });
  removeShm(gone);
  const attachment = attachShm(a);
  attachment.write(0, 'first page');
  attachment.write(4096, 'second page');
  attachment.detach();
  const q1 = createMsgQueue({ key: 0x2222, mode: 0o600 });
  const q2 = createMsgQueue({ mode: 0o666 });
  sendMessageSync(q1, { type: 1, data: Buffer.alloc(20) });
  sendMessageSync(q1, { type: 2, data: Buffer.alloc(30) });
  sendMessageSync(q2, { type: 1, data: 'hello' });
  const s1 = createSemSet({ nsems: 2, key: 0x3333, mode: 0o600 });
  const s2 = createSemSet({ nsems: 4, mode: 0o644 });
  setAllSemValues(s1, [1, 2]);
  semopSync(s2, [{ num: 3, op: 7 }]);
`;

const REPORT = `
  import * as info from '../packages/core/src/sysv/info.ts';
  console.log(JSON.stringify({
    shm: info.listShmSegmentsBySyscall(),
    msg: info.listMsgQueuesBySyscall(),
    sem: info.listSemSetsBySyscall(),
    shmSummary: info.shmSummary(),
    msgSummary: info.msgSummary(),
    semSummary: info.semSummary(),
    limits: {
      shm: info.shmLimitsFromKernel(),
      msg: info.msgLimitsFromKernel(),
      sem: info.semLimitsFromKernel(),
    },
  }, (_, value) => (typeof value === 'bigint' ? value.toString() : value)));
`;

type Row = Record<string, number>;
interface Report {
  shm: Row[];
  msg: Row[];
  sem: Row[];
  shmSummary: Row;
  msgSummary: Row;
  semSummary: Row;
  limits: Record<'shm' | 'msg' | 'sem', Record<string, string | number>>;
}

/** /proc/sysvipc tables by header name; perms is octal. */
function parseProcTable(text: string): Row[] {
  const [header, ...lines] = text.trim().split('\n');
  const names = (header ?? '').trim().split(/\s+/);
  return lines.map((line) =>
    Object.fromEntries(
      line
        .trim()
        .split(/\s+/)
        .map((field, n) => [names[n], names[n] === 'perms' ? Number.parseInt(field, 8) : Number(field)]),
    ),
  );
}

/** Our records in /proc/sysvipc's vocabulary, for a field-by-field comparison. */
function asProcRow(record: Row, idColumn: string, fields: Record<string, string>): Row {
  const row: Row = { [idColumn]: record.id as number, perms: record.mode as number };
  for (const [column, field] of Object.entries(fields)) row[column] = record[field] as number;
  return row;
}

const PERM_FIELDS = { key: 'key', uid: 'uid', gid: 'gid', cuid: 'cuid', cgid: 'cgid' };
const SHM_FIELDS = {
  ...PERM_FIELDS,
  size: 'size',
  cpid: 'cpid',
  lpid: 'lpid',
  nattch: 'nattch',
  atime: 'atime',
  dtime: 'dtime',
  ctime: 'ctime',
};
const MSG_FIELDS = {
  ...PERM_FIELDS,
  cbytes: 'cbytes',
  qnum: 'qnum',
  lspid: 'lspid',
  lrpid: 'lrpid',
  stime: 'stime',
  rtime: 'rtime',
  ctime: 'ctime',
};
const SEM_FIELDS = { ...PERM_FIELDS, nsems: 'nsems', otime: 'otime', ctime: 'ctime' };

function pick(rows: Row[], columns: string[]): Row[] {
  return rows.map((row) => Object.fromEntries(columns.map((column) => [column, row[column] as number])));
}

describe('in a namespace of known state', () => {
  let ns: IpcNamespace;
  let report: Report;
  let nobodyReport: Report;
  const ipcs: Record<string, string> = {};
  const proc: Record<string, string> = {};

  beforeAll(async () => {
    const setup = await buildScript(SETUP);
    const reporter = await buildScript(REPORT);
    ns = await IpcNamespace.create();
    const ran = await ns.run('node', [setup]);
    expect(ran.stderr).toBe('');
    const asRoot = await ns.run('node', [reporter]);
    const asNobody = await ns.run('node', [reporter], { user: NOBODY });
    expect(asRoot.stderr + asNobody.stderr).toBe('');
    report = JSON.parse(asRoot.stdout);
    nobodyReport = JSON.parse(asNobody.stdout);
    for (const args of ['-u', '-u -b']) ipcs[args] = (await ns.sh(`ipcs ${args}`)).stdout;
    for (const kind of ['shm', 'msg', 'sem'])
      proc[kind] = (await ns.run('cat', [`/proc/sysvipc/${kind}`])).stdout;
  });

  afterAll(() => ns?.close());

  it('lists every object, skipping the removed index, field for field as /proc/sysvipc does', () => {
    expect(report.shm.map((s) => [s.key, s.size, s.mode])).toEqual([
      [0x1111, 10000, 0o600],
      [0, 4096, 0o644],
    ]);
    expect(report.shm.map((s) => s.id)).not.toContain(1);
    expect(report.msg.map((q) => [q.key, q.qnum, q.cbytes, q.qbytes])).toEqual([
      [0x2222, 2, 50, 16384],
      [0, 1, 5, 16384],
    ]);
    expect(report.sem.map((s) => [s.key, s.nsems, s.mode])).toEqual([
      [0x3333, 2, 0o600],
      [0, 4, 0o644],
    ]);
    const shmColumns = ['shmid', 'perms', ...Object.keys(SHM_FIELDS)];
    expect(report.shm.map((s) => asProcRow(s, 'shmid', SHM_FIELDS))).toEqual(
      pick(parseProcTable(proc.shm ?? ''), shmColumns),
    );
    const msgColumns = ['msqid', 'perms', ...Object.keys(MSG_FIELDS)];
    expect(report.msg.map((q) => asProcRow(q, 'msqid', MSG_FIELDS))).toEqual(
      pick(parseProcTable(proc.msg ?? ''), msgColumns),
    );
    const semColumns = ['semid', 'perms', ...Object.keys(SEM_FIELDS)];
    expect(report.sem.map((s) => asProcRow(s, 'semid', SEM_FIELDS))).toEqual(
      pick(parseProcTable(proc.sem ?? ''), semColumns),
    );
  });

  it('lists objects nobody may not read when run as nobody (STAT_ANY)', () => {
    expect(nobodyReport.shm).toEqual(report.shm);
    expect(nobodyReport.msg).toEqual(report.msg);
    expect(nobodyReport.sem).toEqual(report.sem);
  });

  it('counts what was created: 2 segments of 4 pages (2 resident), 2 queues of 3 messages and 55 bytes, 2 sets of 6 semaphores', () => {
    expect(report.shmSummary).toEqual({
      usedIds: 2,
      totalPages: 4,
      rssPages: 2,
      swapPages: 0,
      swapAttempts: 0,
      swapSuccesses: 0,
    });
    expect(report.msgSummary).toEqual({ queues: 2, headers: 3, bytes: 55 });
    expect(report.semSummary).toEqual({ arrays: 2, semaphores: 6 });
  });

  it('prints what `ipcs -u` and `ipcs -u -b` print, byte for byte', () => {
    const { shmSummary: shm, msgSummary: msg, semSummary: sem } = report;
    const render = (usedSpace: string) =>
      [
        '',
        '------ Messages Status --------',
        `allocated queues = ${msg.queues}`,
        `used headers = ${msg.headers}`,
        usedSpace,
        '',
        '------ Shared Memory Status --------',
        `segments allocated ${shm.usedIds}`,
        `pages allocated ${shm.totalPages}`,
        `pages resident  ${shm.rssPages}`,
        `pages swapped   ${shm.swapPages}`,
        `Swap performance: ${shm.swapAttempts} attempts\t ${shm.swapSuccesses} successes`,
        '',
        '------ Semaphore Status --------',
        `used arrays = ${sem.arrays}`,
        `allocated semaphores = ${sem.semaphores}`,
        '',
        '',
      ].join('\n');
    expect(ipcs['-u']).toBe(render(`used space = ${msg.bytes} bytes`));
    expect(ipcs['-u -b']).toBe(render(`used space (bytes) = ${msg.bytes}`));
  });
});

describe('limits in a namespace with its own sysctls', () => {
  it('reads the values `ipcs -l -b` prints', async () => {
    const hostMsgmax = readFileSync('/proc/sys/kernel/msgmax', 'utf8');
    const reporter = await buildScript(REPORT);
    await withNamespace(async (ns) => {
      const set = await ns.sh(
        [
          'echo 12345 > /proc/sys/kernel/msgmax',
          'echo 23456 > /proc/sys/kernel/msgmnb',
          'echo 77 > /proc/sys/kernel/msgmni',
          'echo 1048576 > /proc/sys/kernel/shmmax',
          'echo 1000 > /proc/sys/kernel/shmall',
          'echo 88 > /proc/sys/kernel/shmmni',
          'echo "251 32001 101 129" > /proc/sys/kernel/sem',
        ].join(' && '),
      );
      expect(set.stderr).toBe('');
      const { limits } = JSON.parse((await ns.run('node', [reporter])).stdout) as Report;
      expect(limits).toEqual({
        msg: { msgmni: 77, msgmax: '12345', msgmnb: '23456' },
        shm: { shmmni: '88', shmmax: '1048576', shmall: '1000', shmmin: '1' },
        sem: { semmni: 129, semmsl: 251, semmns: 32001, semopm: 101, semvmx: 32767 },
      });
      const pageSize = Number((await ns.run('getconf', ['PAGESIZE'])).stdout);
      const expected = [
        '',
        '------ Messages Limits --------',
        `max queues system wide = ${limits.msg.msgmni}`,
        `max size of message (bytes) = ${limits.msg.msgmax}`,
        `default max size of queue (bytes) = ${limits.msg.msgmnb}`,
        '',
        '------ Shared Memory Limits --------',
        `max number of segments = ${limits.shm.shmmni}`,
        `max seg size (bytes) = ${limits.shm.shmmax}`,
        `max total shared memory (bytes) = ${BigInt(limits.shm.shmall as string) * BigInt(pageSize)}`,
        `min seg size (bytes) = ${limits.shm.shmmin}`,
        '',
        '------ Semaphore Limits --------',
        `max number of arrays = ${limits.sem.semmni}`,
        `max semaphores per array = ${limits.sem.semmsl}`,
        `max semaphores system wide = ${limits.sem.semmns}`,
        `max ops per semop call = ${limits.sem.semopm}`,
        `semaphore max value = ${limits.sem.semvmx}`,
        '',
        '',
      ].join('\n');
      expect((await ns.sh('ipcs -l -b')).stdout).toBe(expected);
    });
    expect(readFileSync('/proc/sys/kernel/msgmax', 'utf8')).toBe(hostMsgmax);
  });
});

describe('an empty namespace', () => {
  it('lists nothing and counts zero (XXX_INFO gives 0 as the highest index when nothing exists)', async () => {
    const id = createSemSet({ nsems: 3 });
    try {
      const reporter = await buildScript(REPORT);
      await withNamespace(async (ns) => {
        const report = JSON.parse((await ns.run('node', [reporter])).stdout) as Report;
        expect([report.shm, report.msg, report.sem]).toEqual([[], [], []]);
        expect(report.semSummary).toEqual({ arrays: 0, semaphores: 0 });
        expect(report.msgSummary).toEqual({ queues: 0, headers: 0, bytes: 0 });
        expect(report.shmSummary).toMatchObject({ usedIds: 0, totalPages: 0 });
      });
      expect(listSemSetsBySyscall().some((set) => set.id === id)).toBe(true);
    } finally {
      removeSemSet(id);
    }
  });
});
