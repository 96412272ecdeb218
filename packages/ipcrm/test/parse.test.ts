import { describe, expect, it } from 'vitest';
import { abbreviationCases } from '../../../test/helpers/abbreviations.js';
import { ALL_CATEGORIES } from '../src/command.js';
import { LONG_OPTIONS, parseCategories, parseCommand, parseLegacyId, SHORT_OPTIONS } from '../src/parse.js';

const context = { argv0: 'ipcrm', env: {} };
const parse = (...argv: string[]) => parseCommand(argv, context);

describe('parseCommand', () => {
  it('refuses an empty command line with "bad usage" (util-linux 2.41+)', () => {
    expect(parse()).toEqual({ kind: 'invalid', diagnostics: [{ kind: 'bad-usage' }] });
  });

  it('keeps removals in command-line order, each with -v as it stood there', () => {
    const result = parse('-m', '3', '-v', '--queue-key', '0x10', '--posix-semaphore', 's', '-S', '010');
    expect(result).toEqual({
      kind: 'run',
      command: {
        legacy: false,
        actions: [
          { kind: 'remove', target: { type: 'shm', by: 'id', id: 3 }, verbose: false },
          { kind: 'remove', target: { type: 'msg', by: 'key', key: 16, text: '0x10' }, verbose: true },
          { kind: 'remove', target: { type: 'psem', by: 'name', name: 's' }, verbose: true },
          { kind: 'remove', target: { type: 'sem', by: 'key', key: 8, text: '010' }, verbose: true },
        ],
      },
    });
  });

  it('runs --all after every other option, with the final -v, and the last category wins', () => {
    const result = parse('-ashm', '-m', '1', '--all=msg', '-v');
    expect(result).toEqual({
      kind: 'run',
      command: {
        legacy: false,
        actions: [
          { kind: 'remove', target: { type: 'shm', by: 'id', id: 1 }, verbose: false },
          { kind: 'remove-all', categories: ['msg'], verbose: true },
        ],
      },
    });
  });

  it('accepts -a=shm like util-linux 2.43', () => {
    expect(parse('-a=sem')).toMatchObject({
      command: { actions: [{ kind: 'remove-all', categories: ['sem'] }] },
    });
  });

  it('reads "-1" as 0xffffffff, as strtoul does, and refuses keys wider than key_t', () => {
    expect(parse('-M', '0xffffffff')).toMatchObject({ command: { actions: [{ target: { key: -1 } }] } });
    for (const text of ['0x1ffffffff', '0x100000000', '-4294967295']) {
      expect(parse('-M', text)).toEqual({
        kind: 'invalid',
        diagnostics: [{ kind: 'parse-failed', text, reason: 'range' }],
      });
    }
    expect(parse('-Q', '-1')).toMatchObject({ command: { actions: [{ target: { key: -1, text: '-1' } }] } });
  });

  it('accepts negative ids (the kernel answers "invalid id")', () => {
    expect(parse('-s', '-1')).toMatchObject({ command: { actions: [{ target: { id: -1 } }] } });
  });

  describe('fix 1: nothing runs when any argument is bad', () => {
    it('a category as a separate word is a leftover argument', () => {
      expect(parse('-a', 'shm')).toEqual({
        kind: 'invalid',
        diagnostics: [{ kind: 'unknown-argument', text: 'shm' }],
      });
    });

    it('a bad id after a good one stops everything', () => {
      expect(parse('-m', '1', '-m', 'abc')).toEqual({
        kind: 'invalid',
        diagnostics: [{ kind: 'parse-failed', text: 'abc', reason: 'invalid' }],
      });
    });

    it('key 0 is reported and blocks the other removals', () => {
      expect(parse('-m', '1', '-M', '0x0', '-m', '2')).toEqual({
        kind: 'invalid',
        diagnostics: [{ kind: 'illegal-key', text: '0x0' }],
      });
    });

    it('reports warnings first, then the error that ends parsing, as util-linux prints them', () => {
      expect(parse('-M', '0', '-S', '00', '-q', '99999999999')).toEqual({
        kind: 'invalid',
        diagnostics: [
          { kind: 'illegal-key', text: '0' },
          { kind: 'illegal-key', text: '00' },
          { kind: 'parse-failed', text: '99999999999', reason: 'range' },
        ],
      });
    });

    it('a POSIX message queue name without "/" is refused before anything runs', () => {
      expect(parse('-m', '1', '--posix-mqueue', 'q')).toEqual({
        kind: 'invalid',
        diagnostics: [{ kind: 'invalid-mqueue-name', name: 'q', verbose: false }],
      });
      // util-linux 2.43 announces it on stdout first when -v came before it.
      expect(parse('-v', '--posix-mqueue', 'q')).toEqual({
        kind: 'invalid',
        diagnostics: [{ kind: 'invalid-mqueue-name', name: 'q', verbose: true }],
      });
    });

    it('an unknown attached category is an error of its own, without try-help', () => {
      expect(parse('-m', '1', '--all=foo')).toEqual({
        kind: 'invalid',
        diagnostics: [{ kind: 'unknown-category', text: 'foo' }],
      });
      expect(parse('-a=bar')).toMatchObject({ diagnostics: [{ kind: 'unknown-category', text: 'bar' }] });
    });
  });

  describe('errors in the order glibc getopt meets them', () => {
    it('a bad value before an unknown option is reported, not the option', () => {
      expect(parse('-m', 'zz', '-Z')).toMatchObject({ diagnostics: [{ kind: 'parse-failed', text: 'zz' }] });
    });

    it("an unknown option before a bad value is reported with getopt's text", () => {
      expect(parse('-Z', '-m', 'zz')).toEqual({
        kind: 'invalid',
        diagnostics: [{ kind: 'getopt', message: "ipcrm: invalid option -- 'Z'" }],
      });
    });

    it('-h before an unknown option prints help, also inside a bundle', () => {
      expect(parse('-h', '--bogus')).toEqual({ kind: 'help', diagnostics: [] });
      expect(parse('-vhZ')).toEqual({ kind: 'help', diagnostics: [] });
      expect(parse('-Z', '-h')).toMatchObject({ kind: 'invalid' });
    });

    it('keeps warnings printed before --version', () => {
      expect(parse('-M', '0', '--vers')).toEqual({
        kind: 'version',
        diagnostics: [{ kind: 'illegal-key', text: '0' }],
      });
    });

    it('reports only the first leftover operand', () => {
      expect(parse('-m', '1', 'extra', 'more')).toEqual({
        kind: 'invalid',
        diagnostics: [{ kind: 'unknown-argument', text: 'extra' }],
      });
    });

    it('stops at the first operand when POSIXLY_CORRECT is set', () => {
      const result = parseCommand(['x', '-m', '1'], { argv0: 'ipcrm', env: { POSIXLY_CORRECT: '' } });
      expect(result).toEqual({ kind: 'invalid', diagnostics: [{ kind: 'unknown-argument', text: 'x' }] });
    });
  });

  describe('legacy syntax', () => {
    it('parses every id and marks the command for "resource(s) deleted"', () => {
      expect(parse('sem', '1', ' 2', '+3')).toEqual({
        kind: 'run',
        command: {
          legacy: true,
          actions: [1, 2, 3].map((id) => ({
            kind: 'remove',
            target: { type: 'sem', by: 'id', id },
            verbose: false,
          })),
        },
      });
    });

    it('reports every invalid id, then removes nothing', () => {
      expect(parse('shm', 'abc', '1', '0x10')).toEqual({
        kind: 'invalid',
        diagnostics: [
          { kind: 'invalid-legacy-id', text: 'abc' },
          { kind: 'invalid-legacy-id', text: '0x10' },
        ],
      });
    });

    it('needs at least one id', () => {
      expect(parse('msg')).toEqual({ kind: 'invalid', diagnostics: [{ kind: 'not-enough-arguments' }] });
    });

    it('applies only when the first argument is exactly shm, msg or sem', () => {
      expect(parse('-v', 'shm', '1')).toMatchObject({
        diagnostics: [{ kind: 'unknown-argument', text: 'shm' }],
      });
      expect(parse('constructor', '1')).toMatchObject({ diagnostics: [{ kind: 'unknown-argument' }] });
    });
  });
});

