// End to end: the built ipcctl on real objects, in a private IPC, mount and pid namespace. Every
// subcommand is exercised by two processes where it waits or hands data over (a sender and a
// receiver, a waiter and a poster), bytes are checked by hash, and failures touch nothing.
import { createHash } from 'node:crypto';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ipcctlWorkspace } from './helpers/ipcctl.js';
import { collect, type IpcNamespace, NOBODY, type RunOptions } from './helpers/namespace.js';
import { buildScript } from './helpers/script.js';

const root = join(import.meta.dirname, '..');
const ENV = { PATH: `${join(root, 'bin')}:/usr/bin:/bin:/usr/sbin:/sbin`, TZ: 'UTC', LC_ALL: 'C' };

let ns: IpcNamespace;
let work: string;

beforeAll(async () => {
  ({ ns, work } = await ipcctlWorkspace('ipcctl-'));
  // Every byte value, NULs in runs, and a trailing newline-free end.
  const bytes = Buffer.concat([
    Buffer.from(Array.from({ length: 256 }, (_, n) => n)),
    Buffer.alloc(7),
    Buffer.from('\0end'),
  ]);
  writeFileSync(join(work, 'all-bytes'), bytes);
});

afterEach(async () => {
  await ns.sh('ipcrm -a; rm -f /dev/shm/* /dev/mqueue/*; kill -KILL -1 2>/dev/null; true');
});

afterAll(async () => {
  await ns.close();
  rmSync(work, { recursive: true, force: true });
});

function sh(script: string, options: RunOptions = {}) {
  return ns.sh(script, { env: ENV, cwd: work, ...options });
}

async function create(what: string): Promise<string> {
  const result = await sh(`ipcmk ${what}`);
  expect(result.status).toBe(0);
  // System V: the id ipcmk prints last; POSIX: the name.
  return /(\d+)\s*$/.exec(result.stdout)?.[1] ?? result.stdout.trim();
}

const sha256 = (data: Buffer) => createHash('sha256').update(data).digest('hex');
const ALL_BYTES_HASH = () => sha256(readFileSync(join(work, 'all-bytes')));

/** Starts a command in the namespace; resolves with its result. */
function start(script: string, options: RunOptions = {}) {
  const child = ns.spawn('sh', ['-c', script], { env: ENV, cwd: work, ...options });
  return { child, done: collect(child) };
}

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * `stop SIG PID`: sends the signal, waits for the process to end (10 s at most) and gives its exit
 * status. One that is still running then has the state of each of its threads written to standard
 * error and is killed: a test fails with what the process was doing instead of timing out.
 */
const STOP = `stop() {
  kill -$1 $2; i=0
  while [ $i -lt 100 ] && ! grep -qs '^State:.Z' /proc/$2/status && kill -0 $2 2>/dev/null; do sleep 0.1; i=$((i+1)); done
  if [ $i -ge 100 ]; then
    echo "pid $2 still runs 10 s after SIG$1:" >&2
    grep -E '^(SigQ|SigPnd|ShdPnd|SigBlk|SigCgt)' /proc/$2/status >&2
    for t in /proc/$2/task/*; do echo "$t $(cat $t/comm) $(cat $t/wchan) $(cut -d' ' -f1 $t/syscall)" >&2; done
    kill -KILL $2
  fi
  wait $2
};`;

