import { describe, expect, it } from 'vitest';
import {
  parseDuration,
  parseId,
  parseInteger,
  parseKey,
  parseMode,
  parsePosixName,
  parseSemOps,
  parseSwitch,
} from '../src/parse.js';
import { UsageError } from '../src/result.js';

const refused = (parse: () => unknown, message: string) => {
  expect(parse).toThrow(UsageError);
  expect(parse).toThrow(message);
};

describe('parseDuration', () => {
  it.each([
    ['2', 2000],
    ['1.5', 1500],
    ['500ms', 500],
    ['2s', 2000],
    ['1m', 60_000],
    ['1h', 3_600_000],
    ['0', 0],
    ['.25', 250],
    ['0.0005', 1],
  ])('%s is %d ms', (text, ms) => {
    expect(parseDuration(text)).toBe(ms);
  });

  it.each(['', 'soon', '-1', '1d', '1 s', '1e3', 'NaN', 'Infinity'])('refuses %j', (text) => {
    refused(() => parseDuration(text), `invalid duration: '${text}'`);
  });

  it('refuses what a timer cannot wait (more than 2^31-1 ms)', () => {
    refused(() => parseDuration('600h'), "duration out of range (at most 24d): '600h'");
  });
});

describe('numbers', () => {
  it('ids are non-negative ints', () => {
    expect(parseId('0')).toBe(0);
    expect(parseId('2147483647')).toBe(2147483647);
    refused(() => parseId('2147483648'), "id out of range (0..2147483647): '2147483648'");
    refused(() => parseId('-1'), 'id out of range');
    refused(() => parseId('0x10'), "invalid id: '0x10'");
    refused(() => parseId(' 1'), "invalid id: ' 1'");
  });

  it('integers beyond the safe range are out of range, not rounded', () => {
    refused(() => parseInteger('9007199254740993', 'type', 1, Number.MAX_SAFE_INTEGER), 'type out of range');
  });

  it('keys follow ipcrm (hex, octal, decimal), modes are octal up to 777', () => {
    expect(parseKey('0x1234')).toBe(0x1234);
    expect(parseKey('010')).toBe(8);
    refused(() => parseKey('zz'), "invalid key: 'zz'");
    expect(parseMode('640')).toBe(0o640);
    refused(() => parseMode('1000'), "invalid mode: '1000'");
  });

  it('semaphore operations are SEMNUM:OP pairs within their C types', () => {
    expect(parseSemOps('0:-1,2:+3,1:0')).toEqual([
      { num: 0, op: -1 },
      { num: 2, op: 3 },
      { num: 1, op: 0 },
    ]);
    refused(() => parseSemOps('0:-32769'), "sem_op out of range (-32768..32767): '-32769'");
    refused(() => parseSemOps('65536:1'), "semnum out of range (0..65535): '65536'");
    refused(() => parseSemOps('0'), "invalid operation (SEMNUM:OP): '0'");
  });
});

describe('parsePosixName', () => {
  it('takes /NAME: one component, at most 255 bytes', () => {
    expect(parsePosixName('/q')).toBe('/q');
    refused(() => parsePosixName('q'), "invalid POSIX name (/NAME): 'q'");
    refused(() => parsePosixName('/'), 'invalid POSIX name');
    refused(() => parsePosixName('/a/b'), 'invalid POSIX name');
    refused(() => parsePosixName('/..'), "invalid POSIX name (/NAME): '/..'");
    refused(() => parsePosixName('/.'), 'invalid POSIX name');
    expect(parsePosixName(`/${'é'.repeat(127)}`)).toHaveLength(128);
    refused(() => parsePosixName(`/${'é'.repeat(128)}`), 'POSIX name longer than 255 bytes');
  });
});

describe('parseSwitch', () => {
  it('takes on and off, and nothing else', () => {
    expect(parseSwitch('on', '--nonblock')).toBe(true);
    expect(parseSwitch('off', '--nonblock')).toBe(false);
    for (const text of ['maybe', 'ON', 'true', '1', '', ' on']) {
      refused(() => parseSwitch(text, '--nonblock'), `invalid --nonblock value (on|off): '${text}'`);
    }
  });
});
