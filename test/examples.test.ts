// The README's library example runs as documented: two processes share a segment.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { expect, it } from 'vitest';

it('examples/shared-memory.mjs writes in one process, reads in another and removes the segment', () => {
  const example = join(import.meta.dirname, '..', 'examples', 'shared-memory.mjs');
  const run = spawnSync(process.execPath, [example], { encoding: 'utf8' });
  expect(run.stderr).toBe('');
  expect(run.status).toBe(0);
  expect(run.stdout).toMatch(
    /^segment \d+: 4096 bytes, created by this process, 1 attached\nread back: hello from process \d+\nremoved: statShm now fails with EINVAL\n$/,
  );
});
