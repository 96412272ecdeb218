import { spawnSync } from 'node:child_process';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, expectTypeOf, it } from 'vitest';
import {
  GetoptError,
  type GetoptOptions,
  getopt,
  getoptUntilError,
  type LongOption,
  type ParsedOption,
  type ShortOptionKeys,
} from '../src/index.js';
import { buildGlibcGetopt, type Outcome, runGlibc, runOurs } from './glibc-getopt.js';

// Option tables as util-linux 2.38.1 / coreutils 9.1 declare them, in their order (the order
// shows in the ambiguity message; `ipcs --=x` makes the real tool list its whole table).
const IPCS: GetoptOptions = {
  program: 'ipcs',
  shortOptions: 'i:qmsatpclubVh',
  longOptions: [
    { name: 'id', hasArg: 'required', key: 'i' },
    { name: 'queues', hasArg: 'no', key: 'q' },
    { name: 'shmems', hasArg: 'no', key: 'm' },
    { name: 'semaphores', hasArg: 'no', key: 's' },
    { name: 'all', hasArg: 'no', key: 'a' },
    { name: 'time', hasArg: 'no', key: 't' },
    { name: 'pid', hasArg: 'no', key: 'p' },
    { name: 'creator', hasArg: 'no', key: 'c' },
    { name: 'limits', hasArg: 'no', key: 'l' },
    { name: 'summary', hasArg: 'no', key: 'u' },
    { name: 'human', hasArg: 'no', key: 'human' },
    { name: 'bytes', hasArg: 'no', key: 'b' },
    { name: 'version', hasArg: 'no', key: 'V' },
    { name: 'help', hasArg: 'no', key: 'h' },
  ],
};

const IPCRM: GetoptOptions = {
  program: 'ipcrm',
  shortOptions: 'q:m:s:Q:M:S:a::vhV',
  longOptions: [
    { name: 'shmem-id', hasArg: 'required', key: 'm' },
    { name: 'shmem-key', hasArg: 'required', key: 'M' },
    { name: 'queue-id', hasArg: 'required', key: 'q' },
    { name: 'queue-key', hasArg: 'required', key: 'Q' },
    { name: 'semaphore-id', hasArg: 'required', key: 's' },
    { name: 'semaphore-key', hasArg: 'required', key: 'S' },
    { name: 'all', hasArg: 'optional', key: 'a' },
    { name: 'verbose', hasArg: 'no', key: 'v' },
    { name: 'version', hasArg: 'no', key: 'V' },
    { name: 'help', hasArg: 'no', key: 'h' },
  ],
};

const MKFIFO: GetoptOptions = {
  program: 'mkfifo',
  shortOptions: 'm:Z',
  longOptions: [
    { name: 'context', hasArg: 'optional', key: 'Z' },
    { name: 'mode', hasArg: 'required', key: 'm' },
    { name: 'help', hasArg: 'no', key: 'help' },
    { name: 'version', hasArg: 'no', key: 'version' },
  ],
};

// Not a real tool: prefixes shared by options that are identical, different, or exact names.
const PREFIXES: GetoptOptions = {
  program: 'prog',
  shortOptions: 'tT:',
  longOptions: [
    { name: 'shmems', hasArg: 'no', key: 'm' },
    { name: 'shmem', hasArg: 'no', key: 'm' },
    { name: 'time', hasArg: 'no', key: 't' },
    { name: 'time-format', hasArg: 'required', key: 'T' },
    { name: 'posix', hasArg: 'no', key: 'p' },
    { name: 'posixly', hasArg: 'required', key: 'P' },
    { name: 'posixes', hasArg: 'no', key: 'p' },
  ],
};

type Expected = string | { options: ParsedOption[]; operands: string[] };

interface Case {
  spec: GetoptOptions;
  argv: string[];
  /** The result, or the error message. */
  expected: Expected;
}

const opt = (name: string, key: string, value?: string): ParsedOption =>
  value === undefined ? { key, name } : { key, name, value };