describe('msg', () => {
  it('a receiver waits for the sender; the message arrives with its type', async () => {
    const q = await create('-Q');
    const receiver = start(`ipcctl msg recv ${q} --json`);
    await pause(400);
    expect(receiver.child.exitCode).toBeNull();
    expect(await sh(`ipcctl msg send ${q} --type 7 hello`)).toEqual({ status: 0, stdout: '', stderr: '' });
    const result = await receiver.done;
    expect(result.status).toBe(0);
    expect(JSON.parse(result.stdout)).toEqual({ id: Number(q), mtype: 7, size: 5, data: 'aGVsbG8=' });
  });

  it('a sender waits on a full queue until a receiver makes room', async () => {
    const q = await create('-Q');
    expect((await sh(`ipcctl msg set ${q} --qbytes 4 && ipcctl msg send ${q} abcd`)).status).toBe(0);
    const sender = start(`ipcctl msg send ${q} efgh`);
    await pause(400);
    expect(sender.child.exitCode).toBeNull();
    expect((await sh(`ipcctl msg recv ${q}`)).stdout).toBe('abcd');
    expect((await sender.done).status).toBe(0);
    expect((await sh(`ipcctl msg recv ${q} --nowait`)).stdout).toBe('efgh');
  });

  it('carries every byte value and NULs unchanged (stdin to stdout)', async () => {
    const q = await create('-Q');
    const result = await sh(`ipcctl msg send ${q} < all-bytes && ipcctl msg recv ${q} | sha256sum`);
    expect(result).toMatchObject({ status: 0, stderr: '' });
    expect(result.stdout.split(' ')[0]).toBe(ALL_BYTES_HASH());
  });

  it('selects by type, lowest type and --except', async () => {
    const q = await create('-Q');
    await sh(
      `ipcctl msg send ${q} --type 3 three; ipcctl msg send ${q} --type 1 one; ipcctl msg send ${q} --type 2 two`,
    );
    expect((await sh(`ipcctl msg recv ${q} --type 2`)).stdout).toBe('two');
    expect((await sh(`ipcctl msg recv ${q} --except 3`)).stdout).toBe('one');
    expect((await sh(`ipcctl msg recv ${q} --type -5`)).stdout).toBe('three');
  });

  it('peek shows a message as hexdump -C does and leaves the queue unchanged', async () => {
    const q = await create('-Q');
    await sh(`ipcctl msg send ${q} --type 4 'first message!!!!'; ipcctl msg send ${q} second`);
    const peek = await sh(`ipcctl msg peek ${q}`);
    const hexdump = await sh("printf 'first message!!!!' | hexdump -C");
    expect(peek).toEqual({ status: 0, stdout: `type 4, 17 bytes\n${hexdump.stdout}`, stderr: '' });
    const second = await sh(`ipcctl msg peek ${q} --index 1 --json`);
    expect(JSON.parse(second.stdout)).toEqual({
      id: Number(q),
      index: 1,
      mtype: 1,
      size: 6,
      data: 'c2Vjb25k',
    });
    expect(await sh(`ipcctl msg peek ${q} --index 2`)).toMatchObject({
      status: 2,
      stderr: `ipcctl: msg ${q}: No message of desired type\n`,
    });
    expect((await sh(`ipcctl msg recv ${q}`)).stdout).toBe('first message!!!!');
    expect((await sh(`ipcctl msg recv ${q}`)).stdout).toBe('second');
  });

  it('drain takes every message and says how many', async () => {
    const q = await create('-Q');
    await sh(`for i in 1 2 3; do ipcctl msg send ${q} m$i; done`);
    expect(await sh(`ipcctl msg drain ${q} --json`)).toMatchObject({
      status: 0,
      stdout: `{"id":${q},"messages":3,"bytes":6}\n`,
    });
    expect((await sh(`ipcctl msg drain ${q}`)).stdout).toBe('0\n');
  });

  it('set --qbytes changes msg_qbytes', async () => {
    const q = await create('-Q');
    expect((await sh(`ipcctl msg set ${q} --qbytes 1000`)).status).toBe(0);
    expect((await sh(`ipcs -q -i ${q}`)).stdout).toMatch(/qbytes=1000\b/);
  });

  it('names a queue by --key', async () => {
    const q = await create('-Q --key 0x1234');
    await sh('ipcctl msg send --key 0x1234 by-key');
    expect((await sh(`ipcctl msg recv ${q}`)).stdout).toBe('by-key');
    expect(await sh('ipcctl msg recv --key 0x4321')).toEqual({
      status: 1,
      stdout: '',
      stderr: 'ipcctl: msg key 0x00004321: No such file or directory\n',
    });
  });

  it('refuses --key 0 (IPC_PRIVATE names no object; msgget would create a queue) and creates nothing', async () => {
    for (const command of ['msg send --key 0 hi', 'sem get --key 0x0', 'shm read --key 0']) {
      expect(await sh(`ipcctl ${command}`)).toEqual({
        status: 1,
        stdout: '',
        stderr: `ipcctl: invalid key: '${command.split(' ')[3]}' (IPC_PRIVATE names no object)\nTry 'ipcctl --help' for more information.\n`,
      });
    }
    expect((await sh('ipcs -q -s -m | grep -c 0x00000000')).stdout).toBe('0\n');
  });

  it('refuses a message over msgmax, naming the limit, and sends nothing', async () => {
    const q = await create('-Q');
    await sh('echo 100 > /proc/sys/kernel/msgmax');
    try {
      const result = await sh(`head -c 101 /dev/zero | ipcctl msg send ${q}`);
      expect(result).toEqual({
        status: 1,
        stdout: '',
        stderr: `ipcctl: msg ${q}: message longer than msgmax (100 bytes)\n`,
      });
      expect((await sh(`ipcctl msg drain ${q}`)).stdout).toBe('0\n');
      expect((await sh(`head -c 100 /dev/zero | ipcctl msg send ${q} && ipcctl msg drain ${q}`)).stdout).toBe(
        '1\n',
      );
    } finally {
      await sh('echo 8192 > /proc/sys/kernel/msgmax');
    }
  });

  it('a receive times out with status 2, and --nowait fails at once with status 2', async () => {
    const q = await create('-Q');
    const began = Date.now();
    expect(await sh(`ipcctl msg recv ${q} --timeout 300ms`)).toEqual({
      status: 2,
      stdout: '',
      stderr: `ipcctl: msg ${q}: timed out\n`,
    });
    expect(Date.now() - began).toBeGreaterThanOrEqual(300);
    expect(await sh(`ipcctl msg recv ${q} --nowait`)).toEqual({
      status: 2,
      stdout: '',
      stderr: `ipcctl: msg ${q}: No message of desired type\n`,
    });
  });

  it('SIGINT ends a waiting receive with 128+2, and the next message stays queued', async () => {
    const q = await create('-Q');
    const result = await sh(
      `${STOP} ipcctl msg recv ${q} & p=$!; sleep 0.4; stop INT $p; echo "status $?"; ipcctl msg send ${q} later; ipcctl msg drain ${q}`,
    );
    expect(result).toEqual({ status: 0, stdout: 'status 130\n1\n', stderr: '' });
  });

  it('as nobody, a queue without permission fails with the kernel reason', async () => {
    const q = await create('-Q -p 600');
    await sh(`ipcctl msg send ${q} secret`);
    const result = await sh(`ipcctl msg recv ${q} --nowait`, { user: NOBODY });
    expect(result).toEqual({ status: 1, stdout: '', stderr: `ipcctl: msg ${q}: Permission denied\n` });
    expect((await sh(`ipcctl msg drain ${q}`)).stdout).toBe('1\n');
  });
});

