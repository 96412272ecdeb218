import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { withNamespace } from '../../../../test/helpers/namespace.js';
import {
  readMsgLimitsFromProc,
  readPosixMqLimits,
  readSemLimitsFromProc,
  readShmLimitsFromProc,
} from '../../src/proc/limits.js';

/** The files of a Debian 12 machine (kernel defaults), as the kernel prints them. */
const DEFAULTS: Record<string, string> = {
  '/proc/sys/kernel/shmall': '18446744073692774399\n',
  '/proc/sys/kernel/shmmax': '18446744073692774399\n',
  '/proc/sys/kernel/shmmni': '4096\n',
  '/proc/sys/kernel/msgmni': '32000\n',
  '/proc/sys/kernel/msgmax': '8192\n',
  '/proc/sys/kernel/msgmnb': '16384\n',
  '/proc/sys/kernel/sem': '32000\t1024000000\t500\t32000\n',
  '/proc/sys/fs/mqueue/queues_max': '256\n',
  '/proc/sys/fs/mqueue/msg_max': '10\n',
  '/proc/sys/fs/mqueue/msgsize_max': '8192\n',
};

const base = mkdtempSync(join(tmpdir(), 'limits-'));
afterAll(() => rmSync(base, { recursive: true, force: true }));

function makeRoot(files: Record<string, string>, without: readonly string[] = []): string {
  const root = mkdtempSync(join(base, 'root-'));
  for (const [path, text] of Object.entries(files)) {
    if (without.some((name) => path.endsWith(`/${name}`))) continue;
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), text);
  }
  return root;
}

