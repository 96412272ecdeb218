import type { IpcFilter } from '@ipcutils/core';
import { describe, expect, it } from 'vitest';
import { addFilterOption, parseDuration, parseUser } from '../src/filters.js';
import { ParseError } from '../src/numbers.js';
import { UsageError } from '../src/usage.js';

describe('parseDuration', () => {
  it.each([
    ['90s', 90],
    ['30m', 1800],
    ['12h', 43_200],
    ['7d', 604_800],
    ['0s', 0],
  ])('%s is %i seconds', (text, seconds) => {
    expect(parseDuration(text)).toBe(seconds);
  });

  it.each(['', '7', 's', '1.5h', '-1d', '10w', '1 d', ' 1d', '1D', '1dd'])('refuses %j', (text) => {
    expect(() => parseDuration(text)).toThrow(new ParseError(text, 'invalid'));
  });

  it('refuses what no double holds exactly', () => {
    expect(() => parseDuration('999999999999999999d')).toThrow(
      new ParseError('999999999999999999d', 'range'),
    );
  });
});

describe('parseUser', () => {
  it('takes digits as a uid and anything else as a name', () => {
    expect(parseUser('0')).toBe(0);
    expect(parseUser('4294967294')).toBe(4294967294);
    expect(parseUser('root')).toBe(0);
    expect(parseUser('nobody')).toBe(65534);
    expect(parseUser('no-such-user-here')).toBeUndefined();
  });

  it('refuses (uid_t)-1 and beyond', () => {
    expect(() => parseUser('4294967295')).toThrow(new ParseError('4294967295', 'range'));
  });
});

describe('addFilterOption', () => {
  it('builds the filter, --key accumulating', () => {
    const filter: IpcFilter = {};
    addFilterOption(filter, 'owner', 'root');
    addFilterOption(filter, 'creator', '65534');
    addFilterOption(filter, 'key', '0x1234');
    addFilterOption(filter, 'key', '-1');
    addFilterOption(filter, 'older-than', '12h');
    addFilterOption(filter, 'min-size', '1K');
    addFilterOption(filter, 'unattached');
    addFilterOption(filter, 'orphaned');
    expect(filter).toEqual({
      owner: 0,
      creator: 65534,
      keys: [0x1234, -1],
      olderThan: 43_200,
      minSize: 1024n,
      unattached: true,
      orphaned: true,
    });
  });

  it.each([
    ['owner', 'no-such-user-here', "unknown user: 'no-such-user-here'"],
    ['creator', '4294967295', "failed to parse user: '4294967295'"],
    ['key', '0xg', "failed to parse key: '0xg'"],
    // Wider than key_t: util-linux would truncate it into another key.
    ['key', '0x100000000', "failed to parse key: '0x100000000'"],
    ['key', '0x100001234', "failed to parse key: '0x100001234'"],
    ['key', '-4294967295', "failed to parse key: '-4294967295'"],
    ['older-than', '7', "failed to parse duration: '7' (use 90s, 30m, 12h or 7d)"],
    ['min-size', '1Q', "failed to parse size: '1Q'"],
  ] as const)('--%s %s: %s', (option, value, message) => {
    expect(() => addFilterOption({}, option, value)).toThrow(new UsageError(message));
  });
});