describe('sem', () => {
  it('get, set and setall read and write values', async () => {
    const s = await create('-S 3');
    expect((await sh(`ipcctl sem setall ${s} 1 2 3 && ipcctl sem get ${s}`)).stdout).toBe('1 2 3\n');
    expect((await sh(`ipcctl sem set ${s} 1 9 && ipcctl sem get ${s} 1`)).stdout).toBe('9\n');
    expect((await sh(`ipcctl sem get ${s} --json`)).stdout).toBe(`{"id":${s},"values":[1,9,3]}\n`);
  });

  it('a waiter waits for the poster', async () => {
    const s = await create('-S 1');
    const waiter = start(`ipcctl sem wait ${s}`);
    await pause(400);
    expect(waiter.child.exitCode).toBeNull();
    expect((await sh(`ipcctl sem post ${s}`)).status).toBe(0);
    expect((await waiter.done).status).toBe(0);
    expect((await sh(`ipcctl sem get ${s}`)).stdout).toBe('0\n');
  });

  it('op applies every operation at once, or none', async () => {
    const s = await create('-S 2');
    await sh(`ipcctl sem setall ${s} 1 0`);
    expect((await sh(`ipcctl sem op ${s} 0:-1,1:-1 --nowait`)).status).toBe(2);
    expect((await sh(`ipcctl sem get ${s}`)).stdout).toBe('1 0\n');
    const op = start(`ipcctl sem op ${s} 0:-1,1:-1`);
    await pause(300);
    expect(op.child.exitCode).toBeNull();
    await sh(`ipcctl sem op ${s} 1:+1`);
    expect((await op.done).status).toBe(0);
    expect((await sh(`ipcctl sem get ${s}`)).stdout).toBe('0 0\n');
  });

  it('op --undo is reverted when ipcctl exits', async () => {
    const s = await create('-S 1');
    await sh(`ipcctl sem op ${s} 0:+5 --undo`);
    expect((await sh(`ipcctl sem get ${s}`)).stdout).toBe('0\n');
  });

  it('wait times out with status 2 and takes nothing; SIGINT leaves no undo behind', async () => {
    const s = await create('-S 1');
    expect(await sh(`ipcctl sem wait ${s} --timeout 250ms`)).toEqual({
      status: 2,
      stdout: '',
      stderr: `ipcctl: sem ${s}: timed out\n`,
    });
    const result = await sh(
      `${STOP} ipcctl sem wait ${s} --undo & p=$!; sleep 0.4; stop INT $p; echo "status $?"; ipcctl sem post ${s}; ipcctl sem get ${s}`,
    );
    expect(result).toEqual({ status: 0, stdout: 'status 130\n1\n', stderr: '' });
  });

  it('run gives mutual exclusion to concurrent loops: the shared count is exact', async () => {
    const s = await create('-S 1');
    await sh(`ipcctl sem post ${s}; echo 0 > count`);
    // Read, pause, write: without the semaphore the two loops lose increments.
    const increment = `ipcctl sem run ${s} -- sh -c 'n=$(cat count); sleep 0.01; echo $((n + 1)) > count'`;
    const loop = `i=0; while [ $i -lt 20 ]; do ${increment} || exit 1; i=$((i + 1)); done`;
    const result = await sh(`(${loop}) & a=$!; (${loop}) & b=$!; wait $a && wait $b && cat count`, {
      timeoutMs: 120_000,
    });
    expect(result).toEqual({ status: 0, stdout: '40\n', stderr: '' });
    expect((await sh(`ipcctl sem get ${s}`)).stdout).toBe('1\n');
  }, 180_000);

  it('run exits with the status of CMD and releases on every exit path', async () => {
    const s = await create('-S 1');
    await sh(`ipcctl sem post ${s}`);
    const held = await sh(`ipcctl sem run ${s} -- sh -c 'ipcctl sem get ${s}; exit 3'`);
    expect(held).toEqual({ status: 3, stdout: '0\n', stderr: '' });
    // CMD killed by a signal: 128 + N, released.
    expect((await sh(`ipcctl sem run ${s} -- sh -c 'kill -KILL $$'`)).status).toBe(137);
    expect((await sh(`ipcctl sem get ${s}`)).stdout).toBe('1\n');
    // ipcctl itself terminated: CMD gets the signal, ipcctl still releases.
    const term = await sh(
      `${STOP} ipcctl sem run ${s} -- sleep 10 & p=$!; sleep 0.5; stop TERM $p; echo $?; ipcctl sem get ${s}`,
    );
    expect(term.stdout).toBe('143\n1\n');
    // ipcctl killed outright: SEM_UNDO gives the unit back.
    const kill = await sh(
      `ipcctl sem run ${s} -- sleep 10 & p=$!; sleep 0.5; kill -KILL $p; wait $p; ipcctl sem get ${s}`,
    );
    expect(kill.stdout).toBe('1\n');
    // A command that cannot be run.
    expect(await sh(`ipcctl sem run ${s} -- no-such-command`)).toEqual({
      status: 127,
      stdout: '',
      stderr: "ipcctl: cannot run 'no-such-command': No such file or directory\n",
    });
    expect((await sh(`ipcctl sem get ${s}`)).stdout).toBe('1\n');
  });

  it('run waits for the holder, and --timeout gives up with status 2 without running CMD', async () => {
    const s = await create('-S 1');
    const result = await sh(`ipcctl sem run ${s} --timeout 200ms -- echo ran`);
    expect(result).toEqual({ status: 2, stdout: '', stderr: `ipcctl: sem ${s}: timed out\n` });
  });

  it('bad input changes nothing', async () => {
    const s = await create('-S 2');
    await sh(`ipcctl sem setall ${s} 4 5`);
    expect(await sh(`ipcctl sem setall ${s} 1 x`)).toEqual({
      status: 1,
      stdout: '',
      stderr: "ipcctl: invalid value: 'x'\nTry 'ipcctl --help' for more information.\n",
    });
    expect((await sh(`ipcctl sem setall ${s} 1 2 3`)).stderr).toBe(
      `ipcctl: sem ${s}: the set has 2 semaphores, got 3 values\n`,
    );
    expect((await sh(`ipcctl sem set ${s} 0 32768`)).stderr).toMatch(
      /^ipcctl: value '32768' exceeds semvmx \(32767\)\n/,
    );
    expect((await sh(`ipcctl sem op ${s} 0:-1,1`)).stderr).toMatch(
      /^ipcctl: invalid operation \(SEMNUM:OP\): '1'\n/,
    );
    expect((await sh(`ipcctl sem wait ${s} --nowait --timeout 1s`)).status).toBe(1);
    expect((await sh(`ipcctl sem get ${s}`)).stdout).toBe('4 5\n');
  });

  it('as nobody, set fails with Permission denied', async () => {
    const s = await create('-S 1 -p 644');
    expect(await sh(`ipcctl sem set ${s} 0 1`, { user: NOBODY })).toEqual({
      status: 1,
      stdout: '',
      stderr: `ipcctl: sem ${s}: Permission denied\n`,
    });
    expect((await sh(`ipcctl sem get ${s}`, { user: NOBODY })).stdout).toBe('0\n');
  });
});

