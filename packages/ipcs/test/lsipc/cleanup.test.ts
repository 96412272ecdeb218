// lsipc's additions: the cleanup filters, the TYPE and HOLDERS columns and --typed-json, over the
// samples' state (every creator gone, as when the samples were taken) with fake holder scans.

import { memoryIo } from '@ipcutils/cli';
import { fileKey, type HolderScan } from '@ipcutils/core';
import { beforeAll, describe, expect, it } from 'vitest';
import { runLsipc } from '../../src/lsipc/main.js';
import { parseCommand } from '../../src/lsipc/options.js';
import type { LsipcSources } from '../../src/lsipc/sources.js';
import { sampleSources } from './fixtures.js';

beforeAll(() => {
  process.env.TZ = 'UTC';
});

function options(...args: string[]) {
  const command = parseCommand(args, 'lsipc');
  if (command.kind !== 'run') throw new Error(`expected options, got ${JSON.stringify(command)}`);
  return command.options;
}

function error(...args: string[]): { kind: 'error'; message: string | undefined; tryHelp: boolean } {
  const command = parseCommand(args, 'lsipc');
  if (command.kind !== 'error') throw new Error(`expected an error, got ${command.kind}`);
  const { message, options } = command.error;
  return { kind: 'error', message: message === '' ? undefined : message, tryHelp: options.tryHelp === true };
}

function run(args: readonly string[], overrides: Partial<LsipcSources> = {}) {
  const io = memoryIo({ programName: 'lsipc', env: { LC_ALL: 'C' } });
  const status = io.take(runLsipc(args, io, sampleSources(overrides)));
  return { stdout: io.stdout, stderr: io.stderr, status };
}

/** The first column of raw output without headings, one value per row. */
function firstColumn(args: readonly string[], overrides: Partial<LsipcSources> = {}): string[] {
  const result = run([...args, '--raw', '--noheadings'], overrides);
  expect(result.stderr).toBe('');
  return result.stdout.split('\n').filter(Boolean);
}

describe('options', () => {
  it('parses the filters, --key accumulating', () => {
    expect(options('-m', '--owner', 'root', '--key', '0x10', '--key=7', '--older-than', '1h').filter).toEqual(
      {
        owner: 0,
        keys: [16, 7],
        olderThan: 3600,
      },
    );
    expect(options('-m', '--min-size', '1M', '--unattached', '--orphaned').filter).toEqual({
      minSize: 1048576n,
      unattached: true,
      orphaned: true,
    });
  });

  it("--creator alone is util-linux -c; --creator=USER is the filter, outside -c's exclusions", () => {
    expect(options('-m', '--creator').columns).toContain('CUID');
    expect(options('-m', '--creator').filter).toEqual({});
    const filtered = options('-m', '--creator=4242', '-o', 'KEY,ID');
    expect(filtered.filter).toEqual({ creator: 4242 });
    expect(filtered.columns).toEqual(['KEY', 'ID']);
    expect(error('-m', '--creator', '-o', 'KEY').message).toBe(
      'options --creator and --output cannot be combined',
    );
  });

  it('filters without a resource option list every kind in one table instead of the global view', () => {
    const mixed = options('--orphaned');
    expect(mixed.global).toBe(false);
    expect(mixed.mixed).toBe(true);
    expect([...mixed.resources]).toEqual(['msg', 'pmsg', 'shm', 'pshm', 'sem', 'psem']);
    expect(mixed.columns).toEqual([
      'TYPE',
      'KEY',
      'ID',
      'NAME',
      'PERMS',
      'OWNER',
      'SIZE',
      'USEDBYTES',
      'CTIME',
      'MTIME',
      'HOLDERS',
    ]);
    expect(options('--orphaned', '-o', 'TYPE,NSEMS,SVAL,LSPID').columns).toEqual([
      'TYPE',
      'NSEMS',
      'SVAL',
      'LSPID',
    ]);
    expect(options('--orphaned', '-c').columns).toEqual([...mixed.columns, 'CUID', 'CGID']);
    expect(options('-m', '--orphaned').columns).toEqual(options('-m').columns);
  });

  it('--holders adds HOLDERS in every mode, the pretty view included; TYPE and HOLDERS fit every resource', () => {
    expect(options('-q', '--holders').columns.at(-1)).toBe('HOLDERS');
    const pretty = options('-m', '-i', '0', '--holders');
    expect(pretty.mode).toBe('pretty');
    expect(pretty.columns).toHaveLength(38);
    expect(pretty.columns.at(-1)).toBe('HOLDERS');
    expect(options('-S', '-o', 'NAME,type,holders').columns).toEqual(['NAME', 'TYPE', 'HOLDERS']);
    expect(
      options('-m', '-o', '+HOLDERS', '--holders').columns.filter((id) => id === 'HOLDERS'),
    ).toHaveLength(1);
    expect(error('-g', '-o', 'HOLDERS').message).toBe('column HOLDERS does not apply to the specified IPC');
  });

  it('--typed-json is an output mode of its own', () => {
    expect(options('-m', '--typed-json').mode).toBe('typed-json');
    expect(options('-m', '-i', '0', '--typed-json').mode).toBe('typed-json');
    expect(error('-m', '--json', '--typed-json').message).toBe(
      'options --json and --typed-json cannot be combined',
    );
    expect(error('-m', '--typed-json', '-r').message).toBe(
      'options --typed-json and --raw cannot be combined',
    );
  });

  it.each([
    [['--older-than', '7'], "failed to parse duration: '7' (use 90s, 30m, 12h or 7d)"],
    [['--owner', 'no-such-user-here'], "unknown user: 'no-such-user-here'"],
    [['--creator=4294967295'], "failed to parse user: '4294967295'"],
    [['--key', 'zz'], "failed to parse key: 'zz'"],
    [['--min-size', '-1'], "failed to parse size: '-1'"],
    [['-g', '--orphaned'], '--global cannot be combined with filters'],
    [['--orphaned', '-i', '1'], '--id and --name need a resource option (-m, -q, -s, -M, -Q or -S)'],
  ])('%j: %s', (args, message) => {
    expect(error(...args)).toEqual({ kind: 'error', message, tryHelp: false });
  });

  it('prints the error as lsipc does, exit 1', () => {
    expect(run(['-m', '--older-than', '1y'])).toEqual({
      stdout: '',
      stderr: "lsipc: failed to parse duration: '1y' (use 90s, 30m, 12h or 7d)\n",
      status: 1,
    });
  });
});

