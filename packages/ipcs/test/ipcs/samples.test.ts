// Every captured util-linux 2.38.1 ipcs run (fixtures/util-linux-2.38.1) replayed through
// runIpcs over the same state: stdout, stderr and exit status must be the captured ones.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { streams } from '@ipcutils/cli';
import { describe, expect, it } from 'vitest';
import { formatHelp } from '../../src/ipcs/help.js';
import { runIpcs as ipcsResult } from '../../src/ipcs/main.js';
import { FIXTURES, readIpcsSamples, sampleSources } from './fixtures.js';

const runIpcs = (...args: Parameters<typeof ipcsResult>) => streams(ipcsResult(...args));

// The samples were taken with TZ=UTC; Node re-reads TZ when it is assigned.
process.env.TZ = 'UTC';

const io = { argv0: 'ipcs', programName: 'ipcs', env: {} };
const samples = readIpcsSamples();

describe('util-linux 2.38.1 samples', () => {
  it('covers every view of the capture', () => {
    expect(samples.length).toBeGreaterThanOrEqual(55);
  });

  it.each(samples.map((sample) => [sample.args.join(' ') || '(no arguments)', sample] as const))(
    'ipcs %s',
    (_, sample) => {
      const outcome = runIpcs(sample.args, io, () => sampleSources());
      expect(outcome).toEqual({ stdout: sample.stdout, stderr: sample.stderr, status: sample.status });
    },
  );
});

describe('--help', () => {
  it("is util-linux 2.38.1's text, with the name as invoked", () => {
    const captured = readFileSync(join(FIXTURES, 'util-linux-2.38.1', 'help-ipcs.txt'), 'utf8');
    expect(formatHelp('ipcs')).toBe(captured);
    expect(formatHelp('ipcs2').split('\n').slice(2, 4)).toEqual([
      ' ipcs2 [resource-option...] [output-option]',
      ' ipcs2 -m|-q|-s -i <id>',
    ]);
  });
});
