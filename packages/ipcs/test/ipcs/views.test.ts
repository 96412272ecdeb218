// Formatter cases the sample state does not reach: kernel calls that fail, "Not set" and 1970
// times, non-ASCII and numeric owners, human sizes in every view, other page sizes.
import { streams } from '@ipcutils/cli';
import { describe, expect, it } from 'vitest';
import { formatCreators } from '../../src/ipcs/creator.js';
import { describeObject } from '../../src/ipcs/details.js';
import { CellFormatter, fit, formatCtime, formatOctalAlt, padLeft, padRight } from '../../src/ipcs/format.js';
import { formatMsgLimits, formatSemLimits, formatShmLimits } from '../../src/ipcs/limits.js';
import { formatShmList } from '../../src/ipcs/list.js';
import { runIpcs as ipcsResult } from '../../src/ipcs/main.js';
import { formatMsgSummary, formatSemSummary, formatShmSummary } from '../../src/ipcs/summary.js';
import { sampleSources } from './fixtures.js';

const runIpcs = (...args: Parameters<typeof ipcsResult>) => streams(ipcsResult(...args));

process.env.TZ = 'UTC';

const io = { argv0: 'ipcs', programName: 'ipcs', env: {} };

function context(unit: 'default' | 'bytes' | 'human' = 'default', names: Record<number, string> = {}) {
  return new CellFormatter({ unit, userName: (uid) => names[uid], groupName: (gid) => names[gid] });
}

describe('printf conversions', () => {
  it('pads and cuts by bytes, as C counts them', () => {
    expect(padRight('ab', 4)).toBe('ab  ');
    expect(padLeft('ab', 4)).toBe('  ab');
    expect(padRight('abcdef', 4)).toBe('abcdef');
    // "é" is two bytes: %-4s adds two spaces, not three.
    expect(padRight('é', 4)).toBe('é  ');
    expect(fit('averyveryverylongusername', 10, 10)).toBe('averyveryv');
    // A cut never splits a character: 9 bytes of "ééééé" is four characters, padded to 10.
    expect(fit('ééééé', 10, 9)).toBe('éééé  ');
  });

  it('formats ctime() like glibc, day of month padded with a space', () => {
    expect(formatCtime(1795238463)).toBe('Sat Nov 21 05:21:03 2026');
    expect(formatCtime(0)).toBe('Thu Jan  1 00:00:00 1970');
    expect(formatCtime(1_000_000_000)).toBe('Sun Sep  9 01:46:40 2001');
  });

  it("prints %#o's leading zero except for 0", () => {
    expect(formatOctalAlt(0)).toBe('0');
    expect(formatOctalAlt(0o1666)).toBe('01666');
  });
});

describe('owners', () => {
  it('truncates names to 10 bytes in listings and prints unknown ids as numbers', () => {
    const row = context('default', { 7: 'ünïcödeuser', 8: 'aüüüüü' });
    expect(row.owner(7)).toBe('ünïcöde');
    // A 2-byte character that would straddle byte 10 is left out, and the field padded instead.
    expect(row.owner(8)).toBe('aüüüü ');
    expect(row.owner(4_294_967_294)).toBe('4294967294');
    expect(row.owner(12)).toBe('12        ');
  });

  it('keeps whole names in the -c view', () => {
    const objects = [{ key: 0, id: 9, uid: 1, gid: 2, cuid: 1, cgid: 3, mode: 0o600 }];
    const text = formatCreators(
      'shm',
      objects,
      context('default', { 1: 'averyveryverylongusername', 2: 'g' }),
    );
    expect(text.split('\n')[2]).toBe(
      '9          600        averyveryverylongusername 3          averyveryverylongusername g         ',
    );
  });
});

describe('limits', () => {
  it('says so when the limits cannot be fetched', () => {
    expect(formatMsgLimits(undefined, 'default')).toBe('unable to fetch message limits\n');
    expect(formatShmLimits(undefined, 'default', 4096)).toBe('unable to fetch shared memory limits\n');
    expect(formatSemLimits(undefined)).toBe('unable to fetch semaphore limits\n');
  });

  it('multiplies shmall by the page size without clamping when it fits', () => {
    const limits = { shmmni: 4096n, shmmax: 68719476736n, shmall: 4194304n, shmmin: 1n };
    expect(formatShmLimits(limits, 'default', 65536).split('\n').slice(2, 4)).toEqual([
      'max seg size (kbytes) = 67108864',
      'max total shared memory (kbytes) = 268435456',
    ]);
    expect(formatShmLimits(limits, 'bytes', 65536).split('\n')[3]).toBe(
      'max total shared memory (bytes) = 274877906944',
    );
    expect(formatShmLimits(limits, 'human', 4096).split('\n')[3]).toBe('max total shared memory = 16G');
  });

  it('clamps an overflowing total to a multiple of the page size', () => {
    const limits = { shmmni: 1n, shmmax: 1n, shmall: 2n ** 63n, shmmin: 1n };
    expect(formatShmLimits(limits, 'bytes', 65536).split('\n')[3]).toBe(
      `max total shared memory (bytes) = ${2n ** 64n - 65536n}`,
    );
  });
});