describe('limits from /proc', () => {
  it('reads every limit, u64 values as bigint, with the constant SHMMIN and SEMVMX', () => {
    const root = makeRoot(DEFAULTS);
    expect(readShmLimitsFromProc(root)).toStrictEqual({
      shmmni: 4096n,
      shmmax: 18446744073692774399n,
      shmall: 18446744073692774399n,
      shmmin: 1n,
    });
    expect(readMsgLimitsFromProc(root)).toStrictEqual({ msgmni: 32000, msgmax: 8192n, msgmnb: 16384n });
    expect(readSemLimitsFromProc(root)).toStrictEqual({
      semmsl: 32000,
      semmns: 1024000000,
      semopm: 500,
      semmni: 32000,
      semvmx: 32767,
    });
    expect(readPosixMqLimits(root)).toStrictEqual({ queuesMax: 256, msgMax: 10, msgsizeMax: 8192 });
  });

  it('gives up on a resource as soon as one of its files is missing', () => {
    for (const name of ['shmall', 'shmmax', 'shmmni']) {
      const root = makeRoot(DEFAULTS, [name]);
      expect(readShmLimitsFromProc(root), name).toBeUndefined();
      expect(readMsgLimitsFromProc(root)).toBeDefined();
    }
    for (const name of ['msgmni', 'msgmax', 'msgmnb']) {
      expect(readMsgLimitsFromProc(makeRoot(DEFAULTS, [name])), name).toBeUndefined();
    }
    expect(readSemLimitsFromProc(makeRoot(DEFAULTS, ['sem']))).toBeUndefined();
  });

  it('treats a sem file without exactly four numbers as unusable (util-linux: fscanf() != 4)', () => {
    for (const text of ['32000\t1024000000\t500\n', 'a\tb\tc\td\n', '', '1\t2\t3\t4\t5\n']) {
      const root = makeRoot({ ...DEFAULTS, '/proc/sys/kernel/sem': text });
      expect(readSemLimitsFromProc(root), JSON.stringify(text)).toBeUndefined();
    }
    const spaced = makeRoot({ ...DEFAULTS, '/proc/sys/kernel/sem': '250 32000  32\t128' });
    expect(readSemLimitsFromProc(spaced)).toMatchObject({
      semmsl: 250,
      semmns: 32000,
      semopm: 32,
      semmni: 128,
    });
  });

  it('treats an unparsable or out-of-range value as unusable', () => {
    expect(
      readShmLimitsFromProc(makeRoot({ ...DEFAULTS, '/proc/sys/kernel/shmmax': 'lots\n' })),
    ).toBeUndefined();
    expect(
      readShmLimitsFromProc(makeRoot({ ...DEFAULTS, '/proc/sys/kernel/shmmax': '18446744073709551616\n' })),
    ).toBeUndefined();
    expect(
      readMsgLimitsFromProc(makeRoot({ ...DEFAULTS, '/proc/sys/kernel/msgmni': '2147483648\n' })),
    ).toBeUndefined();
    expect(readShmLimitsFromProc(makeRoot({ ...DEFAULTS, '/proc/sys/kernel/shmmax': '2\n' }))?.shmmax).toBe(
      2n,
    );
  });

  it('reports 0 for each POSIX limit whose file is missing or unreadable', () => {
    const root = makeRoot(DEFAULTS, ['msg_max']);
    rmSync(join(root, '/proc/sys/fs/mqueue/msgsize_max'));
    // A directory in place of the file cannot be read.
    mkdirSync(join(root, '/proc/sys/fs/mqueue/msgsize_max'));
    expect(readPosixMqLimits(root)).toStrictEqual({ queuesMax: 256, msgMax: 0, msgsizeMax: 0 });
    expect(readPosixMqLimits(join(root, 'nowhere'))).toStrictEqual({
      queuesMax: 0,
      msgMax: 0,
      msgsizeMax: 0,
    });
  });

  it('agrees with `ipcs -l -b` on the tunables of a private namespace', async () => {
    await withNamespace(async (ns) => {
      // IPC sysctls belong to the IPC namespace: set odd values, then read them from inside.
      const set = await ns.sh(
        [
          'echo 123 > /proc/sys/kernel/msgmni',
          'echo 4321 > /proc/sys/kernel/msgmax',
          'echo 65536 > /proc/sys/kernel/msgmnb',
          'echo 77 > /proc/sys/kernel/shmmni',
          'echo 1234567 > /proc/sys/kernel/shmmax',
          'echo 8888 > /proc/sys/kernel/shmall',
          'echo "250 32001 32 129" > /proc/sys/kernel/sem',
          'echo 99 > /proc/sys/fs/mqueue/queues_max',
        ].join(' && '),
      );
      expect(set.stderr).toBe('');
      const dump = await ns.sh(
        `for f in ${Object.keys(DEFAULTS).join(' ')}; do printf '%s=%s\\n' "$f" "$(cat $f)"; done`,
      );
      const files = Object.fromEntries(
        dump.stdout
          .trim()
          .split('\n')
          .map((line) => {
            const at = line.indexOf('=');
            return [line.slice(0, at), `${line.slice(at + 1)}\n`];
          }),
      );
      const root = makeRoot(files);
      const ipcs = (await ns.run('ipcs', ['-l', '-b'])).stdout;
      const shown = (label: string) => new RegExp(`^${label} = (\\d+)$`, 'm').exec(ipcs)?.[1];

      const msg = readMsgLimitsFromProc(root);
      expect(msg).toStrictEqual({ msgmni: 123, msgmax: 4321n, msgmnb: 65536n });
      expect(shown('max queues system wide')).toBe(String(msg?.msgmni));
      expect(shown('max size of message \\(bytes\\)')).toBe(String(msg?.msgmax));
      expect(shown('default max size of queue \\(bytes\\)')).toBe(String(msg?.msgmnb));

      const shm = readShmLimitsFromProc(root);
      expect(shm).toMatchObject({ shmmni: 77n, shmmax: 1234567n, shmall: 8888n });
      expect(shown('max number of segments')).toBe(String(shm?.shmmni));
      expect(shown('max seg size \\(bytes\\)')).toBe(String(shm?.shmmax));
      expect(shown('min seg size \\(bytes\\)')).toBe(String(shm?.shmmin));

      const sem = readSemLimitsFromProc(root);
      expect(sem).toStrictEqual({ semmsl: 250, semmns: 32001, semopm: 32, semmni: 129, semvmx: 32767 });
      expect(shown('max number of arrays')).toBe(String(sem?.semmni));
      expect(shown('max semaphores per array')).toBe(String(sem?.semmsl));
      expect(shown('max semaphores system wide')).toBe(String(sem?.semmns));
      expect(shown('max ops per semop call')).toBe(String(sem?.semopm));
      expect(shown('semaphore max value')).toBe(String(sem?.semvmx));

      expect(readPosixMqLimits(root).queuesMax).toBe(99);
    });
  });
});
