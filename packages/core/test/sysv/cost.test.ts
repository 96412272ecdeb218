// Per-call cost of the calls `ipcrm -a` and `ipcs` make once per object (30,000 objects is a
// realistic worst case), measured in a nested namespace of its own over a few thousand segments.
import { describe, expect, it } from 'vitest';
import { withNamespace } from '../../../../test/helpers/namespace.js';
import { buildScript } from '../../../../test/helpers/script.js';

const COUNT = 3000;

const BENCH = `
  import { createShm, removeShm, statShm } from '../packages/core/src/sysv/shm.ts';
  import { listShmSegmentsBySyscall } from '../packages/core/src/sysv/info.ts';
  import * as libc from '../packages/core/src/ffi/libc.ts';
  import { IPC_STAT } from '../packages/core/src/ffi/constants.ts';
  const count = Number(process.argv[2]);
  const ids = Array.from({ length: count }, () => createShm({ size: 4096 }));
  const perCall = (body: (id: number) => unknown) => {
    let best = Infinity;
    for (let round = 0; round < 3; round++) {
      const started = process.hrtime.bigint();
      for (const id of ids) body(id);
      best = Math.min(best, Number(process.hrtime.bigint() - started) / 1000 / count);
    }
    return Number(best.toFixed(2));
  };
  const buffer = Buffer.alloc(112);
  const rawStat = perCall((id) => libc.shmctl(id, IPC_STAT, buffer));
  const statShmCost = perCall((id) => statShm(id));
  let started = process.hrtime.bigint();
  const listed = listShmSegmentsBySyscall().length;
  const listPerObject = Number((Number(process.hrtime.bigint() - started) / 1000 / count).toFixed(2));
  started = process.hrtime.bigint();
  for (const id of ids) removeShm(id);
  const removeShmCost = Number((Number(process.hrtime.bigint() - started) / 1000 / count).toFixed(2));
  console.log(JSON.stringify({ rawStat, statShm: statShmCost, listPerObject, removeShm: removeShmCost, listed }));
`;

describe('cost per call over many segments', () => {
  it(`stats, lists and removes ${COUNT} segments in well under a millisecond each`, async () => {
    const script = await buildScript(BENCH);
    await withNamespace(async (ns) => {
      const run = await ns.run('node', [script, String(COUNT)], { timeoutMs: 120_000 });
      expect(run.stderr).toBe('');
      const cost = JSON.parse(run.stdout) as Record<string, number>;
      console.info(`µs per call over ${COUNT} segments: ${JSON.stringify(cost)}`);
      expect(cost.listed).toBe(COUNT);
      // Generous bounds for a loaded machine; a per-call cost that grows with the count would break them.
      expect(cost.statShm).toBeLessThan(500);
      expect(cost.removeShm).toBeLessThan(500);
      expect(cost.listPerObject).toBeLessThan(500);
      expect((await ns.sh('ipcs -m | grep -c 4096 || true')).stdout).toBe('0\n');
    });
  });
});
