import { describe, expect, it } from 'vitest';
import { colorLevel } from '../../src/common/color.js';
import { escapeControlCharacters } from '../../src/common/escape.js';
import { describeHolders, listHolderProcesses } from '../../src/common/holders.js';
import { formatMode } from '../../src/common/mode.js';

describe('colorLevel', () => {
  it('colours only a terminal, unless NO_COLOR or FORCE_COLOR says otherwise', () => {
    expect(colorLevel({}, true)).toBe(1);
    expect(colorLevel({}, false)).toBe(0);
    expect(colorLevel({ NO_COLOR: '1' }, true)).toBe(0);
    expect(colorLevel({ NO_COLOR: '' }, true)).toBe(1);
    expect(colorLevel({ FORCE_COLOR: '1' }, false)).toBe(1);
    expect(colorLevel({ FORCE_COLOR: '3', NO_COLOR: '1' }, false)).toBe(3);
    expect(colorLevel({ FORCE_COLOR: '0' }, true)).toBe(0);
    expect(colorLevel({ TERM: 'dumb' }, true)).toBe(0);
  });
});

describe('formatting helpers', () => {
  it('shows modes as ls -l does', () => {
    expect(formatMode(0o010644)).toBe('prw-r--r--');
    expect(formatMode(0o017755)).toBe('prwsr-sr-t');
    expect(formatMode(0o016755)).toBe('prwsr-sr-x');
    expect(formatMode(0o017644)).toBe('prwSr-Sr-T');
  });

  it('escapes control characters for people', () => {
    expect(escapeControlCharacters('a\nb\tc\u007f')).toBe('a\\x0ab\\x09c\\x7f');
  });

  it('never says "none" when some processes could not be inspected', () => {
    const holder = { pid: 7, command: 'cat', access: 'read' as const, fds: [3], opening: false };
    const opening = { pid: 8, command: 'sh', access: 'write' as const, fds: [], opening: true };
    expect(describeHolders([], true)).toBe('none');
    expect(describeHolders([], false)).toBe('unknown');
    expect(describeHolders([holder, opening], true)).toBe('7 cat (r), 8 sh (w, opening)');
    expect(describeHolders([holder], false)).toBe('7 cat (r), unknown');
  });

  it("escapes the control characters of a holder's command name in messages", () => {
    const holder = {
      pid: 7,
      command: '\x1b]0;x\x07\x1b[2J\n',
      access: 'read' as const,
      fds: [3],
      opening: false,
    };
    expect(listHolderProcesses([holder])).toBe('7 (\\x1b]0;x\\x07\\x1b[2J\\x0a)');
  });
});