describe('shm and pshm', () => {
  it.each([
    ['shm', '-M 4096'],
    ['pshm', '-m 4096 -n /seg'],
  ])('%s: bytes written by one process are read by another, unchanged', async (kind, create_) => {
    const id = await create(create_);
    const object = kind === 'shm' ? id : '/seg';
    expect((await sh(`ipcctl ${kind} write ${object} --offset 100 < all-bytes`)).status).toBe(0);
    const read = await sh(`ipcctl ${kind} read ${object} --offset 100 --length 267 | sha256sum`);
    expect(read.stdout.split(' ')[0]).toBe(ALL_BYTES_HASH());
    const dump = await sh(`ipcctl ${kind} dump ${object}`);
    const reference = await sh(`ipcctl ${kind} read ${object} | hexdump -C`);
    expect(dump).toEqual({ status: 0, stdout: reference.stdout, stderr: '' });
    const json = JSON.parse(
      (await sh(`ipcctl --json ${kind} read ${object} --offset 100 --length 3`)).stdout,
    );
    expect(json).toEqual({ offset: 100, size: 3, data: Buffer.from([0, 1, 2]).toString('base64') });
  });

  it.each([
    ['shm', '-M 64'],
    ['pshm', '-m 64 -n /seg'],
  ])('%s: data beyond the segment size is refused and nothing is written', async (kind, create_) => {
    const id = await create(create_);
    const object = kind === 'shm' ? id : '/seg';
    const result = await sh(`head -c 10 /dev/urandom | ipcctl ${kind} write ${object} --offset 60`);
    expect(result).toEqual({
      status: 1,
      stdout: '',
      stderr: `ipcctl: ${kind} ${object}: data at offset 60 exceeds the segment size (64 bytes)\n`,
    });
    expect((await sh(`ipcctl ${kind} read ${object} | tr -d '\\0' | wc -c`)).stdout.trim()).toBe('0');
    expect((await sh(`ipcctl ${kind} read ${object} --offset 60 --length 5`)).stderr).toBe(
      `ipcctl: ${kind} ${object}: bytes 60..65 exceed the segment size (64 bytes)\n`,
    );
  });

  it('reads and writes a segment larger than a Buffer (5 GiB) at any offset, and streams a whole read', async () => {
    const id = await create('-M 5368709120');
    const end = 5 * 2 ** 30 - 10;
    expect((await sh(`ipcctl shm write ${id} --offset ${end} hello`)).status).toBe(0);
    expect(await sh(`ipcctl shm read ${id} --offset ${end - 1} --length 7 | od -An -c`)).toMatchObject({
      status: 0,
      stdout: '  \\0   h   e   l   l   o  \\0\n',
    });
    // Streamed in parts: the first part is out before the rest is read (head closes the pipe).
    const head = await sh(`ipcctl shm read ${id} | head -c 100 | wc -c`);
    expect(head).toEqual({ status: 0, stdout: '100\n', stderr: '' });
    // Base64 of it would be longer than a string can be: refused before anything is read.
    expect(await sh(`ipcctl --json shm read ${id} --offset ${2 ** 30}`)).toEqual({
      status: 1,
      stdout: '',
      stderr: `ipcctl: shm ${id}: --json shows at most 268435456 bytes (asked for ${4 * 2 ** 30}): use --offset and --length\n`,
    });
  });

  it.each([
    ['shm', (size: number) => `-M ${size}`],
    ['pshm', (size: number) => `-m ${size} -n /seg`],
  ])(
    '%s: a read or dump larger than one part (16 MiB) is the same bytes and hexdump -C',
    async (kind, create_) => {
      const size = 17 * 2 ** 20 + 5;
      const id = await create(create_(size));
      const object = kind === 'shm' ? id : '/seg';
      // Random bytes across the end of the first part, zeros around them (repeats across parts: one `*`).
      const at = 16 * 2 ** 20 - 4099;
      const random = 64 * 1024;
      await sh(
        `head -c ${random} /dev/urandom > random && ipcctl ${kind} write ${object} --offset ${at} < random && ` +
          `{ head -c ${at} /dev/zero; cat random; head -c ${size - at - random} /dev/zero; } > expected`,
      );
      const read = await sh(`ipcctl ${kind} read ${object} | sha256sum; sha256sum < expected`);
      const [got, want] = read.stdout.trim().split('\n');
      expect(got).toBe(want);
      const dump = await sh(`ipcctl ${kind} dump ${object} | sha256sum; hexdump -C expected | sha256sum`);
      const [dumped, reference] = dump.stdout.trim().split('\n');
      expect(dumped).toBe(reference);
    },
  );

  it.each([
    ['shm', `-M ${33 * 2 ** 20}`, (id: string) => id],
    ['pshm', `-m ${33 * 2 ** 20} -n /zeros`, () => '/zeros'],
  ])(
    '%s: a dump whose repeated rows run across parts is one `*`, as hexdump -C',
    async (kind, what, object) => {
      // 33 MiB of zeros: two part boundaries (16 and 32 MiB) inside one run of equal rows.
      const id = await create(what);
      expect(await sh(`ipcctl ${kind} dump ${object(id)}`)).toEqual({
        status: 0,
        stdout: `00000000  00 00 00 00 00 00 00 00  00 00 00 00 00 00 00 00  |................|\n*\n02100000\n`,
        stderr: '',
      });
    },
  );

  it('pshm: a streamed read is of the object it began with, though another is made under its name meanwhile', async () => {
    // 40 MiB of zeros, read in three parts; once the first part is under way the name gets a
    // new object of 0xff bytes. Parts looked up by name again would read the new one.
    const size = 40 * 2 ** 20;
    await create(`-m ${size} -n /swap`);
    // The FIFO goes once open: the tests share this directory, and a later `> out` would block on it.
    const script = [
      'mkfifo swap.fifo',
      'ipcctl pshm read /swap > swap.fifo &',
      'exec 3< swap.fifo',
      'rm swap.fifo',
      'head -c 1 <&3 > /dev/null',
      `rm /dev/shm/swap && ipcmk -m ${size} -n /swap > /dev/null`,
      `head -c ${size} /dev/zero | tr '\\0' '\\377' | ipcctl pshm write /swap`,
      "cat <&3 | tr -d '\\0' | wc -c",
      'wait $!; echo "status $?"',
    ].join('\n');
    expect(await sh(script)).toEqual({ status: 0, stdout: '0\nstatus 0\n', stderr: '' });
  });

  it('as nobody, a 600 segment cannot be read', async () => {
    const id = await create('-M 64 -p 600');
    expect(await sh(`ipcctl shm read ${id}`, { user: NOBODY })).toEqual({
      status: 1,
      stdout: '',
      stderr: `ipcctl: shm ${id}: Permission denied\n`,
    });
  });
});