const CASES: Record<string, Case> = {
  'keeps command-line order across different options': {
    spec: IPCRM,
    argv: ['-m', '1', '--shmem-key', '0x2', '-q3', '--queue-id=4', '-m5', '-v'],
    expected: {
      options: [
        opt('-m', 'm', '1'),
        opt('--shmem-key', 'M', '0x2'),
        opt('-q', 'q', '3'),
        opt('--queue-id', 'q', '4'),
        opt('-m', 'm', '5'),
        opt('-v', 'v'),
      ],
      operands: [],
    },
  },
  'splits a bundle of flags': {
    spec: IPCS,
    argv: ['-mt'],
    expected: { options: [opt('-m', 'm'), opt('-t', 't')], operands: [] },
  },
  'takes the rest of a bundle as a required argument': {
    spec: IPCS,
    argv: ['-mi3q'],
    expected: { options: [opt('-m', 'm'), opt('-i', 'i', '3q')], operands: [] },
  },
  'takes the next element as a required argument even if it looks like an option': {
    spec: IPCS,
    argv: ['-i', '-5', '-m', '--id', '--', 'x'],
    expected: { options: [opt('-i', 'i', '-5'), opt('-m', 'm'), opt('--id', 'i', '--')], operands: ['x'] },
  },
  'takes an optional short argument only when attached': {
    spec: IPCRM,
    argv: ['-ashm', '-a', 'msg', '-va'],
    expected: {
      options: [opt('-a', 'a', 'shm'), opt('-a', 'a'), opt('-v', 'v'), opt('-a', 'a')],
      operands: ['msg'],
    },
  },
  'takes an optional long argument only after =': {
    spec: IPCRM,
    argv: ['--all=shm', '--all', 'sem', '--all=', '--al=msg'],
    expected: {
      options: [opt('--all', 'a', 'shm'), opt('--all', 'a'), opt('--all', 'a', ''), opt('--al', 'a', 'msg')],
      operands: ['sem'],
    },
  },
  'takes a required long argument after = or as the next element': {
    spec: IPCS,
    argv: ['--id=3', '--id', '4', '--id=', '--i=a=b'],
    expected: {
      options: [opt('--id', 'i', '3'), opt('--id', 'i', '4'), opt('--id', 'i', ''), opt('--i', 'i', 'a=b')],
      operands: [],
    },
  },
  'accepts unambiguous prefixes and reports them as typed': {
    spec: IPCS,
    argv: ['--hum', '--sh', '--c'],
    expected: { options: [opt('--hum', 'human'), opt('--sh', 'm'), opt('--c', 'c')], operands: [] },
  },
  'prefers an exact name over longer names it prefixes': {
    spec: PREFIXES,
    argv: ['--time', '--time-f', 'iso', '--posix'],
    expected: {
      options: [opt('--time', 't'), opt('--time-f', 'T', 'iso'), opt('--posix', 'p')],
      operands: [],
    },
  },
  'accepts a prefix shared only by identical options': {
    spec: PREFIXES,
    argv: ['--shm'],
    expected: { options: [opt('--shm', 'm')], operands: [] },
  },
  'permutes operands out from between options': {
    spec: IPCS,
    argv: ['foo', '-m', '', 'bar', '-', '-t', '--', '-q', '--'],
    expected: { options: [opt('-m', 'm'), opt('-t', 't')], operands: ['foo', '', 'bar', '-', '-q', '--'] },
  },
  'stops at the first operand when POSIXLY_CORRECT is set, even empty': {
    spec: { ...IPCS, env: { POSIXLY_CORRECT: '' } },
    argv: ['-m', 'foo', '-t', '--', '-x'],
    expected: { options: [opt('-m', 'm')], operands: ['foo', '-t', '--', '-x'] },
  },
  'stops at the first operand with a leading + in the spec': {
    spec: { ...IPCS, shortOptions: `+${IPCS.shortOptions}` },
    argv: ['-m', '--', 'foo', '-t'],
    expected: { options: [opt('-m', 'm')], operands: ['foo', '-t'] },
  },
  'treats mkfifo -Z as a flag and --context as taking an optional argument': {
    spec: MKFIFO,
    argv: ['-Zm', '644', '--context', 'a', '--context=u:r:t', '--co=', '--mode=600', 'b'],
    expected: {
      options: [
        opt('-Z', 'Z'),
        opt('-m', 'm', '644'),
        opt('--context', 'Z'),
        opt('--context', 'Z', 'u:r:t'),
        opt('--co', 'Z', ''),
        opt('--mode', 'm', '600'),
      ],
      operands: ['a', 'b'],
    },
  },
  'returns nothing for an empty argv': {
    spec: IPCS,
    argv: [],
    expected: { options: [], operands: [] },
  },

  'reports an unknown short option': { spec: IPCS, argv: ['-x'], expected: "ipcs: invalid option -- 'x'" },
  'reports an unknown letter inside a bundle': {
    spec: IPCS,
    argv: ['-m', '-tx', '-y'],
    expected: "ipcs: invalid option -- 'x'",
  },
  'reports a colon as an unknown option': {
    spec: IPCS,
    argv: ['-:'],
    expected: "ipcs: invalid option -- ':'",
  },
  'reports a dash inside a bundle as an unknown option': {
    spec: IPCS,
    argv: ['-m-'],
    expected: "ipcs: invalid option -- '-'",
  },
  'reports a + option when + only selects the ordering': {
    spec: { ...IPCS, shortOptions: `+${IPCS.shortOptions}` },
    argv: ['-+'],
    expected: "ipcs: invalid option -- '+'",
  },
  'uses the program name as given': {
    spec: { ...IPCS, program: '/usr/bin/ipcs' },
    argv: ['-x'],
    expected: "/usr/bin/ipcs: invalid option -- 'x'",
  },
  'reports a missing short argument': {
    spec: IPCS,
    argv: ['-mi'],
    expected: "ipcs: option requires an argument -- 'i'",
  },
  'reports a missing long argument with the full name': {
    spec: IPCS,
    argv: ['--i'],
    expected: "ipcs: option '--id' requires an argument",
  },
  'reports an unknown long option including its =value': {
    spec: IPCS,
    argv: ['--foo=bar'],
    expected: "ipcs: unrecognized option '--foo=bar'",
  },
  'reports three dashes as an unknown long option': {
    spec: IPCS,
    argv: ['---m'],
    expected: "ipcs: unrecognized option '---m'",
  },
  'reports any long option as unknown when there is no table': {
    spec: { program: 'prog', shortOptions: 'a' },
    argv: ['--a'],
    expected: "prog: unrecognized option '--a'",
  },
  'reports an argument given to a flag with the full name': {
    spec: IPCS,
    argv: ['--hum=1'],
    expected: "ipcs: option '--human' doesn't allow an argument",
  },
  'reports an ambiguous prefix with its =value and the candidates in table order': {
    spec: IPCS,
    argv: ['--s=1'],
    expected: "ipcs: option '--s=1' is ambiguous; possibilities: '--shmems' '--semaphores' '--summary'",
  },
  'lists every option for an empty name': {
    spec: MKFIFO,
    argv: ['--=x'],
    expected: "mkfifo: option '--=x' is ambiguous; possibilities: '--context' '--mode' '--help' '--version'",
  },
  'leaves out candidates identical to the first one': {
    spec: PREFIXES,
    argv: ['--posi'],
    expected: "prog: option '--posi' is ambiguous; possibilities: '--posix' '--posixly'",
  },
  'reports the first error only': {
    spec: IPCS,
    argv: ['foo', '--id', '1', '-y', '--bogus'],
    expected: "ipcs: invalid option -- 'y'",
  },
};

