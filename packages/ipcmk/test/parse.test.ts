import { describe, expect, it } from 'vitest';
import { abbreviationCases } from '../../../test/helpers/abbreviations.js';
import { LONG_OPTIONS, parseProjectId, parseRequest, SHORT_OPTIONS } from '../src/parse.js';

const context = { argv0: 'ipcmk', env: {} };
const parse = (...argv: string[]) => parseRequest(argv, context);

describe('parseRequest', () => {
  it('lists resources in util-linux creation order whatever the option order', () => {
    const result = parse('-s', '-S', '2', '-q', '-Q', '-m', '1K', '-M', '100', '-n', '/x');
    expect(result).toMatchObject({
      kind: 'create',
      request: {
        resources: [
          { kind: 'shm', size: 100n },
          { kind: 'pshm', name: '/x', size: 100n },
          { kind: 'msg' },
          { kind: 'pmsg', name: '/x' },
          { kind: 'sem', nsems: 2 },
          { kind: 'psem', name: '/x' },
        ],
        mode: 0o644,
        keySource: { kind: 'random' },
        json: false,
      },
    });
  });

  it('shares one size between -M and -m, the last one given, as util-linux does', () => {
    expect(parse('-m', '8K', '-M', '1', '-n', 'a')).toMatchObject({
      request: {
        resources: [
          { kind: 'shm', size: 1n },
          { kind: 'pshm', size: 1n },
        ],
      },
    });
  });

  it('parses sizes with suffixes and modes in octal', () => {
    expect(parse('-M', '1.5KiB', '-p', '0600')).toMatchObject({
      request: { resources: [{ kind: 'shm', size: 1536n }], mode: 0o600 },
    });
    expect(parse('-Q', '-p', '7777')).toMatchObject({ request: { mode: 0o7777 } });
  });

  it('ignores operands, as util-linux does', () => {
    expect(parse('-Q', 'extra')).toMatchObject({ kind: 'create', request: { resources: [{ kind: 'msg' }] } });
  });

  it.each([
    [['-M', 'abc'], { value: 'size', text: 'abc', reason: 'invalid' }],
    [['-m', '-5', '-n', 'x'], { value: 'size', text: '-5', reason: 'invalid' }],
    [['-M', '16E'], { value: 'size', text: '16E', reason: 'range' }],
    [['-S', 'x'], { value: 'elements', text: 'x', reason: 'invalid' }],
    [['-S', '2147483648'], { value: 'elements', text: '2147483648', reason: 'range' }],
    [['-Q', '-p', '999'], { value: 'mode', text: '999', reason: 'invalid' }],
    [['-Q', '-p', '77777'], { value: 'mode', text: '77777', reason: 'range' }],
    [['-Q', '--key', '0xz'], { value: 'key', text: '0xz', reason: 'invalid' }],
    [['-Q', '--ftok', '/', '--project-id', '256'], { value: 'project id', text: '256', reason: 'range' }],
  ])('%j is a parse failure', (argv, failure) => {
    expect(parse(...argv)).toEqual({ kind: 'invalid', diagnostic: { kind: 'parse-failed', ...failure } });
  });

  it('stops at the first bad value, before later getopt errors', () => {
    expect(parse('-M', 'abc', '-Z')).toMatchObject({ diagnostic: { kind: 'parse-failed', text: 'abc' } });
    expect(parse('-Z', '-M', 'abc')).toEqual({
      kind: 'invalid',
      diagnostic: { kind: 'getopt', message: "ipcmk: invalid option -- 'Z'" },
    });
  });

  it('answers -h and -V where getopt meets them', () => {
    expect(parse('-Q', '-h', '-Z')).toEqual({ kind: 'help' });
    expect(parse('--vers')).toEqual({ kind: 'version' });
    expect(parse('-M', 'x', '-h')).toMatchObject({ kind: 'invalid' });
  });

  it('needs a resource, and a name for POSIX ones', () => {
    expect(parse()).toEqual({ kind: 'invalid', diagnostic: { kind: 'bad-usage' } });
    expect(parse('-p', '600', '-n', 'x')).toEqual({ kind: 'invalid', diagnostic: { kind: 'bad-usage' } });
    expect(parse('-M', '1', '-q')).toEqual({ kind: 'invalid', diagnostic: { kind: 'name-required' } });
  });

  describe('--key, --ftok, --project-id, --json', () => {
    it('reads --key like ipcrm reads keys (0 is IPC_PRIVATE)', () => {
      expect(parse('-Q', '--key', '0xffffffff')).toMatchObject({
        request: { keySource: { kind: 'fixed', key: -1 } },
      });
      // Wider than key_t: refused, not truncated (0x100000000 would be IPC_PRIVATE).
      expect(parse('-Q', '--key', '0x100000000')).toMatchObject({
        diagnostic: { kind: 'parse-failed', value: 'key', reason: 'range' },
      });
      expect(parse('-Q', '--key=010')).toMatchObject({ request: { keySource: { kind: 'fixed', key: 8 } } });
      expect(parse('-Q', '--key', '0')).toMatchObject({ request: { keySource: { kind: 'fixed', key: 0 } } });
    });

    it('defaults the ftok project id to 1', () => {
      expect(parse('-S', '1', '--ftok', '/tmp')).toMatchObject({
        request: { keySource: { kind: 'ftok', path: '/tmp', projectId: 1 } },
      });
      expect(parse('-S', '1', '--ftok', '/tmp', '--project-id', '255', '--json')).toMatchObject({
        request: { keySource: { kind: 'ftok', path: '/tmp', projectId: 255 }, json: true },
      });
    });

    it('refuses combinations that cannot mean anything', () => {
      expect(parse('-Q', '--key', '1', '--ftok', '/')).toEqual({
        kind: 'invalid',
        diagnostic: { kind: 'conflicting-options', options: ['--key', '--ftok'] },
      });
      expect(parse('-Q', '--project-id', '2')).toEqual({
        kind: 'invalid',
        diagnostic: { kind: 'missing-option', option: '--project-id', required: '--ftok' },
      });
      expect(parse('-q', '-n', '/q', '--key', '1')).toEqual({
        kind: 'invalid',
        diagnostic: { kind: 'sysv-only', option: '--key' },
      });
      expect(parse('-s', '-n', 's', '--ftok', '/')).toMatchObject({
        diagnostic: { kind: 'sysv-only', option: '--ftok' },
      });
    });

    it('checks util-linux conditions first', () => {
      expect(parse('--key', '1', '--ftok', '/')).toEqual({
        kind: 'invalid',
        diagnostic: { kind: 'bad-usage' },
      });
    });
  });
});

describe('parseProjectId', () => {
  it('accepts 1 to 255 in decimal', () => {
    expect(parseProjectId('1')).toBe(1);
    expect(parseProjectId('255')).toBe(255);
  });

  it.each([
    ['0', 'range'],
    ['256', 'range'],
    ['-1', 'range'],
    ['0x10', 'invalid'],
    ['', 'invalid'],
  ])('%j is %s', (text, reason) => {
    expect(() => parseProjectId(text)).toThrow(expect.objectContaining({ reason }));
  });
});

it("keeps every abbreviation of util-linux's options: ours never make one ambiguous", () => {
  const cases = abbreviationCases(SHORT_OPTIONS, LONG_OPTIONS);
  expect(cases.length).toBeGreaterThan(60);
  for (const { typed, ours, reference } of cases) expect(ours, typed).toBe(reference);
});