describe('mq', () => {
  it('a receiver waits for the sender; priorities order the queue', async () => {
    await create('-q -n /q');
    const receiver = start('ipcctl mq recv /q --json');
    await pause(400);
    expect(receiver.child.exitCode).toBeNull();
    await sh('ipcctl mq send /q --priority 9 first');
    expect(JSON.parse((await receiver.done).stdout)).toEqual({
      name: '/q',
      priority: 9,
      size: 5,
      data: 'Zmlyc3Q=',
    });
    await sh('ipcctl mq send /q low; ipcctl mq send /q --priority 5 high');
    expect((await sh('ipcctl mq recv /q; ipcctl mq recv /q')).stdout).toBe('highlow');
  });

  it('carries every byte value unchanged', async () => {
    await create('-q -n /q');
    const result = await sh('ipcctl mq send /q < all-bytes && ipcctl mq recv /q | sha256sum');
    expect(result.stdout.split(' ')[0]).toBe(ALL_BYTES_HASH());
  });

  it('follow prints each message as it arrives, until interrupted', async () => {
    await create('-q -n /q');
    const result = await sh(
      `${STOP} ipcctl mq follow /q > out & p=$!; sleep 0.5; ipcctl mq send /q 'a\\b'; printf 'x\\ny\\0' | ipcctl mq send /q --priority 4; sleep 0.4; stop INT $p; echo $?; cat out`,
    );
    expect(result).toEqual({ status: 0, stdout: '0\n0 a\\\\b\n4 x\\ny\\x00\n', stderr: '' });
    const json = await sh(
      `${STOP} ipcctl mq follow /q --json > out & p=$!; sleep 0.5; ipcctl mq send /q hi; sleep 0.4; stop TERM $p; cat out`,
    );
    expect(json).toEqual({
      status: 0,
      stdout: '{"name":"/q","priority":0,"size":2,"data":"aGk="}\n',
      stderr: '',
    });
  });

  it('attr prints the attributes; sizes over mq_msgsize are refused', async () => {
    await sh('echo 128 > /proc/sys/fs/mqueue/msgsize_default');
    try {
      await create('-q -n /q');
      await sh('ipcctl mq send /q one');
      expect((await sh('ipcctl mq attr /q')).stdout).toBe('maxmsg 10\nmsgsize 128\ncurmsgs 1\n');
      expect(await sh('head -c 129 /dev/zero | ipcctl mq send /q')).toEqual({
        status: 1,
        stdout: '',
        stderr: 'ipcctl: mq /q: message longer than mq_msgsize (128 bytes)\n',
      });
      expect((await sh('ipcctl mq attr /q --json')).stdout).toBe(
        '{"name":"/q","maxmsg":10,"msgsize":128,"curmsgs":1}\n',
      );
    } finally {
      await sh('echo 8192 > /proc/sys/fs/mqueue/msgsize_default');
    }
  });

  it('timeouts and --nowait exit 2', async () => {
    await create('-q -n /q');
    expect(await sh('ipcctl mq recv /q --timeout 0.2')).toEqual({
      status: 2,
      stdout: '',
      stderr: 'ipcctl: mq /q: timed out\n',
    });
    expect((await sh('ipcctl mq recv /q --nowait')).status).toBe(2);
    expect(await sh('ipcctl mq recv q')).toEqual({
      status: 1,
      stdout: '',
      stderr: "ipcctl: invalid POSIX name (/NAME): 'q'\nTry 'ipcctl --help' for more information.\n",
    });
  });

  it('attr --nonblock sets O_NONBLOCK with mq_setattr and shows the flag before and after', async () => {
    await create('-q -n /q');
    await sh('ipcctl mq send /q one');
    expect(await sh('ipcctl mq attr /q --nonblock on')).toEqual({
      status: 0,
      stdout: 'maxmsg 10\nmsgsize 8192\ncurmsgs 1\nnonblock on (was off)\n',
      stderr: '',
    });
    expect(JSON.parse((await sh('ipcctl mq attr /q --nonblock=off --json')).stdout)).toEqual({
      name: '/q',
      maxmsg: 10,
      msgsize: 8192,
      curmsgs: 1,
      nonblock: false,
      old: { maxmsg: 10, msgsize: 8192, curmsgs: 1, nonblock: false },
    });
    for (const value of ['maybe', 'ON', '1', '']) {
      expect(await sh(`ipcctl mq attr /q --nonblock '${value}'`)).toEqual({
        status: 1,
        stdout: '',
        stderr: `ipcctl: invalid --nonblock value (on|off): '${value}'\nTry 'ipcctl --help' for more information.\n`,
      });
    }
    expect(await sh('ipcctl mq attr /missing --nonblock on')).toEqual({
      status: 1,
      stdout: '',
      stderr: 'ipcctl: mq /missing: No such file or directory\n',
    });
  });

  it('attr --nonblock changes only its own descriptor: another process keeps its flags', async () => {
    await create('-q -n /q');
    // Holds a blocking and a non-blocking descriptor of the queue while ipcctl sets the opposite on its own.
    const holder = await buildScript(`
      import { spawnSync } from 'node:child_process';
      import { openMqueue } from '@ipcutils/core';
      const name = process.argv[2]!;
      const blocking = openMqueue(name, { readOnly: true });
      const nonBlocking = openMqueue(name, { writeOnly: true, nonBlocking: true });
      const ipcctl = (value: string) =>
        spawnSync('ipcctl', ['mq', 'attr', name, '--nonblock', value, '--json'], { encoding: 'utf8' });
      const on = ipcctl('on');
      const off = ipcctl('off');
      console.log(JSON.stringify({
        ipcctl: [on, off].map((run) => ({ status: run.status, stdout: JSON.parse(run.stdout), stderr: run.stderr })),
        flags: [blocking.getAttributes().flags, nonBlocking.getAttributes().flags],
      }));
    `);
    const result = await sh(`node ${holder} /q`);
    expect(result.stderr).toBe('');
    const report = JSON.parse(result.stdout);
    const attributes = { name: '/q', maxmsg: 10, msgsize: 8192, curmsgs: 0 };
    const flags = { maxmsg: 10, msgsize: 8192, curmsgs: 0 };
    expect(report.ipcctl).toEqual([
      {
        status: 0,
        stdout: { ...attributes, nonblock: true, old: { ...flags, nonblock: false } },
        stderr: '',
      },
      {
        status: 0,
        stdout: { ...attributes, nonblock: false, old: { ...flags, nonblock: false } },
        stderr: '',
      },
    ]);
    expect(report.flags).toEqual([0, 0o4000]);
    // Nor does the next ipcctl inherit it: its receive waits until the deadline (a non-blocking one would fail at once).
    expect(await sh('ipcctl mq attr /q --nonblock on >/dev/null; ipcctl mq recv /q --timeout 0.3')).toEqual({
      status: 2,
      stdout: '',
      stderr: 'ipcctl: mq /q: timed out\n',
    });
  });

  it('as nobody, a 600 queue cannot be read', async () => {
    await create('-q -n /q -p 600');
    expect(await sh('ipcctl mq recv /q --nowait', { user: NOBODY })).toEqual({
      status: 1,
      stdout: '',
      stderr: 'ipcctl: mq /q: Permission denied\n',
    });
  });
});

