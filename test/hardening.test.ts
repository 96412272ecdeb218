// Hostile input and hostile neighbours (issue 11): numbers that would wrap into another key or id,
// TZ naming something that is not a zone file, the syscall fallback as an unprivileged user, and
// objects another user plants where lsfifo and rmfifo walk. Real objects in a private namespace;
// wherever util-linux behaves the same, its installed tools are the reference.
import { chmodSync, mkdtempSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { IpcNamespace, NOBODY, type RunResult } from './helpers/namespace.js';

const ROOT = join(import.meta.dirname, '..');
const OURS = { PATH: `${join(ROOT, 'bin')}:/usr/bin:/bin` };
const REFERENCE = { PATH: '/usr/bin:/bin' };

let ns: IpcNamespace;
let work: string;

beforeAll(async () => {
  ns = await IpcNamespace.create();
  work = mkdtempSync(join(tmpdir(), 'hardening-'));
  chmodSync(work, 0o755);
  // Keys 0 (three private objects), 1 and 0x1000, some readable by root only.
  for (const args of [
    ['--key', '0', '-M', '1K', '-Q', '-S', '1'],
    ['--key', '1', '-M', '1K', '-Q', '-S', '1', '-p', '600'],
    ['--key', '0x1000', '-M', '1K', '-Q', '-S', '2', '-p', '644'],
  ]) {
    const made = await ns.run('ipcmk', args, { env: OURS });
    expect(made.status, made.stderr).toBe(0);
  }
}, 60_000);

afterAll(async () => {
  await ns?.close();
  rmSync(work, { recursive: true, force: true });
});

/** Every System V object of the namespace, and the POSIX ones. */
async function snapshot(): Promise<string> {
  const result = await ns.sh(
    'cat /proc/sysvipc/shm /proc/sysvipc/msg /proc/sysvipc/sem; ls -A /dev/shm /dev/mqueue',
  );
  return result.stdout;
}

function run(tool: string, args: readonly string[], env: Record<string, string> = OURS): Promise<RunResult> {
  return ns.run(tool, args, { env, timeoutMs: 20_000 });
}

describe('numbers that would wrap are refused and act on nothing', () => {
  const range = (tool: string, prefix: string, text: string) =>
    `${tool}: ${prefix}: '${text}': Numerical result out of range\n`;
  const cases: [string, string[], string][] = [
    // util-linux truncates each of these into key_t: IPC_PRIVATE, key 1, key 0x1000.
    ...['0x100000000', '0x100000001', '0x100001000', '-4294967295'].flatMap(
      (key): [string, string[], string][] => [
        ['ipcrm', ['--key', key], `ipcrm: failed to parse key: '${key}'\n`],
        ['ipcrm', ['--dry-run', '-v', '--key', key], `ipcrm: failed to parse key: '${key}'\n`],
        ['lsipc', ['--key', key], `lsipc: failed to parse key: '${key}'\n`],
        ['lsipc', ['-m', '--key', key], `lsipc: failed to parse key: '${key}'\n`],
        ['ipcrm', ['-M', key], range('ipcrm', 'failed to parse argument', key)],
        ['ipcrm', ['-Q', key], range('ipcrm', 'failed to parse argument', key)],
        ['ipcrm', ['--semaphore-key', key], range('ipcrm', 'failed to parse argument', key)],
        ['ipcmk', ['--key', key, '-M', '1K'], range('ipcmk', 'failed to parse key', key)],
        ['ipcmk', ['-Q', '--key', key], range('ipcmk', 'failed to parse key', key)],
        ['ipcmk', ['--key', key, '-S', '1'], range('ipcmk', 'failed to parse key', key)],
      ],
    ),
    // Key 0 would select every private object: refused as `ipcrm -M 0` is.
    ['ipcrm', ['--key', '0'], 'ipcrm: illegal key (0)\n'],
    ['ipcrm', ['--key', '0x0', '--orphaned'], 'ipcrm: illegal key (0x0)\n'],
    // The legacy syntax: util-linux keeps the low 32 bits, so 4294967296 is id 0.
    ['ipcrm', ['shm', '4294967296'], 'ipcrm: invalid id: 4294967296\n'],
    ['ipcrm', ['sem', '0', '4294967296'], 'ipcrm: invalid id: 4294967296\n'],
    ['ipcrm', ['msg', '-4294967296'], 'ipcrm: invalid id: -4294967296\n'],
  ];
  it.each(cases.map(([tool, args, stderr]) => ({ tool, args, stderr, name: `${tool} ${args.join(' ')}` })))(
    '$name',
    async ({ tool, args, stderr }) => {
      const before = await snapshot();
      const result = await run(tool, args);
      expect(result).toEqual({ stdout: '', stderr, status: 1 });
      expect(await snapshot()).toBe(before);
    },
  );

  it('the widest keys key_t holds still select: -1 is 0xffffffff, 0xffffffff is -1', async () => {
    const listed = await run('lsipc', ['--key', '0x1000', '--key', '-1', '-o', 'TYPE,KEY', '--noheadings']);
    const rows = listed.stdout.split('\n').filter(Boolean);
    expect(rows.map((row) => row.replace(/ +/g, ' ')).sort()).toEqual([
      'msg 0x00001000',
      'sem 0x00001000',
      'shm 0x00001000',
    ]);
    const planned = await run('ipcrm', ['--dry-run', '--key', '4294967295', '--key', '0x1000', '--all=shm']);
    expect(planned.status).toBe(0);
    expect(planned.stdout).toMatch(/^would remove shared memory segment id `\d+'\n$/);
  });
});

describe('TZ naming something that is not a zone file', () => {
  let fifo: string;
  let big: string;
  beforeAll(async () => {
    fifo = join(work, 'tz-fifo');
    big = join(work, 'tz-big');
    expect((await ns.run('mkfifo', [fifo])).status).toBe(0);
    // Larger than any zone file; glibc reads its 44-byte header, finds no TZif and uses UTC.
    writeFileSync(big, '');
    truncateSync(big, 64 * 1024 * 1024);
  });

  const views: [string, string[]][] = [
    ['ipcs', ['-t']],
    ['ipcs', ['-s', '-i', '0']],
    ['lsipc', ['-m', '--time-format=iso', '-o', 'KEY,ID,CTIME,ATTACH']],
    ['lsipc', ['-q', '-t', '--time-format=full']],
  ];
  const zones = () => ['/dev/zero', ':/dev/urandom', '/proc', big, '/dev/null'];

  it.each(views.map(([tool, args]) => ({ tool, args, name: `${tool} ${args.join(' ')}` })))(
    'TZ=/dev/zero, /dev/urandom, a directory, a 64 MiB file: $name as util-linux prints it (UTC)',
    async ({ tool, args }) => {
      for (const tz of zones()) {
        const [mine, theirs] = await Promise.all([
          run(tool, args, { ...OURS, TZ: tz }),
          run(tool, args, { ...REFERENCE, TZ: tz }),
        ]);
        expect({ tz, ...mine }).toEqual({ tz, ...theirs });
      }
    },
  );

  it.each(views.map(([tool, args]) => ({ tool, args, name: `${tool} ${args.join(' ')}` })))(
    'TZ=a FIFO (glibc would block opening it): $name prints UTC times',
    async ({ tool, args }) => {
      const [mine, utc] = await Promise.all([run(tool, args, { ...OURS, TZ: fifo }), run(tool, args, OURS)]);
      expect(mine).toEqual(utc);
      expect(mine.status).toBe(0);
    },
  );
});

/** A command as `user` in a mount namespace of its own where /proc/sysvipc is an empty directory. */
function withoutProc(tool: string, args: readonly string[], env: Record<string, string>): Promise<RunResult> {
  const drop = `setpriv --reuid=${NOBODY.uid} --regid=${NOBODY.gid} --clear-groups`;
  const script = `mount -t tmpfs none /proc/sysvipc && exec ${drop} ${tool} "$@"`;
  return ns.run('unshare', ['--mount', '--propagation', 'private', '--', 'sh', '-c', script, tool, ...args], {
    env,
    timeoutMs: 20_000,
  });
}

describe('the syscall fallback as an unprivileged user lists what util-linux lists', () => {
  let privateIds: { shm: string; msg: string; sem: string };
  beforeAll(async () => {
    const id = async (flag: string) =>
      (await run('lsipc', [flag, '--key', '1', '-o', 'ID', '--noheadings'])).stdout.trim();
    privateIds = { shm: await id('-m'), msg: await id('-q'), sem: await id('-s') };
  });

  const cases = (): string[][] => [
    ['-m', '-o', 'KEY,ID,PERMS,OWNER,SIZE'],
    ['-q', '-o', 'KEY,ID,PERMS,OWNER,USEDBYTES'],
    ['-s', '-o', 'KEY,ID,PERMS,OWNER,NSEMS'],
    // Objects nobody may not read (mode 600, root's): not found, exit 0.
    ['-m', '-i', privateIds.shm, '-o', 'KEY,ID'],
    ['-q', '-i', privateIds.msg, '-o', 'KEY,ID'],
    ['-s', '-i', privateIds.sem, '-o', 'KEY,ID'],
  ];

  it('lsipc -m, -q, -s and -i against util-linux, as nobody without /proc/sysvipc', async () => {
    for (const args of cases()) {
      const [mine, theirs] = await Promise.all([
        withoutProc('lsipc', args, OURS),
        withoutProc('lsipc', args, REFERENCE),
      ]);
      expect({ args, ...mine }).toEqual({ args, ...theirs });
    }
    // The readable objects are there, root's mode-600 ones are not.
    const listed = await withoutProc('lsipc', ['-m', '-o', 'KEY,PERMS', '--noheadings'], OURS);
    expect(listed.stdout).toContain('0x00001000 rw-r--r--');
    expect(listed.stdout).not.toContain('0x00000001');
  });

  it('ipcs in every view and with -i against util-linux, as nobody without /proc/sysvipc', async () => {
    const cases = [
      [],
      ['-m'],
      ['-q'],
      ['-s'],
      ['-t'],
      ['-p'],
      ['-l'],
      ['-u'],
      ['-a', '--human'],
      ['-m', '-i', privateIds.shm],
      ['-q', '-i', privateIds.msg],
    ];
    for (const args of cases) {
      const [mine, theirs] = await Promise.all([
        withoutProc('ipcs', args, OURS),
        withoutProc('ipcs', args, REFERENCE),
      ]);
      expect({ args, ...mine }).toEqual({ args, ...theirs });
    }
  });

  it('ipcs -s -i of a set nobody may not read: "id N not found", exit 0, as util-linux', async () => {
    const args = ['-s', '-i', privateIds.sem];
    const [mine, theirs] = await Promise.all([
      withoutProc('ipcs', args, OURS),
      withoutProc('ipcs', args, REFERENCE),
    ]);
    expect(mine).toEqual({ stdout: '', stderr: `ipcs: id ${privateIds.sem} not found\n`, status: 0 });
    expect(mine).toEqual(theirs);
  });
});

describe('small ones', () => {
  it('ipcrm -v --posix-mqueue NAME without the slash announces it first, as util-linux 2.43', async () => {
    expect(await run('ipcrm', ['-v', '--posix-mqueue', 'a'])).toEqual({
      stdout: "removing POSIX message queue `a'\n",
      stderr: 'ipcrm: name failed: Invalid argument\n',
      status: 1,
    });
    // -v after it has not been seen yet when util-linux reaches the queue.
    expect(await run('ipcrm', ['--posix-mqueue', 'a', '-v'])).toEqual({
      stdout: '',
      stderr: 'ipcrm: name failed: Invalid argument\n',
      status: 1,
    });
  });

  it('lsfifo on a path that does not exist prints the error alone, no header', async () => {
    const missing = join(work, 'nosuch');
    for (const args of [[missing], ['--json', missing], ['-o', 'PATH', missing]]) {
      expect(await run('lsfifo', args)).toEqual({
        stdout: '',
        stderr: `lsfifo: cannot access '${missing}': No such file or directory\n`,
        status: 1,
      });
    }
  });
});

