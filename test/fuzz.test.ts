// Random command lines for every tool (issue 11): no crash, no stack trace, and nothing created or
// removed unless the command line was valid. The parsers run in-process on many inputs (ipcs and
// lsipc, which only read, run whole); a smaller sample runs the built bins in a namespace of its
// own, whose objects are compared before and after.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { memoryIo, UsageError } from '@ipcutils/cli';
import { nameFromBytes } from '@ipcutils/core';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseOptions as parseLsfifo } from '../packages/fifo-tools/src/lsfifo/options.js';
import { parseArguments as parseMkfifo } from '../packages/fifo-tools/src/mkfifo/options.js';
import { parseOptions as parseRmfifo } from '../packages/fifo-tools/src/rmfifo/options.js';
import { parseRequest } from '../packages/ipcmk/src/parse.js';
import { parseCommand as parseIpcrm } from '../packages/ipcrm/src/parse.js';
import { main as ipcsMain } from '../packages/ipcs/src/ipcs/main.js';
import { main as lsipcMain } from '../packages/ipcs/src/lsipc/main.js';
import { IpcNamespace } from './helpers/namespace.js';

/** Words every tool knows, numbers at the kernel types' limits, and noise. */
const WORDS = [
  ...[
    '-m',
    '-q',
    '-s',
    '-M',
    '-Q',
    '-S',
    '-a',
    '-i',
    '-v',
    '-p',
    '-n',
    '-t',
    '-c',
    '-l',
    '-u',
    '-b',
    '-h',
    '-V',
  ],
  ...['-J', '-e', '-r', '-o', '-N', '-g', '-P', '-x', '-Z', '-d', '-u', '-r', '--'],
  ...['--key', '--owner', '--creator', '--creator=root', '--older-than', '--min-size', '--orphaned'],
  ...['--unattached', '--dry-run', '--json', '--typed-json', '--all', '--all=shm', '--all=pmsg'],
  ...['--posix-shmem', '--posix-mqueue', '--posix-semaphore', '--ftok', '--project-id', '--mode'],
  ...['--time-format=iso', '--output', '--id', '--name', '--depth', '--recursive', '--context=x'],
  ...['shm', 'msg', 'sem', '/', '/x', 'x', ''],
  ...['0', '-1', '1', '0x0', '0x100000000', '0x100000001', '2147483648', '-2147483649', '4294967296'],
  ...['99999999999999999999', '0xffffffffffffffffff', '1K', '16E', '1.5M', '0777', '77777', '7d', '90s'],
];
/**
 * Bytes an argument may hold (no NUL; no trailing newline, which the shell's $(printf) would drop),
 * alone or after a prefix that makes them a name or an option's value.
 */
const rawBytes = fc
  .uint8Array({ minLength: 1, maxLength: 8 })
  .map((bytes) => Buffer.from(bytes.map((byte) => byte || 0xff)))
  .filter((bytes) => bytes.at(-1) !== 0x0a);
const PREFIXES = ['', '/', '-n', '--name=', '--posix-shmem=', '-N', 'fifo/'];
const byteWord = fc.oneof(
  { weight: 2, arbitrary: fc.constantFrom(...WORDS.filter(Boolean).map((text) => Buffer.from(text))) },
  {
    weight: 3,
    arbitrary: fc
      .tuple(fc.constantFrom(...PREFIXES), rawBytes)
      .map(([prefix, bytes]) => Buffer.concat([Buffer.from(prefix), bytes])),
  },
);
/** Arguments as the bins receive them (see @ipcutils/core's names.ts). */
const byteArgv = fc.array(byteWord, { minLength: 1, maxLength: 5 });

const word = fc.oneof(
  { weight: 6, arbitrary: fc.constantFrom(...WORDS) },
  { weight: 1, arbitrary: byteWord.map(nameFromBytes) },
  { weight: 2, arbitrary: fc.string({ maxLength: 12 }) },
  { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 8 }) },
  {
    weight: 1,
    arbitrary: fc.tuple(fc.constantFrom(...WORDS), fc.constantFrom(...WORDS)).map(([a, b]) => a + b),
  },
);
const argv = fc.array(word, { maxLength: 6 });

const RUNS = 400;
const TRACE = /^\s+at /m;

describe('the argument parsers never throw, whatever the command line', () => {
  const env = {};
  it('ipcs and lsipc (whole, read-only): an exit status, one-line messages, no trace', () => {
    fc.assert(
      fc.property(argv, (args) => {
        for (const [name, main] of [
          ['ipcs', ipcsMain],
          ['lsipc', lsipcMain],
        ] as const) {
          const io = memoryIo({ programName: name, argv0: name });
          const status = io.take(main(args, io));
          expect([0, 1]).toContain(status);
          expect(io.stderr).not.toMatch(TRACE);
        }
      }),
      { numRuns: RUNS },
    );
  });

  it('ipcrm, ipcmk, mkfifo, lsfifo and rmfifo parse into a result or a diagnostic', () => {
    fc.assert(
      fc.property(argv, (args) => {
        expect(['run', 'help', 'version', 'invalid']).toContain(
          parseIpcrm(args, { argv0: 'ipcrm', env }).kind,
        );
        expect(['create', 'help', 'version', 'invalid']).toContain(
          parseRequest(args, { argv0: 'ipcmk', env }).kind,
        );
        expect(parseMkfifo(args, { program: 'mkfifo', env })).toHaveProperty('operands');
        for (const [name, parse] of [
          ['lsfifo', parseLsfifo],
          ['rmfifo', parseRmfifo],
        ] as const) {
          // A bad command line is the suite's one UsageError; anything else thrown is a bug.
          try {
            expect(['run', 'print']).toContain(parse(args, name).kind);
          } catch (error) {
            if (!(error instanceof UsageError)) throw error;
            expect(error.message).not.toMatch(TRACE);
          }
        }
      }),
      { numRuns: RUNS },
    );
  });
});