describe('psem', () => {
  it('a waiter waits for the poster; get prints the value', async () => {
    await create('-s -n /s');
    const waiter = start('ipcctl psem wait /s');
    await pause(400);
    expect(waiter.child.exitCode).toBeNull();
    await sh('ipcctl psem post /s');
    expect((await waiter.done).status).toBe(0);
    expect((await sh('ipcctl psem post /s; ipcctl psem get /s --json')).stdout).toBe(
      '{"name":"/s","value":1}\n',
    );
  });

  it('wait times out with 2; run releases after CMD, whatever its end', async () => {
    await create('-s -n /s');
    expect(await sh('ipcctl psem wait /s --timeout 200ms')).toEqual({
      status: 2,
      stdout: '',
      stderr: 'ipcctl: psem /s: timed out\n',
    });
    await sh('ipcctl psem post /s');
    expect(await sh("ipcctl psem run /s -- sh -c 'ipcctl psem get /s; kill -TERM $$'")).toEqual({
      status: 143,
      stdout: '0\n',
      stderr: '',
    });
    expect((await sh('ipcctl psem get /s')).stdout).toBe('1\n');
  });

  it('as nobody, a 600 semaphore cannot be opened', async () => {
    await create('-s -n /s -p 600');
    expect(await sh('ipcctl psem post /s', { user: NOBODY })).toEqual({
      status: 1,
      stdout: '',
      stderr: 'ipcctl: psem /s: Permission denied\n',
    });
  });
});

