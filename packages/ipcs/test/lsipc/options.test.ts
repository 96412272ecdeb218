// lsipc's option parsing: util-linux 2.43's column lists, exclusive groups and their quirks, the
// errors in command-line order. (Messages shared with 2.38.1 are also checked live in test/lsipc.test.ts.)
import { describe, expect, it } from 'vitest';
import { abbreviationCases } from '../../../../test/helpers/abbreviations.js';
import { LONG_OPTIONS, parseCommand, SHORT_OPTIONS } from '../../src/lsipc/options.js';

function run(...args: string[]) {
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

describe('resources and columns', () => {
  it('defaults to the global view of every resource', () => {
    const options = run();
    expect(options.global).toBe(true);
    expect([...options.resources]).toEqual(['msg', 'pmsg', 'shm', 'pshm', 'sem', 'psem']);
    expect(options.columns).toEqual(['RESOURCE', 'DESCRIPTION', 'LIMIT', 'USED', 'USE%']);
  });

  it('keeps COMMAND last when -t adds the shm times; -c adds UID and GID for System V only', () => {
    expect(run('-m', '-t').columns.slice(-3)).toEqual(['ATTACH', 'DETACH', 'COMMAND']);
    expect(run('-q', '-c').columns.slice(-4)).toEqual(['CUID', 'CGID', 'UID', 'GID']);
    expect(run('-S', '-c').columns).toEqual(['NAME', 'PERMS', 'OWNER', 'MTIME', 'SVAL', 'CUID', 'CGID']);
  });

  it('the pretty view of -i/-N lists every column unless -c or -t choose them; -o replaces or appends', () => {
    expect(run('-m', '-i', '0').columns).toHaveLength(37);
    expect(run('-m', '-i', '0', '-t').columns).toContain('ATTACH');
    expect(run('-m', '-i', '0', '-t').columns).toHaveLength(13);
    expect(run('-m', '-i', '0', '-o', 'key,ID').columns).toEqual(['KEY', 'ID']);
    expect(run('-m', '-i', '0', '-o', '+SIZE').columns).toHaveLength(38);
    expect(run('-M', '-N', 'x').timeFormat).toBe('full');
    expect(run('-m', '-i', '0', '--list').timeFormat).toBe('short');
  });

  it('repeating a resource option repeats its columns (util-linux adds them per option)', () => {
    expect(run('-s', '-s').columns).toEqual([
      'KEY',
      'ID',
      'PERMS',
      'OWNER',
      'NSEMS',
      'KEY',
      'ID',
      'PERMS',
      'OWNER',
      'NSEMS',
    ]);
  });

  it('-o past CTIME only within the last resource option range: POSIX defaults are refused too', () => {
    expect(error('-M', '-o', 'NAME,SIZE').message).toBe('column SIZE does not apply to the specified IPC');
    expect(error('-S', '-o', 'SVAL').message).toBe('column SVAL does not apply to the specified IPC');
    expect(run('-M', '-o', 'NAME,KEY,MTIME').columns).toEqual(['NAME', 'KEY', 'MTIME']);
    expect(error('-m', '-o', 'KEY,').message).toBe('unknown column: KEY,');
    expect(error('-m', '-o', 'KEY,,ID')).toEqual({ kind: 'error', message: undefined, tryHelp: false });
  });
});

describe('exclusive options', () => {
  it('uses the 2.42 wording, first option seen first', () => {
    expect(error('-s', '-m').message).toBe('options --semaphores and --shmems cannot be combined');
    expect(error('-r', '-J').message).toBe('options --raw and --json cannot be combined');
    expect(error('-N', 'x', '-g').message).toBe('options --name and --global cannot be combined');
    expect(error('-c', '-t').message).toBe('options --creator and --time cannot be combined');
  });

  it('never checks the uppercase POSIX options (their row is out of ASCII order): merged tables', () => {
    expect([...run('-M', '-Q', '-S').resources]).toEqual(['pshm', 'pmsg', 'psem']);
    expect([...run('-m', '-M').resources]).toEqual(['shm', 'pshm']);
  });

  it('reports whatever comes first on the command line', () => {
    expect(error('-m', '-s', '--bogus').message).toBe('options --shmems and --semaphores cannot be combined');
    expect(error('--bogus', '-m', '-s')).toEqual({
      kind: 'error',
      message: "lsipc: unrecognized option '--bogus'",
      tryHelp: true,
    });
    expect(error('-sx').message).toBe("lsipc: invalid option -- 'x'");
    expect(error('-s', '-mx').message).toBe('options --semaphores and --shmems cannot be combined');
    expect(parseCommand(['-m', '-h', '--bogus'], 'lsipc')).toEqual({ kind: 'help' });
  });
});

describe('values', () => {
  it('parses -i as util-linux strtos32_or_err; -1 is "no id", other negatives select everything', () => {
    expect(error('-m', '-i', '0x10').message).toBe("failed to parse IPC identifier: '0x10'");
    expect(error('-m', '-i', '2147483648').message).toBe(
      "failed to parse IPC identifier: '2147483648': Numerical result out of range",
    );
    expect(run('-m', '-i', ' +7').id).toBe(7);
    expect(run('-m', '-i', '-1').mode).toBe('table');
    expect(run('-m', '-i', '-5').mode).toBe('pretty');
  });

  it('knows the three time formats, by exact name', () => {
    expect(run('-m', '--time-format', 'iso').timeFormat).toBe('iso');
    expect(error('-m', '--time-format=ISO').message).toBe('unknown time format: ISO');
  });

  it('stops at the column limit: twice the 37 columns', () => {
    expect(error(...Array<string>(7).fill('-m')).message).toBe(
      'too many columns specified, the limit is 73 columns',
    );
    expect(run(...Array<string>(6).fill('-m'), '-t').columns).toHaveLength(68);
  });
});

describe('abbreviations', () => {
  it("keeps every abbreviation of util-linux's options: ours never make one ambiguous", () => {
    const cases = abbreviationCases(SHORT_OPTIONS, LONG_OPTIONS);
    expect(cases.length).toBeGreaterThan(150);
    for (const { typed, ours, reference } of cases) expect(ours, typed).toBe(reference);
  });

  it('--h is --help and --o is --output, as in util-linux; --ho and --ow reach ours', () => {
    expect(parseCommand(['--h'], 'lsipc').kind).toBe('help');
    expect(run('-m', '--o', 'ID').columns).toEqual(['ID']);
    expect(run('-m', '--ho').columns).toContain('HOLDERS');
    expect(run('-m', '--ow', 'root').filter.owner).toBe(0);
    expect(run('-m', '--or').filter.orphaned).toBe(true);
  });
});