/** The table's expectation: the message alone for errors, the whole parse otherwise. */
function toOutcome(expected: Expected): Partial<Outcome> {
  if (typeof expected === 'string') return { error: expected };
  const options = expected.options.map(({ key, name, value }) =>
    value === undefined ? { key, long: name.startsWith('--') } : { key, long: name.startsWith('--'), value },
  );
  return { options, operands: expected.operands };
}

let glibc: ReturnType<typeof buildGlibcGetopt>;
beforeAll(() => {
  glibc = buildGlibcGetopt();
});
afterAll(() => glibc.dispose());

describe('getopt', () => {
  describe.each(Object.entries(CASES))('%s', (_title, { spec, argv, expected }) => {
    it('gives the expected result', () => {
      if (typeof expected === 'string') {
        expect(() => getopt(argv, spec)).toThrow(
          expect.objectContaining({ name: 'GetoptError', message: expected }),
        );
      } else {
        expect(getopt(argv, spec)).toEqual(expected);
      }
    });

    it('agrees with glibc getopt_long', () => {
      const theirs = runGlibc(glibc.binary, argv, spec);
      expect(theirs).toMatchObject(toOutcome(expected));
      // Ours in full, including the options parsed before an error.
      expect(runOurs(argv, spec)).toEqual(theirs);
    });
  });

  it('classifies errors by kind', () => {
    const kinds = [['-x'], ['-i'], ['--foo'], ['--s'], ['--hum=1']].map((argv) => {
      try {
        getopt(argv, IPCS);
        return 'none';
      } catch (error) {
        return (error as { kind: string }).kind;
      }
    });
    expect(kinds).toEqual([
      'invalid-option',
      'missing-argument',
      'unrecognized-option',
      'ambiguous-option',
      'unexpected-argument',
    ]);
  });

  it('prints a non-ASCII option character whole (glibc prints its first byte)', () => {
    expect(() => getopt(['-mé'], IPCS)).toThrow("ipcs: invalid option -- 'é'");
  });

  it('rejects option strings it does not implement', () => {
    expect(() => getopt([], { program: 'p', shortOptions: '-a' })).toThrow(TypeError);
    expect(() => getopt([], { program: 'p', shortOptions: ':a' })).toThrow(TypeError);
  });

  it('types keys as the spec letters plus the long-only keys', () => {
    const longOptions = [{ name: 'human', hasArg: 'no', key: 'human' }] as const satisfies LongOption[];
    const { options } = getopt(['-i3', '--human', '-a'], {
      program: 'p',
      shortOptions: '+i:a::b',
      longOptions,
    });
    expectTypeOf(options[0]!.key).toEqualTypeOf<'i' | 'a' | 'b' | 'human'>();
    expectTypeOf<ShortOptionKeys<string>>().toEqualTypeOf<string>();
    expect(options.map((option) => option.key)).toEqual(['i', 'human', 'a']);
  });

  it('matches the messages of the installed util-linux and coreutils tools', () => {
    // Every argv fails in getopt before the tool acts, so this touches no IPC object or file.
    const runs: [GetoptOptions, string, string[]][] = [
      [IPCS, '/usr/bin/ipcs', ['--=x']],
      [IPCS, '/usr/bin/ipcs', ['-mx']],
      [IPCS, 'ipcs', ['--s=1']],
      [IPCS, 'ipcs', ['-i']],
      [IPCRM, 'ipcrm', ['--=x']],
      [IPCRM, 'ipcrm', ['--verbose=1']],
      [MKFIFO, 'mkfifo', ['--=x']],
      [MKFIFO, 'mkfifo', ['--mode']],
    ];
    for (const [spec, command, argv] of runs) {
      const real = spawnSync(command, argv, { encoding: 'utf8', env: { PATH: '/usr/bin:/bin' } });
      const ours = runOurs(argv, { ...spec, program: command });
      expect({ argv, message: real.stderr.split('\n')[0] }).toEqual({
        argv,
        message: 'error' in ours && ours.error,
      });
    }
  });
});