describe('chmod and chown', () => {
  it('set the permission bits and the owner (IPC_SET)', async () => {
    const m = await create('-M 64');
    expect((await sh(`ipcctl chmod shm ${m} 640 && ipcctl chown shm ${m} nobody:65534`)).status).toBe(0);
    expect((await sh('ipcs -m')).stdout).toMatch(new RegExp(`^0x[0-9a-f]+ ${m} +nobody +640 `, 'm'));
    // A group by name, resolved as user names are (/etc/group, else getgrnam).
    expect((await sh(`ipcctl chown shm ${m} :root`)).status).toBe(0);
    expect((await sh(`ipcs -m -i ${m}`)).stdout).toMatch(/^uid=65534\tgid=0\t/m);
    const q = await create('-Q --key 0x77');
    expect((await sh(`ipcctl chmod msg --key 0x77 600`)).status).toBe(0);
    expect((await sh('ipcs -q')).stdout).toMatch(new RegExp(`^0x00000077 ${q} +root +600 `, 'm'));
  });

  it('refuse a bad mode or owner, and nobody may not change root’s object', async () => {
    const s = await create('-S 1 -p 644');
    expect(await sh(`ipcctl chmod sem ${s} 999`)).toEqual({
      status: 1,
      stdout: '',
      stderr: "ipcctl: invalid mode: '999'\nTry 'ipcctl --help' for more information.\n",
    });
    expect((await sh(`ipcctl chown sem ${s} no-such-user`)).stderr).toMatch(
      /^ipcctl: invalid user: 'no-such-user'\n/,
    );
    expect((await sh(`ipcctl chown sem ${s} root:no-such-group`)).stderr).toMatch(
      /^ipcctl: invalid group: 'no-such-group'\n/,
    );
    expect(await sh(`ipcctl chmod sem ${s} 666`, { user: NOBODY })).toEqual({
      status: 1,
      stdout: '',
      stderr: `ipcctl: sem ${s}: Operation not permitted\n`,
    });
    expect((await sh('ipcs -s')).stdout).toMatch(new RegExp(`^0x[0-9a-f]+ ${s} +root +644 `, 'm'));
  });
});

