import { describe, expect, it } from 'vitest';
import { UsageError } from '../src/usage.js';
import { normaliseOptions } from '../src/yargs-options.js';

const OPTIONS = {
  json: { type: 'boolean', alias: 'J' },
  nowait: { type: 'boolean' },
  timeout: { type: 'string', requiresArg: true },
} as const;

const normalised = (...argv: string[]) => normaliseOptions(argv, OPTIONS);
const refused = (argv: string[], message: string) => {
  expect(() => normaliseOptions(argv, OPTIONS)).toThrow(UsageError);
  expect(() => normaliseOptions(argv, OPTIONS)).toThrow(message);
};

describe('normaliseOptions', () => {
  it('writes every option as --name=value, booleans as =true, operands kept in order', () => {
    expect(normalised('mq', 'send', '/q', '--timeout', '2s', '-J', 'data', '--nowait')).toEqual([
      'mq',
      'send',
      '/q',
      '--timeout=2s',
      '--json=true',
      'data',
      '--nowait=true',
    ]);
    expect(normalised('--timeout=1', '-JJ')).toEqual(['--timeout=1', '--json=true', '--json=true']);
  });

  it('keeps a true or false after a boolean as an operand (yargs took it as the value)', () => {
    expect(normalised('mq', 'send', '/q', '--nowait', 'true')).toEqual([
      'mq',
      'send',
      '/q',
      '--nowait=true',
      'true',
    ]);
    expect(normalised('-J', 'false')).toEqual(['--json=true', 'false']);
  });

  it('takes a value that starts with a dash only after =, and keeps negative numbers and - as operands', () => {
    expect(normalised('--timeout=-x', '-5', '-', '-1.5')).toEqual(['--timeout=-x', '-5', '-', '-1.5']);
    refused(['--timeout', '-x'], "option '--timeout' requires an argument");
    refused(['--timeout', '--'], "option '--timeout' requires an argument");
    refused(['--timeout'], "option '--timeout' requires an argument");
  });

  it('leaves everything from -- on as it is', () => {
    expect(normalised('sem', 'run', '0', '--', 'sh', '-_', '--json=x')).toEqual([
      'sem',
      'run',
      '0',
      '--',
      'sh',
      '-_',
      '--json=x',
    ]);
  });

  it.each([
    ['-_', "unrecognized option '-_'"],
    ['--_', "unrecognized option '--_'"],
    ['--_=1', "unrecognized option '--_'"],
    ['-_=3', "unrecognized option '-_'"],
    ['-@', "unrecognized option '-@'"],
    ['-J_', "unrecognized option '-_'"],
    ['-J-', "unrecognized option '-J-'"],
    ['--operands=/q', "unrecognized option '--operands'"],
    ['--frob', "unrecognized option '--frob'"],
    ['---x', "unrecognized option '---x'"],
    ['--=x', "unrecognized option '--=x'"],
    ['--no-json', "unrecognized option '--no-json'"],
    ['-5x', "unrecognized option '-5'"],
    // A whole character, not half of its UTF-16 pair (which printed as U+FFFD).
    ['-😀', "unrecognized option '-😀'"],
    ['-J😀', "unrecognized option '-😀'"],
  ])('refuses %j, naming the option', (word, message) => {
    refused(['mq', 'attr', word, '/q'], message);
  });

  it('refuses a value given to a boolean', () => {
    refused(['--json=1'], "option '--json' doesn't allow an argument");
    refused(['--nowait=false'], "option '--nowait' doesn't allow an argument");
    refused(['-J=1'], "option '-J' doesn't allow an argument");
  });
});