describe('filters over the samples state (all creators gone)', () => {
  it('--orphaned: segments with nattch 0, a set whose semaphore pid is gone; never a queue holding messages', () => {
    expect(firstColumn(['-m', '--orphaned', '-o', 'ID'])).toEqual(['1', '2', '4']);
    // Queue 0's sender is gone, but its 50 bytes are data (issue 12).
    expect(firstColumn(['-q', '--orphaned', '-o', 'ID'])).toEqual([]);
    expect(firstColumn(['-s', '--orphaned', '-o', 'ID'])).toEqual(['0']);
  });

  it('queues and sets never used are orphaned only with --older-than', () => {
    expect(firstColumn(['-q', '--orphaned', '--older-than', '30s', '-o', 'ID'])).toEqual(['1', '2']);
    expect(firstColumn(['-s', '--orphaned', '--older-than', '61s', '-o', 'ID'])).toEqual([]);
  });

  it('POSIX objects nobody holds are orphaned; one held is not', () => {
    const held = (request: {
      sysv: boolean;
      files: { dev: bigint; ino: bigint; mtimeNs: bigint }[];
    }): HolderScan => {
      const scan = sampleSources().scanHolders(request);
      const pshmA = sampleSources().posixFile('/dev/shm/pshm_a')!.file;
      scan.files.set(fileKey(pshmA), [{ pid: 77, command: 'writer' }]);
      return scan;
    };
    expect(firstColumn(['-M', '--orphaned', '-o', 'NAME'], { scanHolders: held })).toEqual(['pshm_b']);
    expect(firstColumn(['-M', '--unattached', '-o', 'NAME'], { scanHolders: held })).toEqual(['pshm_b']);
  });

  it('an incomplete scan (a process we may not inspect) selects no POSIX object and shows the doubt', () => {
    const partial = (request: { sysv: boolean; files: { dev: bigint; ino: bigint; mtimeNs: bigint }[] }) => ({
      ...sampleSources().scanHolders(request),
      uninspectable: [1],
    });
    expect(run(['-M', '--orphaned', '-o', 'NAME'], { scanHolders: partial })).toEqual({
      stdout: '',
      stderr: 'lsipc: could not judge 2 objects (not listed): processes we may not inspect could use it\n',
      status: 0,
    });
    expect(firstColumn(['-M', '-o', 'NAME,HOLDERS'], { scanHolders: partial })).toEqual([
      'pshm_b ?',
      'pshm_a ?',
    ]);
  });

  it('every kind in one table: --owner, --key, --min-size', () => {
    expect(firstColumn(['--owner', '4242', '-o', 'TYPE,ID,NAME'])).toEqual(['shm 2 ', 'sem 1 ']);
    expect(firstColumn(['--key', '0', '-o', 'TYPE,ID'])).toEqual(['msg 2', 'shm 3', 'sem 2']);
    expect(firstColumn(['--min-size', '4K', '-o', 'TYPE,ID,NAME'])).toEqual([
      'shm 0 ',
      'shm 1 ',
      'shm 4 ',
      'pshm  pshm_b',
      'pshm  pshm_a',
    ]);
  });

  it('the mixed table, in util-linux order (queues, segments, semaphores), as printed', () => {
    expect(run(['--orphaned'])).toEqual({
      stdout: [
        'TYPE KEY        ID NAME       PERMS                     OWNER SIZE USEDBYTES CTIME MTIME HOLDERS',
        'pmsg               /pmq_b rw-------                      root             0B       05:21 ',
        'shm  0xa9529bea 1         rw-------                      root   1M           05:21       ',
        'shm  0x2d955c2e 2         rw-r--r-- averyveryverylongusername 100B           05:21       ',
        'shm  0xdf89c605 4         rw-r-----                     12345 4.9K           05:21       ',
        'pshm               pshm_b rw-------                      root   1M                 05:21 ',
        'pshm               pshm_a rw-r--r--                      root   8K                 05:21 ',
        'sem  0x2af18a43 0         rw-r--r--                      root                05:21       ',
        'psem               psem_b rw-------                      root                      05:21 ',
        'psem               psem_a rw-r--r--                      root                      05:21 ',
        '',
      ].join('\n'),
      stderr: '',
      status: 0,
    });
  });
});

