// Differential tests: our built mkfifo against the installed coreutils mkfifo (9.1), both run by
// bare name through PATH so messages carry the same program name, on identical fresh directories.
// Compared: stdout, stderr, exit status, and every resulting file's name, type and mode (stat -c %A).
import { spawn, spawnSync } from 'node:child_process';
import {
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { collect } from './helpers/namespace.js';

const root = join(import.meta.dirname, '..');
const ourBin = join(root, 'packages/fifo-tools/dist/mkfifo.js');
const UMASKS = ['000', '022', '077', '777'] as const;

interface Case {
  title: string;
  args: string[];
  umask: string;
  /** Files made before the run: regular files, directories (trailing "/") and FIFOs ("|" suffix). */
  setup?: string[];
  env?: Record<string, string>;
  /** Run as nobody (setpriv) in a directory nobody may not write. */
  asNobody?: boolean;
}

interface Outcome {
  stdout: string;
  stderr: string;
  status: number | null;
  /** "NAME MODE" of everything in the working directory afterwards. */
  files: string;
}

let work: string;
let ourPath: string;

beforeAll(() => {
  if (!existsSync(ourBin)) throw new Error(`${ourBin} is missing: run node scripts/build.mjs first`);
  work = mkdtempSync(join(tmpdir(), 'mkfifo-diff-'));
  const bin = join(work, 'bin');
  mkdirSync(bin);
  // The nobody cases must reach the bin and their working directories.
  chmodSync(work, 0o755);
  symlinkSync(ourBin, join(bin, 'mkfifo'));
  ourPath = `${bin}:/usr/bin:/bin`;
});

afterAll(() => {
  rmSync(work, { recursive: true, force: true });
});

const SYMBOLIC_MODES = [
  'u=rw,g=r',
  '+x',
  'a-w',
  '=r',
  'go=',
  'u=rwx,g=u,o=g-w',
  'a+X',
  '+X',
  'u+x,a+X',
  'u=rw,g=r,o=',
  '=',
  '+',
  '-',
  'a=',
  'ug+rw,o+r',
  'u=g',
  'g=o',
  'o=u',
  'a=r,u+w',
  'u-rw+x',
  'u=rw-x+r',
  'u=rwxX',
  'a-rwx',
  'u=r,g=w,o=x',
  '=rw',
  '+r',
  '-w',
  '-x',
  '+w,-r',
  'go=u-w',
  'a=rw,go-w',
  '=644',
  '+7',
  '-7',
  '+0',
  'ugo=rwx',
  'aa=r',
  'uu+x',
  'g=u,o=g',
  'u=,g=,o=r',
];
const NUMERIC_MODES = ['644', '0', '000', '7', '77', '777', '0777', '00644', '0666', '600', '0000644', '734'];
const SPECIAL_BIT_MODES = [
  '1777',
  '4755',
  '2755',
  '07777',
  '7777',
  'u+s',
  'o+t',
  'g+s',
  '+s',
  '+t',
  'a+st',
  'u=rwxs',
];
// Mostly invalid; a few (-1, =644,u+x) are valid and look as if they were not.
const ODD_MODES = [
  'bogus',
  '',
  '888',
  '8',
  '-1',
  '17777',
  '0o644',
  '64a',
  'u=7',
  'u=go',
  'rw',
  'u',
  'a=rwx,',
  ',a=r',
  'u=rw,,g=r',
  'x=r',
  'u=r g=r',
  'A=r',
  'u=R',
  '=644,u+x',
  '=8',
  '+99999',
];

const ODD_NAMES = [
  'sp ace',
  "it's",
  'nl\nx',
  'tab\tx',
  'back\\slash',
  '$HOME',
  'a"b',
  'it\'s "x"',
  '-dash',
  'é',
  '*',
  '~',
  '#x',
  'x#',
];

function caseTable(): Case[] {
  const cases: Case[] = [];
  for (const umask of UMASKS) {
    const add = (title: string, args: string[], extra: Partial<Case> = {}) =>
      cases.push({ title: `umask ${umask}: ${title}`, args, umask, ...extra });
    add('no mode', ['f']);
    add('several names', ['f', 'g', 'h']);
    for (const mode of [...NUMERIC_MODES, ...SYMBOLIC_MODES, ...SPECIAL_BIT_MODES, ...ODD_MODES]) {
      add(`-m ${JSON.stringify(mode)}`, ['-m', mode, 'f']);
    }
    for (const mode of ['644', 'u=rw,g=r', '+x', 'bogus', '4755']) {
      add(`--mode=${mode}`, [`--mode=${mode}`, 'f']);
      add(`-m${mode}`, [`-m${mode}`, 'f', 'g']);
    }
    add('abbreviated --mo', ['--mo', '600', 'f']);
    add('existing regular file', ['a'], { setup: ['a'] });
    add('existing fifo', ['p'], { setup: ['p|'] });
    add('existing directory', ['d'], { setup: ['d/'] });
    add('continues after a failure', ['a', 'f', 'nodir/x', 'g'], { setup: ['a'] });
    add('missing directory', ['nodir/x']);
    add('not a directory', ['a/b'], { setup: ['a'] });
    add('empty name', ['']);
    add('name too long', ['x'.repeat(256)]);
    add('path too long', [`${'d/'.repeat(2100)}x`]);
    add('missing operand', []);
    add('missing operand after -m', ['-m', '644']);
    add('missing operand beats invalid mode', ['-m', 'bogus']);
    add('invalid mode creates nothing', ['-m', 'bogus', 'f', 'g']);
    add('special bits create nothing', ['-m', '4755', 'f', 'g']);
    add('invalid option', ['-x']);
    add('invalid option with names', ['f', '-x', 'g']);
    add('unrecognized long option', ['--bogus', 'f']);
    add('--mode without argument', ['--mode']);
    add('-m without argument', ['-m']);
    add('--help takes no argument', ['--help=x']);
    add('--context= warns', ['--context=', 'f']);
    add('--context=CTX warns', ['--context=system_u:object_r:tmp_t:s0', 'f']);
    add('-Z is silent', ['-Z', 'f']);
    add('--context is silent', ['--context', 'f']);
    add('-Z bundled with -m', ['-Zm', '600', 'f']);
    add('warning comes before the option error', ['--context=x', '-Q', 'f']);
    add('--help before a bad option wins', ['--context=x', '--help', '-Q']);
    add('a bad option before --help wins', ['-Q', '--help']);
    add('-m swallows --help', ['-m', '--help', 'f']);
    add('--help', ['--help']);
    add('abbreviated --he', ['--he']);
    add('-- ends options', ['--', '-m', '--help']);
    add('options after names (permutation)', ['f', '-m', '600', 'g']);
    add('POSIXLY_CORRECT stops at the first name', ['f', '-m', '600'], { env: { POSIXLY_CORRECT: '1' } });
    add('names with odd characters', ['--', ...ODD_NAMES]);
    add('odd names already exist', ['--', ...ODD_NAMES], { setup: ODD_NAMES });
    add(
      'odd names in a missing directory',
      ODD_NAMES.map((name) => `nodir/${name}`),
    );
    add(
      'odd names, UTF-8 locale',
      ODD_NAMES.map((name) => `nodir/${name}`),
      { env: { LC_ALL: 'C.UTF-8' } },
    );
    add('permission denied', ['f', '-m', '600', 'g'], { asNobody: true });
  }
  return cases;
}

/** Random symbolic modes from the grammar, seeded so the table is the same on every run. */
function randomModeCases(): Case[] {
  const who = fc.stringMatching(/^[ugoa]{0,3}$/);
  const perms = fc.oneof(fc.stringMatching(/^[rwxX]{0,3}$/), fc.constantFrom('u', 'g', 'o'));
  const action = fc.tuple(fc.constantFrom('=', '+', '-'), perms).map(([op, p]) => op + p);
  const clause = fc
    .tuple(who, fc.array(action, { minLength: 1, maxLength: 3 }))
    .map(([w, a]) => w + a.join(''));
  const mode = fc.array(clause, { minLength: 1, maxLength: 3 }).map((clauses) => clauses.join(','));
  const samples = fc.sample(fc.tuple(mode, fc.constantFrom(...UMASKS)), { numRuns: 120, seed: 20240521 });
  return samples.map(([m, umask]) => ({
    title: `random: umask ${umask} -m ${m}`,
    args: ['-m', m, 'f'],
    umask,
  }));
}

function prepare(dir: string, setup: readonly string[]): void {
  mkdirSync(dir);
  for (const entry of setup) {
    if (entry.endsWith('/')) mkdirSync(join(dir, entry));
    else if (entry.endsWith('|')) spawnSync('/usr/bin/mkfifo', [join(dir, entry.slice(0, -1))]);
    else writeFileSync(join(dir, entry), '');
  }
}

function run(testCase: Case, dir: string, path: string): Promise<Outcome> {
  const setpriv = ['setpriv', '--reuid=65534', '--regid=65534', '--clear-groups', '--'];
  const command = [
    ...(testCase.asNobody ? setpriv : []),
    'sh',
    '-c',
    'umask "$0" && exec mkfifo "$@"',
    testCase.umask,
    ...testCase.args,
  ] as [string, ...string[]];
  const child = spawn(command[0], command.slice(1), {
    cwd: dir,
    env: { PATH: path, LC_ALL: 'C', ...testCase.env },
  });
  return collect(child).then((result) => ({ ...result, files: listFiles(dir) }));
}

function listFiles(dir: string): string {
  const names = readdirSync(dir).sort();
  if (names.length === 0) return '';
  const stat = spawnSync('stat', ['-c', '%n %A', '--', ...names], { cwd: dir, encoding: 'utf8' });
  return stat.stdout;
}

async function compare(testCase: Case): Promise<{ ours: Outcome; reference: Outcome }> {
  const dir = mkdtempSync(join(work, 'case-'));
  const setup = testCase.setup ?? [];
  prepare(join(dir, 'ours'), setup);
  prepare(join(dir, 'ref'), setup);
  if (testCase.asNobody) spawnSync('chmod', ['755', dir, join(dir, 'ours'), join(dir, 'ref')]);
  const [ours, reference] = await Promise.all([
    run(testCase, join(dir, 'ours'), ourPath),
    run(testCase, join(dir, 'ref'), '/usr/bin:/bin'),
  ]);
  rmSync(dir, { recursive: true, force: true });
  return { ours, reference };
}

const cases = [...caseTable(), ...randomModeCases()];

describe.concurrent(`mkfifo matches coreutils mkfifo (${cases.length} cases)`, () => {
  it('generates the whole case table', () => {
    // 4 umasks x 138 table rows + 120 random modes.
    expect(cases).toHaveLength(4 * 138 + 120);
  });

  it.each(cases)('$title', async (testCase) => {
    const { ours, reference } = await compare(testCase);
    expect(ours).toEqual(reference);
  });
});

describe('--version, the one deliberate difference', () => {
  it('names ipcutils, and otherwise behaves as coreutils (exit 0, nothing created)', async () => {
    const { ours, reference } = await compare({ title: '', args: ['--version', 'f'], umask: '022' });
    expect(ours.stdout).toBe('mkfifo (ipcutils) 0.2.0\n');
    expect(reference.stdout).toMatch(/^mkfifo \(GNU coreutils\) 9\./);
    expect({ ...ours, stdout: '' }).toEqual({ ...reference, stdout: '' });
  });
});

describe('the comparison itself', () => {
  it('sees a difference in the resulting mode', async () => {
    // The reference gets -m 600, ours -m 644: the harness must notice.
    const dir = mkdtempSync(join(work, 'sanity-'));
    prepare(join(dir, 'a'), []);
    prepare(join(dir, 'b'), []);
    const ours = await run({ title: '', args: ['-m', '644', 'f'], umask: '022' }, join(dir, 'a'), ourPath);
    const reference = await run(
      { title: '', args: ['-m', '600', 'f'], umask: '022' },
      join(dir, 'b'),
      '/usr/bin:/bin',
    );
    expect(ours.files).toBe('f prw-r--r--\n');
    expect(reference.files).toBe('f prw-------\n');
  });

  it('runs ours by bare name, so messages say "mkfifo:"', async () => {
    const dir = mkdtempSync(join(work, 'name-'));
    prepare(join(dir, 'a'), []);
    const ours = await run({ title: '', args: ['--version'], umask: '022' }, join(dir, 'a'), ourPath);
    expect(ours.stdout).toBe('mkfifo (ipcutils) 0.2.0\n');
    const missing = await run({ title: '', args: [], umask: '022' }, join(dir, 'a'), ourPath);
    expect(missing.stderr).toBe("mkfifo: missing operand\nTry 'mkfifo --help' for more information.\n");
  });
});

describe('quoting of file names matches coreutils quoteaf', () => {
  // One run per locale with many names in a missing directory: one error line per name.
  const asciiNames = Array.from({ length: 127 }, (_, i) => String.fromCharCode(i + 1)).flatMap((c) => [
    c,
    `a${c}`,
    `${c}b`,
    `it's${c}`,
  ]);
  const unicodeNames = [
    'é',
    'aéb',
    "é's",
    '\u0085',
    '\u00a0',
    '\u00ad',
    '\u0378',
    '\u200b',
    '\u2028',
    '\ue000',
    '\ufeff',
    '\uffff',
    '😀',
    "😀's",
    'a\n😀',
    '\u0300',
  ];

  it.each(['C', 'C.UTF-8'])('every ASCII character and odd Unicode in LC_ALL=%s', async (locale) => {
    const names = [...asciiNames, ...unicodeNames].map((name) => `nodir/${name}`);
    const testCase: Case = { title: '', args: names, umask: '022', env: { LC_ALL: locale } };
    const { ours, reference } = await compare(testCase);
    expect(reference.stderr.split('cannot create fifo').length - 1).toBe(names.length);
    expect(ours).toEqual(reference);
  });

  it('random names', async () => {
    const name = fc.string({ unit: 'binary', minLength: 0, maxLength: 12 }).filter((s) => !s.includes('\0'));
    const names = fc
      .sample(name, { numRuns: 400, seed: 7 })
      .map((s) => `nodir/${s.replace(/[\ud800-\udfff]/g, '?')}`);
    for (const locale of ['C', 'C.UTF-8']) {
      const { ours, reference } = await compare({
        title: '',
        args: names,
        umask: '022',
        env: { LC_ALL: locale },
      });
      expect(ours).toEqual(reference);
    }
  });
});