describe('extensions', () => {
  const longOptions = [
    { name: 'help', hasArg: 'no', key: 'h' },
    { name: 'output', hasArg: 'required', key: 'o' },
    { name: 'holders', hasArg: 'no', key: 'holders', extension: true },
    { name: 'owner', hasArg: 'required', key: 'owner', extension: true },
    { name: 'orphaned', hasArg: 'no', key: 'orphaned', extension: true },
  ] as const;
  const parse = (...argv: string[]) =>
    getopt(argv, { program: 'p', shortOptions: 'ho:', longOptions }).options.map((option) => option.key);

  it("never take an abbreviation from the tool's own options", () => {
    expect(parse('--h')).toEqual(['h']);
    expect(parse('--o', 'x')).toEqual(['o']);
  });

  it('are reached by what only they match, and by their full names', () => {
    expect(parse('--ho', '--ow', 'x', '--or', '--holders')).toEqual([
      'holders',
      'owner',
      'orphaned',
      'holders',
    ]);
  });

  it('are ambiguous among themselves as glibc would have it', () => {
    const only = { program: 'p', shortOptions: '', longOptions: longOptions.slice(3) };
    expect(() => getopt(['--o'], only)).toThrow(
      "p: option '--o' is ambiguous; possibilities: '--owner' '--orphaned'",
    );
  });
});

