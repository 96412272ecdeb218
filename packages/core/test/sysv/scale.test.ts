// Thousands of objects: the syscall listing finds every one and removal leaves none (the per-call
// cost is measured by scripts/bench.mjs, not here).
import { describe, expect, it } from 'vitest';
import { withNamespace } from '../../../../test/helpers/namespace.js';
import { buildScript } from '../../../../test/helpers/script.js';

const COUNT = 3000;

const SCRIPT = `
  import { createShm, removeShm, statShm } from '../packages/core/src/sysv/shm.ts';
  import { listShmSegmentsBySyscall } from '../packages/core/src/sysv/info.ts';
  const count = Number(process.argv[2]);
  const ids = Array.from({ length: count }, (_, i) => createShm({ size: 4096 + i }));
  const listed = listShmSegmentsBySyscall();
  const sizesMatch = listed.every((segment) => statShm(segment.id).size === segment.size);
  for (const id of ids) removeShm(id);
  console.log(JSON.stringify({ listed: listed.length, sizesMatch, ids: new Set(listed.map((s) => s.id)).size }));
`;

describe('many segments', () => {
  it(`lists ${COUNT} segments by syscall and removes them all`, async () => {
    const script = await buildScript(SCRIPT);
    await withNamespace(async (ns) => {
      const run = await ns.run('node', [script, String(COUNT)], { timeoutMs: 120_000 });
      expect(run.stderr).toBe('');
      expect(JSON.parse(run.stdout)).toEqual({ listed: COUNT, sizesMatch: true, ids: COUNT });
      expect((await ns.sh('ipcs -m | grep -c "^0x" || true')).stdout).toBe('0\n');
    });
  });
});
