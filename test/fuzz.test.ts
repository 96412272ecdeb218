// Random command lines for every tool (issue 11): no crash, no stack trace, and nothing created or
// removed unless the command line was valid. The parsers run in-process on many inputs (ipcs and
// lsipc, which only read, run whole); a smaller sample runs the built bins in a namespace of its
// own, whose objects are compared before and after.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { memoryIo, UsageError } from '@ipcutils/cli';
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
const word = fc.oneof(
  { weight: 6, arbitrary: fc.constantFrom(...WORDS) },
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
    const script = 'cat /proc/sysvipc/*; ls -A /dev/shm /dev/mqueue; find . | sort';
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
});