describe('parseLegacyId (strtoul base 10 into an int)', () => {
  it.each([
    ['7', 7],
    ['  7', 7],
    ['+7', 7],
    ['-1', -1],
    ['4294967295', -1],
    ['-2147483648', -2147483648],
    ['', 0],
  ])('%j → %d', (text, id) => {
    expect(parseLegacyId(text)).toBe(id);
  });

  // Beyond an int, signed or unsigned: util-linux keeps the low 32 bits ("4294967296" is id 0).
  it.each([
    'abc',
    '0x10',
    '7 ',
    ' ',
    '-',
    '18446744073709551616',
    '1e3',
    '4294967296',
    '18446744073709551615',
    '-2147483649',
  ])('%j is invalid', (text) => {
    expect(parseLegacyId(text)).toBeUndefined();
  });
});

describe('parseCategories', () => {
  it('maps every category and strips one leading "="', () => {
    expect(parseCategories(undefined)).toBe(ALL_CATEGORIES);
    for (const name of ['shm', 'pshm', 'msg', 'pmsg', 'sem', 'psem']) {
      expect(parseCategories(name)).toEqual([name]);
      expect(parseCategories(`=${name}`)).toEqual([name]);
    }
    expect(parseCategories('==shm')).toBeUndefined();
    expect(parseCategories('pmq')).toBeUndefined();
    expect(parseCategories('')).toBeUndefined();
    expect(parseCategories('toString')).toBeUndefined();
  });

  it('removes everything in util-linux order', () => {
    expect(ALL_CATEGORIES).toEqual(['shm', 'pshm', 'sem', 'psem', 'msg', 'pmsg']);
  });
});

it("keeps every abbreviation of util-linux's options: ours never make one ambiguous", () => {
  const cases = abbreviationCases(SHORT_OPTIONS, LONG_OPTIONS);
  expect(cases.length).toBeGreaterThan(100);
  for (const { typed, ours, reference } of cases) expect(ours, typed).toBe(reference);
});