describe('getopt against glibc on random specs and arguments', () => {
  const names = ['al', 'all', 'alias', 'b', 'be', 'bee', 'c-d', 'cd'];
  const typedNames = [...new Set(names.flatMap((name) => [...name].map((_, n) => name.slice(0, n + 1))))];
  const mode = fc.constantFrom('no' as const, 'required' as const, 'optional' as const);
  const value = fc.constantFrom('', 'v', '-5', '=', 'a b', '--');

  const spec = fc.record({
    stopAtOperand: fc.boolean(),
    posixlyCorrect: fc.boolean(),
    // Letters may repeat: glibc then uses the first occurrence.
    shorts: fc.array(fc.record({ letter: fc.constantFrom('a', 'b', 'c', 'd'), mode }), { maxLength: 5 }),
    longs: fc.array(
      fc.record({
        name: fc.constantFrom(...names),
        hasArg: mode,
        key: fc.constantFrom('a', 'b', 'c', 'k1', 'k2'),
      }),
      { maxLength: 6 },
    ),
  });

  const token = fc.oneof(
    {
      weight: 2,
      arbitrary: fc
        .array(fc.constantFrom('a', 'b', 'c', 'd', 'x', ':', '-', '='), { minLength: 1, maxLength: 4 })
        .map((letters) => `-${letters.join('')}`),
    },
    {
      weight: 3,
      arbitrary: fc
        .tuple(fc.constantFrom(...typedNames, '', 'zz', '-a'), fc.option(value, { freq: 2 }))
        .map(([name, arg]) => `--${name}${arg === null ? '' : `=${arg}`}`),
    },
    { weight: 1, arbitrary: fc.constantFrom('--', '-', '', 'foo', 'bar') },
    { weight: 1, arbitrary: value },
  );

  it('gives the same options, operands and first error message', () => {
    fc.assert(
      fc.property(spec, fc.array(token, { maxLength: 8 }), (s, argv) => {
        const letters = s.shorts.map(
          ({ letter, mode: m }) => letter + { no: '', required: ':', optional: '::' }[m],
        );
        const options: GetoptOptions = {
          program: 'prog',
          shortOptions: (s.stopAtOperand ? '+' : '') + letters.join(''),
          longOptions: s.longs,
          env: s.posixlyCorrect ? { POSIXLY_CORRECT: '1' } : {},
        };
        expect(runOurs(argv, options)).toEqual(runGlibc(glibc.binary, argv, options));
      }),
      { numRuns: 1500 },
    );
  });
});

describe('what was parsed before the first bad option', () => {
  const spec = {
    program: 'ipcs',
    shortOptions: 'i:qmsh',
    longOptions: [{ name: 'human', hasArg: 'no', key: 'human' }],
  } as const;

  it('keeps options, bundle letters and operands before the error, in order', () => {
    const result = getoptUntilError(['-m', 'extra', '-qhx', '--human'], spec);
    expect(result.error?.message).toBe("ipcs: invalid option -- 'x'");
    expect(result.options.map((option) => option.name)).toEqual(['-m', '-q', '-h']);
    expect(result.operands).toEqual(['extra']);
  });

  it('returns the whole parse and no error when nothing is wrong', () => {
    const result = getoptUntilError(['-i', '3', '-m', '--hum'], spec);
    expect(result.error).toBeUndefined();
    expect(result.options).toEqual([
      { key: 'i', name: '-i', value: '3' },
      { key: 'm', name: '-m' },
      { key: 'human', name: '--hum' },
    ]);
  });

  it('attaches the partial parse to a thrown GetoptError', () => {
    try {
      getopt(['-s', '--bogus'], spec);
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(GetoptError);
      expect((error as GetoptError).parsed.options).toEqual([{ key: 's', name: '-s' }]);
    }
  });
});