describe('/dev/mqueue a plain directory (no mqueue filesystem)', () => {
  const unmounted = { posixMqueues: () => [], mqueueMounted: () => false };
  const warning =
    "lsipc: /dev/mqueue does not seem to be mounted. Use 'mount -t mqueue none /dev/mqueue' to mount it.\n";

  it('a filtered listing says its queues were not looked at, as ipcrm --orphaned does', () => {
    expect(run(['-Q', '--orphaned'], unmounted)).toMatchObject({ stdout: '', stderr: warning, status: 0 });
    const mixed = run(['--orphaned', '-o', 'TYPE,NAME', '--noheadings'], unmounted);
    expect(mixed.stderr).toBe(warning);
    expect(mixed.stdout).toContain('pshm');
  });

  it("an unfiltered listing lists nothing there without a word, as util-linux 2.43's does", () => {
    expect(run(['-Q'], unmounted)).toMatchObject({ stderr: '', status: 0 });
  });
});

describe('HOLDERS', () => {
  const scanWithHolders = (request: {
    sysv: boolean;
    files: { dev: bigint; ino: bigint; mtimeNs: bigint }[];
  }) => {
    const scan = sampleSources().scanHolders(request);
    scan.shm.set(0, [
      { pid: 21374, command: 'attacher' },
      { pid: 21400, command: 'psql' },
    ]);
    scan.files.set(fileKey(sampleSources().posixFile('/dev/mqueue/pmq_a')!.file), [
      { pid: 5, command: 'mq reader' },
    ]);
    return scan;
  };

  it('lists pid(command) per holder; nattch 0 is nobody; queues and sets have no data', () => {
    expect(firstColumn(['-m', '-o', 'ID,HOLDERS'], { scanHolders: scanWithHolders })).toEqual([
      '0 21374(attacher),21400(psql)',
      '1 ',
      '2 ',
      '3 ',
      '4 ',
    ]);
    expect(firstColumn(['-Q', '-o', 'NAME,HOLDERS'], { scanHolders: scanWithHolders })).toEqual([
      '/pmq_b ',
      '/pmq_a 5(mq\\x20reader)',
    ]);
    expect(firstColumn(['-q', '-o', 'ID,HOLDERS'], { scanHolders: scanWithHolders })).toEqual([
      '0 ',
      '1 ',
      '2 ',
    ]);
  });

  it('the pretty view lists them with --holders', () => {
    const { stdout } = run(['-m', '-i', '0', '--holders'], { scanHolders: scanWithHolders });
    expect(stdout.split('\n').at(-2)).toBe(`Holders:${' '.repeat(28)}21374(attacher),21400(psql)         `);
  });

  it('scans /proc only when HOLDERS is shown or a filter needs it', () => {
    let scans = 0;
    const counting = (request: { sysv: boolean; files: { dev: bigint; ino: bigint; mtimeNs: bigint }[] }) => {
      scans++;
      return sampleSources().scanHolders(request);
    };
    run(['-M'], { scanHolders: counting });
    run(['-m', '--orphaned'], { scanHolders: counting });
    expect(scans).toBe(0);
    run(['--orphaned', '--holders'], { scanHolders: counting });
    expect(scans).toBe(1);
  });
});

