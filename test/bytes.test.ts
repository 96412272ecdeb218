// Names that are not UTF-8 (issue 11, family 2): every tool acts on the exact bytes it was given
// or found, never on the U+FFFD name Node's decoding would make of them, and prints them as
// util-linux and coreutils do. Real objects in a private namespace (a pid namespace too, so that
// --orphaned can inspect every process); coreutils' mkfifo is the live reference for quoting.
import { chmodSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { IpcNamespace } from './helpers/namespace.js';

const ROOT = join(import.meta.dirname, '..');
const OURS = { PATH: `${join(ROOT, 'bin')}:/usr/bin:/bin` };
const REFERENCE = { PATH: '/usr/bin:/bin' };

/** Bytes are written here as "byte strings" (one character per byte, latin1), so diffs stay readable. */
const b = (text: string): string => text;
/** The bytes of UTF-8 text, as a byte string. */
const u = (text: string): string => Buffer.from(text).toString('latin1');
/** Names that are not UTF-8: a lone 0xff, a lone continuation byte first, one after ASCII, a truncated sequence. */
const BAD = [b('\xff'), b('\x80abc'), b('a\xa9'), b('x\xc3')];
/** é: valid UTF-8, which must keep working; and U+FFFD itself, the name Node would make of the others. */
const UTF8 = u('é');
const REPLACEMENT = u('\ufffd');

/** Any bytes (no trailing newline) as one word of a POSIX shell script: printf's octal escapes. */
function quote(bytes: string): string {
  const escaped = [...bytes].map((char) => `\\${char.charCodeAt(0).toString(8).padStart(3, '0')}`);
  return `"$(printf '${escaped.join('')}')"`;
}

const slash = (name: string): string => `/${name}`;
const sorted = (names: string[]): string[] => [...names].sort();

let ns: IpcNamespace;
let work: string;
let runs = 0;

interface ByteResult {
  stdout: string;
  stderr: string;
  status: number;
}

/** A script in the namespace, its output as bytes (the namespace helper decodes as UTF-8). */
async function sh(script: string, env: Record<string, string> = OURS, cwd = work): Promise<ByteResult> {
  const n = runs++;
  const out = join(work, `.out${n}`);
  const err = join(work, `.err${n}`);
  const result = await ns.sh(`{ ${script}\n} >${out} 2>${err}`, { env, cwd, timeoutMs: 20_000 });
  const read = {
    stdout: readFileSync(out, 'latin1'),
    stderr: readFileSync(err, 'latin1'),
    status: result.status,
  };
  rmSync(out);
  rmSync(err);
  return read;
}

/** Entries of a directory inside the namespace, as bytes. */
async function entries(dir: string): Promise<string[]> {
  const listed = await sh(`find ${dir} -mindepth 1 -maxdepth 1 -printf '%f\\0'`);
  expect(listed.status).toBe(0);
  return sorted(listed.stdout.split('\0').slice(0, -1));
}

beforeAll(async () => {
  ns = await IpcNamespace.create({ pid: true });
  work = mkdtempSync(join(tmpdir(), 'bytes-'));
  chmodSync(work, 0o755);
}, 60_000);

afterAll(async () => {
  await ns?.close();
  rmSync(work, { recursive: true, force: true });
});

beforeEach(async () => {
  await sh('rm -f /dev/shm/* /dev/mqueue/*; rm -rf ./fifos');
});

const ALL = [...BAD, UTF8, REPLACEMENT];

describe('POSIX shared memory', () => {
  it('ipcmk -m creates each exact name and echoes it; lsipc -M escapes what is not UTF-8', async () => {
    for (const name of ALL) {
      const made = await sh(`ipcmk -m 1K -n ${quote(slash(name))}`);
      expect(made).toEqual({ stdout: `POSIX shared memory name: /${name}\n`, stderr: '', status: 0 });
    }
    expect(await entries('/dev/shm')).toEqual(sorted(ALL));
    const human = await sh('lsipc -M -o NAME --noheadings | sort');
    expect(human.stdout).toBe(
      ['\\x80abc', '\\xc3\\xa9', '\\xef\\xbf\\xbd', '\\xff', 'a\\xa9', 'x\\xc3', ''].join('\n'),
    );
    // In a UTF-8 locale, valid text is shown as it is; the other bytes are still escaped.
    const utf8 = await sh('LC_ALL=C.UTF-8 lsipc -M -o NAME --noheadings | LC_ALL=C sort');
    expect(utf8.stdout).toBe(['\\x80abc', '\\xff', 'a\\xa9', 'x\\xc3', UTF8, REPLACEMENT, ''].join('\n'));
    const raw = await sh(`lsipc -M -r -o NAME --noheadings -N ${quote('x\xc3')}`);
    expect(raw.stdout).toBe('x\\xc3\n');
    const exported = await sh(`lsipc -M -e -o NAME -N ${quote('\x80abc')}`);
    expect(exported.stdout).toBe('NAME="\\x80abc"\n');
    // ul_jsonwrt copies bytes >= 0x20 as they are.
    const json = await sh(`lsipc -M -J -o NAME -N ${quote('\xff')}`);
    expect(json.stdout).toBe(
      '{\n   "posix-sharedmemory": [\n      {\n         "name": "\xff"\n      }\n   ]\n}\n',
    );
    // The -N view prints with printf: the bytes themselves, padded to 36 bytes.
    const pretty = await sh(`lsipc -M -N ${quote('\x80abc')} -o NAME`);
    expect(pretty.stdout).toBe(`Name:${' '.repeat(31)}\x80abc${' '.repeat(32)}\n`);
    const prettyUtf8 = await sh(`lsipc -M -N ${quote(UTF8)} -o NAME`);
    expect(prettyUtf8.stdout).toBe(`Name:${' '.repeat(31)}${UTF8}${' '.repeat(34)}\n`);
    // Typed JSON is valid JSON: the byte as the lone surrogate that stands for it (surrogateescape).
    const typed = await sh(`lsipc -M --typed-json -N ${quote('\xff')}`);
    expect(JSON.parse(typed.stdout)['posix-sharedmemory'][0].name).toBe('/\udcff');
    const report = await sh('ipcrm --all=pshm --dry-run --json');
    expect(report.stdout).toContain('"name": "/\\udcff"');
    const missing = await sh(`lsipc -M -N ${quote('\x80ab')}`);
    expect(missing).toEqual({
      stdout: '',
      stderr: 'lsipc: shared memory segment \x80ab not found\n',
      status: 0,
    });
  });

  it('ipcrm --posix-shmem removes the object named, not the U+FFFD one', async () => {
    await sh(ALL.map((name) => `ipcmk -m 1K -n ${quote(slash(name))}`).join('\n'));
    for (const [index, name] of BAD.entries()) {
      const removed = await sh(`ipcrm -v --posix-shmem ${quote(slash(name))}`);
      expect(removed).toEqual({
        stdout: `removing POSIX shared memory \`/${name}'\n`,
        stderr: '',
        status: 0,
      });
      expect(await entries('/dev/shm')).toEqual(sorted([...BAD.slice(index + 1), UTF8, REPLACEMENT]));
    }
    const gone = await sh(`ipcrm --posix-shmem ${quote('/\xff')}`);
    expect(gone).toEqual({ stdout: '', stderr: "ipcrm: name `/\xff' not found\n", status: 1 });
    expect(await entries('/dev/shm')).toEqual(sorted([UTF8, REPLACEMENT]));
  });
});

describe('POSIX message queues and semaphores', () => {
  it('ipcmk -q/-s create the exact names; lsipc -Q/-S list them; ipcrm removes each', async () => {
    for (const name of ALL) {
      const made = await sh(`ipcmk -q -n ${quote(slash(name))} && ipcmk -s -n ${quote(slash(name))}`);
      expect(made).toEqual({
        stdout: `POSIX message queue name: /${name}\nPOSIX semaphore name: /${name}\n`,
        stderr: '',
        status: 0,
      });
    }
    expect(await entries('/dev/mqueue')).toEqual(sorted(ALL));
    expect(await entries('/dev/shm')).toEqual(sorted(ALL.map((name) => `sem.${name}`)));
    const queues = await sh('lsipc -Q -o NAME --noheadings | sort');
    expect(queues.stdout).toBe(
      ['/\\x80abc', '/\\xc3\\xa9', '/\\xef\\xbf\\xbd', '/\\xff', '/a\\xa9', '/x\\xc3', ''].join('\n'),
    );
    const sems = await sh('lsipc -S -o NAME --noheadings | sort');
    expect(sems.stdout).toBe(
      ['\\x80abc', '\\xc3\\xa9', '\\xef\\xbf\\xbd', '\\xff', 'a\\xa9', 'x\\xc3', ''].join('\n'),
    );
    const one = await sh(`lsipc -Q -N ${quote('/\xff')} -o NAME,PERMS -r --noheadings`);
    expect(one.stdout).toBe('/\\xff rw-r--r--\n');
    for (const name of BAD) {
      const removed = await sh(
        `ipcrm -v --posix-mqueue ${quote(slash(name))} --posix-semaphore ${quote(slash(name))}`,
      );
      expect(removed).toEqual({
        stdout: `removing POSIX message queue \`/${name}'\nremoving POSIX semaphore \`/${name}'\n`,
        stderr: '',
        status: 0,
      });
    }
    expect(await entries('/dev/mqueue')).toEqual(sorted([UTF8, REPLACEMENT]));
    expect(await entries('/dev/shm')).toEqual(sorted([`sem.${UTF8}`, `sem.${REPLACEMENT}`]));
  });
});

describe('removing everything leaves no name behind', () => {
  // One kind per --all: a later --all replaces an earlier one, as in util-linux.
  it.each(['--all=pshm; ipcrm -v --all=pmsg; ipcrm -v --all=psem', '-a', '--orphaned'])(
    'ipcrm %s',
    async (options) => {
      const made = await sh(
        ALL.map(
          (name) =>
            `ipcmk -m 1K -n ${quote(slash(name))} && ipcmk -q -n ${quote(slash(name))} && ipcmk -s -n ${quote(slash(name))}`,
        ).join(' && '),
      );
      expect(made.status, made.stderr).toBe(0);
      const removed = await sh(`ipcrm -v ${options}`);
      expect(removed.stderr).toBe('');
      expect(removed.status).toBe(0);
      const announced = removed.stdout.split('\n').slice(0, -1).sort();
      expect(announced).toEqual(
        sorted(
          ALL.flatMap((name) => [
            `removing POSIX shared memory \`${name}'`,
            `removing POSIX semaphore \`${name}'`,
            `removing POSIX message queue \`/${name}'`,
          ]),
        ),
      );
      expect(await entries('/dev/shm')).toEqual([]);
      expect(await entries('/dev/mqueue')).toEqual([]);
    },
  );
});

describe('FIFOs', () => {
  const fifos = (dir = 'fifos'): string[] =>
    sorted(readdirSync(join(work, dir), { encoding: 'buffer' }).map((name) => name.toString('latin1')));

  it('mkfifo creates each exact name and quotes it as coreutils does', async () => {
    const names = ALL.map(quote).join(' ');
    const made = await sh(`mkdir fifos && cd fifos && mkfifo ${names}`);
    expect(made).toEqual({ stdout: '', stderr: '', status: 0 });
    expect(fifos()).toEqual(sorted(ALL));
    for (const locale of ['C', 'C.UTF-8']) {
      const again = `cd fifos && LC_ALL=${locale} mkfifo ${names} ${quote('new\xfe')}`;
      const ours = await sh(again);
      expect(fifos()).toEqual(sorted([...ALL, 'new\xfe']));
      await sh('rm -f fifos/new*');
      const reference = await sh(again, REFERENCE);
      expect(ours).toEqual(reference);
      expect(ours.status).toBe(1);
      await sh('rm -f fifos/new*');
    }
    const ours = await sh(`cd fifos && LC_ALL=C mkfifo ${quote('\xff')} ${quote('\x80abc')}`);
    expect(ours.stderr).toBe(
      "mkfifo: cannot create fifo ''$'\\377': File exists\nmkfifo: cannot create fifo ''$'\\200''abc': File exists\n",
    );
  });

  it('lsfifo lists every name, escaped; rmfifo and rmfifo -r remove them', async () => {
    await sh(`mkdir -p fifos/sub && cd fifos && mkfifo ${ALL.map(quote).join(' ')} sub/${quote('deep\xff')}`);
    // Escaped as lsipc escapes: in the C locale every byte past ASCII, in a UTF-8 one only bad ones.
    const listed = await sh('lsfifo -o PATH --noheadings fifos | LC_ALL=C sort');
    expect(listed.stdout).toBe(
      [
        'fifos/\\x80abc',
        'fifos/\\xc3\\xa9',
        'fifos/\\xef\\xbf\\xbd',
        'fifos/\\xff',
        'fifos/a\\xa9',
        'fifos/sub/deep\\xff',
        'fifos/x\\xc3',
        '',
      ].join('\n'),
    );
    const utf8 = await sh('LC_ALL=C.UTF-8 lsfifo -o PATH --noheadings fifos | LC_ALL=C sort');
    expect(utf8.stdout).toBe(
      [
        'fifos/\\x80abc',
        'fifos/\\xff',
        'fifos/a\\xa9',
        'fifos/sub/deep\\xff',
        'fifos/x\\xc3',
        `fifos/${UTF8}`,
        `fifos/${REPLACEMENT}`,
        '',
      ].join('\n'),
    );
    // A FIFO held open, found from /proc/PID/fd (its link read as bytes).
    const held = await sh(`{ lsfifo -a -n -o PATH; } 3<>fifos/${quote('\xff')}`);
    expect(held.stdout).toBe(`${work}/fifos/\\xff\n`);
    // Typed JSON carries the bytes losslessly: a byte that is not UTF-8 as \udcNN (Python's surrogateescape).
    const json = await sh(`lsfifo --json -o PATH fifos/${quote('\xff')}`);
    expect(json.stdout).toBe('{\n  "fifos": [\n    {\n      "path": "fifos/\\udcff"\n    }\n  ]\n}\n');
    const one = await sh(`rmfifo -v fifos/${quote('\x80abc')}`);
    expect(one).toEqual({ stdout: "removed 'fifos/'$'\\200''abc'\n", stderr: '', status: 0 });
    expect(fifos()).toEqual(sorted(['\xff', 'a\xa9', 'sub', 'x\xc3', UTF8, REPLACEMENT]));
    const all = await sh('rmfifo -r -v fifos');
    expect(all.stderr).toBe('');
    expect(all.status).toBe(0);
    expect(all.stdout.split('\n').slice(0, -1).sort()).toEqual(
      sorted([
        "removed 'fifos/'$'\\377'",
        "removed 'fifos/a'$'\\251'",
        "removed 'fifos/sub/deep'$'\\377'",
        "removed 'fifos/x'$'\\303'",
        // The namespace runs in the C locale: each byte of é is escaped too.
        "removed 'fifos/'$'\\303\\251'",
        "removed 'fifos/'$'\\357\\277\\275'",
      ]),
    );
    expect(fifos()).toEqual(['sub']);
    expect(fifos('fifos/sub')).toEqual([]);
  });
});

describe('ipcctl', () => {
  it('reads, writes, sends and posts on the exact names; data keeps its bytes', async () => {
    const name = quote('/p\xff');
    await sh(`ipcmk -m 16 -n ${name} && ipcmk -q -n ${name} && ipcmk -s -n ${name}`);
    const data = quote('da\xffta');
    const shm = await sh(`ipcctl pshm write ${name} ${data} && ipcctl pshm read ${name} --length 5`);
    expect(shm).toEqual({ stdout: 'da\xffta', stderr: '', status: 0 });
    const mq = await sh(`ipcctl mq send ${name} ${data} && ipcctl mq recv ${name}`);
    expect(mq).toEqual({ stdout: 'da\xffta', stderr: '', status: 0 });
    const sem = await sh(`ipcctl psem post ${name} && ipcctl psem get ${name}`);
    expect(sem).toEqual({ stdout: '1\n', stderr: '', status: 0 });
    // CMD of `run` gets its arguments' bytes too (child_process alone would pass U+FFFD).
    const ran = await sh(`ipcctl psem run ${name} -- touch ${quote('t\xffz')} && ipcctl psem get ${name}`);
    expect(ran).toEqual({ stdout: '1\n', stderr: '', status: 0 });
    expect(readdirSync(work, { encoding: 'buffer' }).map((entry) => entry.toString('latin1'))).toContain(
      't\xffz',
    );
    const missing = await sh(`ipcctl pshm read ${quote('/nosuch\xff')}`);
    expect(missing).toEqual({
      stdout: '',
      stderr: 'ipcctl: pshm /nosuch\\xff: No such file or directory\n',
      status: 1,
    });
    const invalid = await sh(`ipcctl mq attr ${quote('x\xff')}`);
    expect(invalid.stderr).toBe(
      "ipcctl: invalid POSIX name (/NAME): 'x\\xff'\nTry 'ipcctl --help' for more information.\n",
    );
  });
});

describe('argv', () => {
  it('node options before the script do not shift the arguments', async () => {
    const bin = join(ROOT, 'bin', 'ipcmk');
    const made = await sh(`node --no-warnings --stack-size=2000 ${bin} -m 1K -n ${quote('/\xff')}`);
    expect(made).toEqual({ stdout: 'POSIX shared memory name: /\xff\n', stderr: '', status: 0 });
    expect(await entries('/dev/shm')).toEqual(['\xff']);
  });
});
