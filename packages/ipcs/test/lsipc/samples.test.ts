// lsipc's whole pipeline (options, rows, every output mode) over the samples' state, against what
// util-linux 2.43-devel printed for it (reference/samples/2.43-devel/listing/lsipc*).
import { memoryIo } from '@ipcutils/cli';
import { beforeAll, describe, expect, it } from 'vitest';
import { runLsipc } from '../../src/lsipc/main.js';
import { listSamples, type Sample, sampleSources } from './fixtures.js';

beforeAll(() => {
  process.env.TZ = 'UTC';
});

/** Where DECISIONS.md makes us differ from 2.43-devel on purpose, the expected text changes. */
function expected(sample: Sample): Sample {
  if (sample.args.join(' ') === '-S -N nosuch') {
    // Fix 6: util-linux says "message queue" for a semaphore.
    return { ...sample, stderr: 'lsipc: semaphore nosuch not found\n' };
  }
  return sample;
}

function run(args: readonly string[]) {
  const io = memoryIo({ programName: 'lsipc', env: { LC_ALL: 'C' } });
  const status = io.take(runLsipc(args, io, sampleSources()));
  return { stdout: io.stdout, stderr: io.stderr, status };
}

const samples = listSamples('lsipc');

describe('lsipc over the samples state', () => {
  it('covers every captured lsipc command', () => {
    expect(samples.length).toBe(68);
  });

  it.each(samples.map((sample) => [sample.args.join(' ') || '(no options)', sample] as const))(
    'lsipc %s',
    (_, sample) => {
      const want = expected(sample);
      expect(run(sample.args)).toEqual({ stdout: want.stdout, stderr: want.stderr, status: want.status });
    },
  );
});