describe('--typed-json', () => {
  it('numbers as numbers, ISO 8601 times, STATUS and HOLDERS as arrays (the holders seen, and whether that is all)', () => {
    const { stdout, status } = run(
      [
        '-m',
        '--typed-json',
        '-o',
        'KEY,ID,PERMS,OWNER,CUSER,SIZE,NATTCH,STATUS,CTIME,ATTACH,CPID,COMMAND,HOLDERS',
      ],
      { scanHolders: (request) => ({ ...sampleSources().scanHolders(request), uninspectable: [1] }) },
    );
    expect(status).toBe(0);
    const parsed = JSON.parse(stdout) as { sharedmemory: Record<string, unknown>[] };
    expect(parsed.sharedmemory).toHaveLength(5);
    expect(parsed.sharedmemory[0]).toEqual({
      key: 1834861229,
      id: 0,
      perms: 0o644,
      owner: 'root',
      cuser: 'root',
      size: 4096,
      nattch: 1,
      status: [],
      ctime: '2026-11-21T05:21:03Z',
      attach: '2026-11-21T05:21:03Z',
      cpid: 21356,
      command: null,
      holders: [],
      holders_complete: false,
    });
    expect(parsed.sharedmemory[1]).toMatchObject({
      key: 0xa9529bea,
      status: ['locked'],
      attach: null,
      holders: [],
    });
    expect(parsed.sharedmemory[3]).toMatchObject({ key: 0, status: ['dest'] });
  });

  it('POSIX, queues and sets: no key, names with their "/", counts as numbers, HOLDERS null where /proc shows none', () => {
    const queues = JSON.parse(
      run(['-q', '--typed-json', '-o', 'KEY,USEDBYTES,MSGS,LSPID,SEND,HOLDERS']).stdout,
    );
    expect(queues.messages[0]).toEqual({
      key: 1190071250,
      usedbytes: 50,
      msgs: 2,
      lspid: 21467,
      send: '2026-11-21T05:21:03Z',
      holders: null,
    });
    const sems = JSON.parse(run(['-S', '--typed-json', '--holders']).stdout);
    expect(sems['posix-semaphores']).toEqual([
      {
        name: '/psem_b',
        perms: 0o600,
        owner: 'root',
        mtime: '2026-11-21T05:21:04Z',
        sval: 0,
        holders: [],
        holders_complete: true,
      },
      {
        name: '/psem_a',
        perms: 0o644,
        owner: 'root',
        mtime: '2026-11-21T05:21:04Z',
        sval: 3,
        holders: [],
        holders_complete: true,
      },
    ]);
    const keyless = JSON.parse(run(['-S', '--typed-json', '-o', 'NAME,KEY']).stdout);
    expect(keyless['posix-semaphores'][0]).toEqual({ name: '/psem_b', key: null });
  });

  it('-s -i ID adds the set\'s semaphores as "elements", numbers as numbers', () => {
    const { stdout, status } = run(['-s', '-i', '0', '--typed-json', '-o', 'ID,NSEMS']);
    expect(status).toBe(0);
    expect(JSON.parse(stdout)).toEqual({
      semaphores: [
        {
          id: 0,
          nsems: 3,
          elements: [
            { semnum: 0, value: 5, ncount: 0, zcount: 1, pid: 21477, command: null },
            { semnum: 1, value: 0, ncount: 1, zcount: 0, pid: 0, command: null },
            { semnum: 2, value: 0, ncount: 0, zcount: 0, pid: 0, command: null },
          ],
        },
      ],
    });
    // Without -i there is no per-set element table, in this mode as in the others.
    expect(JSON.parse(run(['-s', '--typed-json', '-o', 'ID']).stdout).semaphores[0]).toEqual({ id: 0 });
  });

  it('the global view: limits past 2^53 written digit for digit', () => {
    const { stdout } = run(['-g', '--typed-json']);
    expect(stdout).toContain('"limit": 18446744073692774399,');
    const parsed = JSON.parse(stdout) as { ipclimits: Record<string, unknown>[] };
    expect(parsed.ipclimits[0]).toEqual({
      resource: 'MSGMNI',
      description: 'Number of System V message queues',
      limit: 32000,
      used: 3,
      'use%': 0.01,
    });
    expect(parsed.ipclimits.find((row) => row.resource === 'SHMMAX')).toEqual({
      resource: 'SHMMAX',
      description: 'Max size of shared memory segment (bytes)',
      limit: 18446744073692774000,
      used: null,
      'use%': null,
    });
  });

  it('an empty listing is an empty array', () => {
    expect(run(['-m', '--typed-json', '--key', '1']).stdout).toBe('{\n  "sharedmemory": []\n}\n');
  });
});