describe('waits', () => {
  it('SIGINT during a wait leaves nothing half done: no send, no take, status 130', async () => {
    const q = await create('-Q');
    const s = await create('-S 2');
    await sh('echo 1 > /proc/sys/fs/mqueue/msg_default');
    try {
      await create('-q -n /full');
    } finally {
      await sh('echo 10 > /proc/sys/fs/mqueue/msg_default');
    }
    await create('-s -n /s');
    const interrupt = (command: string) =>
      `${STOP} ${command} & p=$!; sleep 0.4; stop INT $p; echo "status $?"`;
    // A full System V queue (qbytes 4), a full POSIX queue (mq_maxmsg 1), an op on two semaphores
    // of which one cannot proceed, a POSIX semaphore at 0.
    const result = await sh(
      [
        `ipcctl msg set ${q} --qbytes 4`,
        `ipcctl msg send ${q} full`,
        interrupt(`ipcctl msg send ${q} more`),
        `ipcctl msg drain ${q}`,
        'ipcctl mq send /full one',
        interrupt('ipcctl mq send /full two'),
        'ipcctl mq attr /full | grep curmsgs',
        `ipcctl sem post ${s} 0`,
        interrupt(`ipcctl sem op ${s} 0:-1,1:-1 --undo`),
        `ipcctl sem get ${s}`,
        interrupt('ipcctl psem wait /s'),
        'ipcctl psem post /s; ipcctl psem get /s',
      ].join('; '),
    );
    expect(result).toEqual({
      status: 0,
      stdout: 'status 130\n1\nstatus 130\ncurmsgs 1\nstatus 130\n1 0\nstatus 130\n1\n',
      stderr: '',
    });
  });
});

describe('command line', () => {
  it('unknown commands and options are usage errors', async () => {
    expect(await sh('ipcctl msg frob 1')).toEqual({
      status: 1,
      stdout: '',
      stderr: "ipcctl: unknown msg command: 'frob'\nTry 'ipcctl --help' for more information.\n",
    });
    expect((await sh('ipcctl msg recv 1 --frob')).stderr).toBe(
      "ipcctl: unrecognized option '--frob'\nTry 'ipcctl --help' for more information.\n",
    );
    expect((await sh('ipcctl msg send 1 --timeout soon')).stderr).toBe(
      "ipcctl: invalid duration: 'soon'\nTry 'ipcctl --help' for more information.\n",
    );
  });

  it('odd option forms are refused, naming the option, and nothing is sent', async () => {
    await create('-q -n /q');
    for (const [option, message] of [
      ['-_', "unrecognized option '-_'"],
      ['--_', "unrecognized option '--_'"],
      ['-@', "unrecognized option '-@'"],
      ['--operands=/q', "unrecognized option '--operands'"],
      ['--json=yes', "option '--json' doesn't allow an argument"],
    ]) {
      expect(await sh(`ipcctl mq send /q ${option} data`)).toEqual({
        status: 1,
        stdout: '',
        stderr: `ipcctl: ${message}\nTry 'ipcctl --help' for more information.\n`,
      });
      expect((await sh(`ipcctl mq attr ${option} /q`)).stderr).toBe(
        `ipcctl: ${message}\nTry 'ipcctl --help' for more information.\n`,
      );
    }
    expect((await sh('ipcctl mq attr /q')).stdout).toContain('curmsgs 0\n');
  });

  it('a boolean option takes no value: DATA "true" after --nowait is sent; -- ends the options', async () => {
    await create('-q -n /q');
    expect(await sh('ipcctl mq send /q --nowait true < /dev/null && ipcctl mq recv /q')).toEqual({
      status: 0,
      stdout: 'true',
      stderr: '',
    });
    expect((await sh('ipcctl mq send /q -- -x < /dev/null && ipcctl mq recv /q')).stdout).toBe('-x');
    expect((await sh('ipcctl mq attr /q -- extra')).stderr).toBe(
      "ipcctl: unexpected operand: 'extra'\nTry 'ipcctl --help' for more information.\n",
    );
  });

  it('help lists every command and the exit statuses', async () => {
    const help = (await sh('ipcctl --help')).stdout;
    for (const command of [
      'msg send',
      'msg peek',
      'sem run',
      'shm dump',
      'mq follow',
      'psem run',
      'pshm write',
      'chown',
    ]) {
      expect(help).toContain(`ipcctl ${command} `);
    }
    expect(help).toContain(' 2  timed out, or would block (--nowait)');
    expect((await sh('ipcctl sem --help')).stdout).toMatch(/^ run +take the semaphore \(SEM_UNDO\)/m);
  });
});