describe('summaries', () => {
  it('reports a kernel without the facility', () => {
    expect(formatMsgSummary(undefined, 'default')).toBe('kernel not configured for message queues\n');
    expect(formatShmSummary(undefined)).toBe('kernel not configured for shared memory\n');
    expect(formatSemSummary(undefined)).toBe('kernel not configured for semaphores\n');
  });

  it('prints the used space in the unit asked for', () => {
    const summary = { queues: 1, headers: 4, bytes: 5000 };
    expect(formatMsgSummary(summary, 'human').split('\n')[3]).toBe('used space = 4.9K');
    expect(formatMsgSummary(summary, 'bytes').split('\n')[3]).toBe('used space (bytes) = 5000');
  });

  it('keeps the other sections when one resource fails', () => {
    const outcome = runIpcs(['-u'], io, () => sampleSources({ shmSummary: () => undefined }));
    expect(outcome.stdout).toContain('\nkernel not configured for shared memory\n\n------ Semaphore Status');
    expect(outcome.status).toBe(0);
  });
});

describe('listing', () => {
  it('prints only the header for an empty namespace', () => {
    expect(formatShmList([], context())).toBe(
      '------ Shared Memory Segments --------\nkey        shmid      owner      perms      bytes      nattch     status      \n',
    );
  });

  it('shows dest and locked together, and a huge segment in human units', () => {
    const segment = {
      key: -1,
      id: 2147483647,
      uid: 0,
      gid: 0,
      cuid: 0,
      cgid: 0,
      mode: 0o3600,
      size: 2 ** 40,
      cpid: 1,
      lpid: 1,
      nattch: 3,
      atime: 0,
      dtime: 0,
      ctime: 1,
    };
    expect(formatShmList([segment], context('human', { 0: 'root' })).split('\n')[2]).toBe(
      '0xffffffff 2147483647 root       600            1T     3          dest   locked',
    );
  });
});

describe('-i', () => {
  it('prints the 1970 change time rather than "Not set"', () => {
    const sources = sampleSources();
    const [segment] = sources.shmSegments();
    const text = describeObject(
      { resource: 'shm', id: 0, unit: 'default' },
      sampleSources({ shmSegment: () => ({ ...segment!, ctime: 0, atime: 0 }) }),
    );
    expect(text).toContain('\natt_time=Not set                   \n');
    expect(text).toContain('\nchange_time=Thu Jan  1 00:00:00 1970  \n');
  });

  it.each(['-m', '-q', '-s'])('finds no object with a negative id (%s)', (flag) => {
    for (const id of ['-1', '-2147483648']) {
      expect(runIpcs([flag, '-i', id], io, () => sampleSources())).toEqual({
        stdout: '',
        stderr: `ipcs: id ${id} not found\n`,
        status: 0,
      });
    }
  });

  it('fails like err() when the semaphores cannot be read', async () => {
    const { SemReadError } = await import('../../src/ipcs/sources.js');
    const refused = sampleSources({
      semSet: () => {
        throw new SemReadError('semctl(GETVAL)', 'Permission denied');
      },
    });
    expect(runIpcs(['-s', '-i', '1'], io, () => refused)).toEqual({
      stdout: '',
      stderr: 'ipcs: semctl(GETVAL) failed: Permission denied\n',
      status: 1,
    });
  });

  it('names the program as invoked in its messages', () => {
    const renamed = { argv0: '/opt/bin/ipcs2', programName: 'ipcs2', env: {} };
    expect(runIpcs(['-m', '-i', '77'], renamed, () => sampleSources()).stderr).toBe(
      'ipcs2: id 77 not found\n',
    );
    expect(runIpcs(['-Z'], renamed, () => sampleSources()).stderr).toBe(
      "/opt/bin/ipcs2: invalid option -- 'Z'\nTry 'ipcs2 --help' for more information.\n",
    );
  });
});