describe('the built bins on random command lines', () => {
  let ns: IpcNamespace;
  let work: string;
  const ENV = { PATH: `${join(import.meta.dirname, '..', 'bin')}:/usr/bin:/bin` };

  beforeAll(async () => {
    ns = await IpcNamespace.create();
    work = mkdtempSync(join(tmpdir(), 'fuzz-'));
    await populate();
  });
  afterAll(async () => {
    await ns?.close();
    rmSync(work, { recursive: true, force: true });
  });

  /** One object of every kind, and a FIFO in the working directory. */
  async function populate(): Promise<void> {
    const made = await ns.sh(
      'ipcmk -M 1K -Q -S 1 && ipcmk --key 0x1000 -M 1K && ipcmk -m 1K -q -s -n /fuzz && mkfifo fifo',
      { env: ENV, cwd: work },
    );
    expect(made.status, made.stderr).toBe(0);
  }

  async function snapshot(): Promise<string> {
    // ls -b: a name that is not UTF-8 stays distinct in the (UTF-8 decoded) output.
    const script = 'cat /proc/sysvipc/*; ls -Ab /dev/shm /dev/mqueue; ls -AbR .';
    return (await ns.sh(script, { cwd: work })).stdout;
  }

  const valid: Record<string, (args: string[]) => boolean> = {
    ipcrm: (args) => parseIpcrm(args, { argv0: 'ipcrm', env: {} }).kind === 'run',
    ipcmk: (args) => parseRequest(args, { argv0: 'ipcmk', env: {} }).kind === 'create',
    mkfifo: (args) => {
      const parsed = parseMkfifo(args, { program: 'mkfifo', env: {} });
      return parsed.error === undefined && parsed.operands.length > 0;
    },
    rmfifo: (args) => {
      try {
        return parseRmfifo(args, 'rmfifo').kind === 'run';
      } catch (error) {
        if (error instanceof UsageError) return false;
        throw error;
      }
    },
  };

  it.each(Object.keys(valid))(
    '%s: invalid input changes nothing, and no run prints a trace',
    async (tool) => {
      const samples = fc.sample(argv, { numRuns: 6, seed: tool.length });
      for (const args of samples) {
        const before = await snapshot();
        const result = await ns.run(tool, args, { env: ENV, cwd: work, timeoutMs: 20_000 });
        expect(result.stderr).not.toMatch(TRACE);
        expect(result.status).toBeLessThan(128);
        const after = await snapshot();
        if (!valid[tool]!(args)) {
          // Refused (1), or help and version (0).
          expect({ args, after }).toEqual({ args, after: before });
          expect([0, 1]).toContain(result.status);
        } else if (after !== before) {
          // A valid command did its work: start the next one from the full state again.
          await ns.sh('ipcrm -a; rm -f ./*', { env: ENV, cwd: work });
          await populate();
        }
      }
    },
  );

  /** One word of a shell script that is exactly these bytes: printf's octal escapes. */
  const shellWord = (bytes: Buffer) =>
    `"$(printf '${[...bytes].map((byte) => `\\${byte.toString(8).padStart(3, '0')}`).join('')}')"`;

  /** The names in /dev/shm, /dev/mqueue and the working tree, as bytes (hex: the helper decodes output as UTF-8). */
  async function names(): Promise<Set<string>> {
    const script = "find /dev/shm /dev/mqueue . -mindepth 1 -printf '%f\\0' | od -An -v -tx1 | tr -d ' \\n'";
    const hex = (await ns.sh(script, { cwd: work })).stdout;
    return new Set(Buffer.from(hex, 'hex').toString('latin1').split('\0').slice(0, -1));
  }

  it.each([...Object.keys(valid), 'lsipc', 'lsfifo'])(
    '%s: arbitrary bytes as arguments: no trace, refused input changes nothing, new names are given bytes',
    async (tool) => {
      for (const raw of fc.sample(byteArgv, { numRuns: 6, seed: tool.length + 11 })) {
        const args = raw.map(nameFromBytes);
        const before = await snapshot();
        const namesBefore = await names();
        const script = `${tool} ${raw.map(shellWord).join(' ')}`;
        const result = await ns.sh(script, { env: ENV, cwd: work, timeoutMs: 20_000 });
        expect(result.stderr).not.toMatch(TRACE);
        expect(result.status).toBeLessThan(128);
        const after = await snapshot();
        // Whatever was created is named by bytes of an argument (not U+FFFD in place of a byte).
        const given = raw.map((bytes) => bytes.toString('latin1'));
        for (const name of await names()) {
          if (namesBefore.has(name)) continue;
          const bare = name.replace(/^sem\./, '');
          expect({ args, name, given: given.some((arg) => arg.endsWith(bare)) }).toEqual({
            args,
            name,
            given: true,
          });
        }
        const check = valid[tool];
        if (check === undefined || !check(args)) {
          expect({ args, after }).toEqual({ args, after: before });
          expect([0, 1]).toContain(result.status);
        } else if (after !== before) {
          await ns.sh('ipcrm -a; rm -f ./*', { env: ENV, cwd: work });
          await populate();
        }
      }
    },
  );
});