describe('FIFOs, links and files another user planted where lsfifo and rmfifo walk', () => {
  let dir: string;
  beforeAll(async () => {
    dir = join(work, 'planted');
    const script = [
      `mkdir -m 777 ${dir} && mkfifo ${dir}/rootfifo && mknod ${dir}/device c 1 3 && cd ${dir} &&`,
      `setpriv --reuid=${NOBODY.uid} --regid=${NOBODY.gid} --clear-groups sh -c '`,
      'mkfifo fifo && ln -s fifo link-to-fifo && ln -s /dev/zero link-to-zero && ln -s / link-to-root',
      '&& ln -s loop2 loop1 && ln -s loop1 loop2',
      '&& python3 -c "import socket; socket.socket(socket.AF_UNIX).bind(\\"socket\\")"',
      "&& mkdir closed sub && mkfifo closed/inner sub/deeper && chmod 000 closed'",
    ].join(' ');
    const made = await ns.sh(script);
    expect(made.status, made.stderr).toBe(0);
  });

  const lsfifo = (args: string[], user = false) =>
    ns.run('lsfifo', ['-o', 'PATH', '--noheadings', ...args], {
      env: OURS,
      timeoutMs: 20_000,
      ...(user ? { user: NOBODY } : {}),
    });

  it('lsfifo lists the FIFOs only, follows no link, and reports what nobody cannot read', async () => {
    const names = ['closed/inner', 'fifo', 'rootfifo', 'sub/deeper'];
    expect(await lsfifo([dir])).toEqual({
      stdout: names.map((n) => `${dir}/${n}\n`).join(''),
      stderr: '',
      status: 0,
    });
    const asNobody = await lsfifo([dir], true);
    expect(asNobody).toEqual({
      stdout: ['fifo', 'rootfifo', 'sub/deeper'].map((n) => `${dir}/${n}\n`).join(''),
      stderr: `lsfifo: cannot open directory '${dir}/closed': Permission denied\n`,
      status: 1,
    });
    // Named on the command line a link is followed (find -H): to a FIFO it lists that FIFO; a loop
    // is reported; a link to a device lists nothing and opens nothing.
    const named = await lsfifo([`${dir}/link-to-fifo`, `${dir}/link-to-zero`, `${dir}/loop1`]);
    expect(named).toEqual({
      stdout: `${dir}/link-to-fifo\n`,
      stderr: `lsfifo: cannot access '${dir}/loop1': Too many levels of symbolic links\n`,
      status: 1,
    });
  });

  it('rmfifo refuses every planted non-FIFO by name, and -r removes only the FIFOs', async () => {
    const others = ['link-to-fifo', 'link-to-zero', 'link-to-root', 'loop1', 'socket', 'device'];
    const refused = await ns.run(
      'rmfifo',
      others.map((name) => `${dir}/${name}`),
      { env: OURS },
    );
    expect(refused.status).toBe(1);
    expect(refused.stderr.split('\n').filter(Boolean)).toEqual([
      `rmfifo: not removing '${dir}/link-to-fifo': not a FIFO (symbolic link)`,
      `rmfifo: not removing '${dir}/link-to-zero': not a FIFO (symbolic link)`,
      `rmfifo: not removing '${dir}/link-to-root': not a FIFO (symbolic link)`,
      `rmfifo: not removing '${dir}/loop1': not a FIFO (symbolic link)`,
      `rmfifo: not removing '${dir}/socket': not a FIFO (socket)`,
      `rmfifo: not removing '${dir}/device': not a FIFO (character special file)`,
    ]);
    const removed = await ns.run('rmfifo', ['-rv', dir], { env: OURS });
    expect(removed.status, removed.stderr).toBe(0);
    expect(removed.stdout.split('\n').filter(Boolean).sort()).toEqual(
      ['closed/inner', 'fifo', 'rootfifo', 'sub/deeper'].map((n) => `removed '${dir}/${n}'`),
    );
    const left = await ns.sh(
      `cd ${dir} && find . -mindepth 1 -printf '%p %y\\n' | sort && test -c /dev/zero`,
    );
    expect(left).toEqual({
      stdout: [
        './closed d',
        './device c',
        './link-to-fifo l',
        './link-to-root l',
        './link-to-zero l',
        './loop1 l',
        './loop2 l',
        './socket s',
        './sub d',
        '',
      ].join('\n'),
      stderr: '',
      status: 0,
    });
  });
});
