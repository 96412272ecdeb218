// How the command line becomes an IpcsCommand, in getopt_long's order of events.

import { UsageError } from '@ipcutils/cli';
import { describe, expect, it } from 'vitest';
import { parseIpcsArgs } from '../../src/ipcs/options.js';

const context = { argv0: 'ipcs', env: {} };
const parse = (...argv: string[]) => parseIpcsArgs(argv, context);

function usageError(...argv: string[]): { message: string; fromGetopt: boolean; tryHelp: boolean } {
  try {
    parse(...argv);
  } catch (error) {
    if (error instanceof UsageError) {
      return {
        message: error.message,
        fromGetopt: error.options.prefixed === true,
        tryHelp: error.options.tryHelp === true,
      };
    }
    throw error;
  }
  throw new Error(`ipcs ${argv.join(' ')} parsed`);
}

describe('parseIpcsArgs', () => {
  it('selects all resources in msg, shm, sem order when none or -a is given', () => {
    const all = { kind: 'report', resources: ['msg', 'shm', 'sem'], view: 'list', unit: 'default' };
    expect(parse()).toEqual(all);
    expect(parse('-a')).toEqual(all);
    expect(parse('-s', '-m', '-q')).toEqual(all);
  });

  it('keeps only the last output option and the last unit', () => {
    expect(parse('-mt', '-p', '-c', '-l', '-u', '-b', '--human')).toEqual({
      kind: 'report',
      resources: ['shm'],
      view: 'summary',
      unit: 'human',
    });
    expect(parse('--hum', '-b', '--time')).toMatchObject({ view: 'time', unit: 'bytes' });
  });

  it('accepts -i in every form and ignores the output options with it', () => {
    const details = { kind: 'details', resource: 'shm', id: 3, unit: 'default' };
    for (const argv of [
      ['-mi3'],
      ['-m', '--id=3'],
      ['-i', '3', '-m'],
      ['--shm', '--id', ' +3', '-t'],
      ['-i', '9', '-i3', '-m'],
    ]) {
      expect(parse(...argv)).toEqual(details);
    }
  });

  it('ignores operands, and everything after --', () => {
    expect(parse('-m', 'foo', '--', '-x')).toEqual({
      kind: 'report',
      resources: ['shm'],
      view: 'list',
      unit: 'default',
    });
  });

  it('stops at -h or -V before later errors', () => {
    expect(parse('-h', '-x')).toEqual({ kind: 'help' });
    expect(parse('--vers', '-i', 'abc')).toEqual({ kind: 'version' });
  });

  it('reports what comes first: a bad id before a later bad option, and the reverse', () => {
    expect(usageError('-i', 'abc', '-x')).toEqual({
      message: "failed to parse id argument: 'abc'",
      fromGetopt: false,
      tryHelp: false,
    });
    expect(usageError('-x', '-i', 'abc')).toEqual({
      message: "ipcs: invalid option -- 'x'",
      fromGetopt: true,
      tryHelp: true,
    });
    // Letters of a bundle before its bad one still act: -h shows the help before '0' is seen.
    expect(parse('-m', '-h0')).toEqual({ kind: 'help' });
    expect(usageError('-mi', 'x', '-qx', '-i')).toMatchObject({
      message: "failed to parse id argument: 'x'",
    });
    expect(usageError('-q', '-si')).toMatchObject({ message: "ipcs: option requires an argument -- 'i'" });
    expect(usageError('-q', '-si7x', '-y')).toMatchObject({ message: "failed to parse id argument: '7x'" });
    expect(usageError('-i1', '--id=z', '--bogus')).toMatchObject({
      message: "failed to parse id argument: 'z'",
    });
  });

  it('parses ids as util-linux strtos32_or_err does', () => {
    expect(usageError('-m', '-i', '').message).toBe("failed to parse id argument: ''");
    expect(usageError('-m', '-i', '0x1').message).toBe("failed to parse id argument: '0x1'");
    expect(usageError('-m', '-i', '2147483648').message).toBe(
      "failed to parse id argument: '2147483648': Numerical result out of range",
    );
    expect(parse('-m', '-i', '-2147483648')).toMatchObject({ id: -2147483648 });
  });

  it('needs exactly one resource with -i, checked after all options', () => {
    const message = 'when using an ID, a single resource must be specified';
    expect(usageError('-i', '1')).toEqual({ message, fromGetopt: false, tryHelp: false });
    expect(usageError('-a', '-i', '1')).toMatchObject({ message });
    expect(usageError('-i', '1', '-m', '-q')).toMatchObject({ message });
  });

  it("passes getopt's own messages through with argv[0]", () => {
    expect(parseError(['-i'], '/usr/local/bin/ipcs')).toBe(
      "/usr/local/bin/ipcs: option requires an argument -- 'i'",
    );
    expect(parseError(['--s'], 'ipcs')).toMatch(
      /^ipcs: option '--s' is ambiguous; possibilities: '--shmems' '--semaphores' '--summary'$/,
    );
    expect(parseError(['--all=1'], 'ipcs')).toBe("ipcs: option '--all' doesn't allow an argument");
  });
});

function parseError(argv: string[], argv0: string): string {
  try {
    parseIpcsArgs(argv, { argv0, env: {} });
  } catch (error) {
    if (error instanceof UsageError && error.options.prefixed) return error.message;
    throw error;
  }
  throw new Error('parsed');
}
