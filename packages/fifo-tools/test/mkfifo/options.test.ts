import { describe, expect, it } from 'vitest';
import { parseArguments } from '../../src/mkfifo/options.js';

const context = { program: 'mkfifo', env: {} };

describe('parseArguments', () => {
  it('returns options in command-line order and the names', () => {
    const parsed = parseArguments(['a', '-m', '600', '--context=x', 'b'], context);
    expect(parsed.options.map((o) => [o.key, o.value])).toEqual([
      ['m', '600'],
      ['Z', 'x'],
    ]);
    expect(parsed.operands).toEqual(['a', 'b']);
    expect(parsed.error).toBeUndefined();
  });

  it('on a bad option, also returns the options getopt_long handed out before it', () => {
    const parsed = parseArguments(['--context=x', '--help', 'a', '-Q', '--version'], context);
    expect(parsed.options.map((o) => o.key)).toEqual(['Z', 'help']);
    expect(parsed.error?.message).toBe("mkfifo: invalid option -- 'Q'");
  });

  it('does not mistake an option whose argument is the next word for a missing argument', () => {
    const parsed = parseArguments(['-m', '--help', '--help', '-m'], context);
    expect(parsed.options.map((o) => [o.key, o.value])).toEqual([
      ['m', '--help'],
      ['help', undefined],
    ]);
    expect(parsed.error?.message).toBe("mkfifo: option requires an argument -- 'm'");
  });

  it('stops at the first name under POSIXLY_CORRECT', () => {
    const parsed = parseArguments(['a', '-m', '600'], { program: 'mkfifo', env: { POSIXLY_CORRECT: '' } });
    expect(parsed.operands).toEqual(['a', '-m', '600']);
  });
});
