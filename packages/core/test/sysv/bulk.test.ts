// SysvBulkRemover on real objects: which removals failed, with and without the worker thread,
// that the worker really takes part, that what a failing worker claimed is still removed, and
// that a type's ids never reach another type's call.
import { describe, expect, it } from 'vitest';
import { withNamespace } from '../../../../test/helpers/namespace.js';
import { buildScript } from '../../../../test/helpers/script.js';

const SCRIPT = `
  import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
  import { createRequire, syncBuiltinESMExports } from 'node:module';
  import { tmpdir } from 'node:os';
  import { join } from 'node:path';
  import { SysvBulkRemover } from '../packages/core/src/sysv/bulk.ts';
  import { createMsgQueue } from '../packages/core/src/sysv/msg.ts';
  import { createSemSet } from '../packages/core/src/sysv/sem.ts';
  import { createShm } from '../packages/core/src/sysv/shm.ts';

  const [mode, count] = [process.argv[2], Number(process.argv[3])];
  const left = () => ['shm', 'msg', 'sem'].map((type) => readFileSync('/proc/sysvipc/' + type, 'latin1').trim().split('\\n').length - 1);

  if (mode === 'same-ids') {
    // A fresh namespace gives id 0 to the first object of each type.
    const ids = [createShm({ size: 10 }), createMsgQueue({}), createSemSet({ nsems: 1 })];
    const result = new SysvBulkRemover({ worker: false }).remove([{ type: 'msg', id: ids[1] }]);
    console.log(JSON.stringify({ ids, removed: result.removed, left: left() }));
    process.exit(0);
  }

  if (mode === 'worker-fails') {
    // The worker gets a binding whose 301st call throws, in the middle of its second chunk: the
    // ids it claimed and never tried are left to this thread. Worker is patched where bulk.ts
    // imports it (node:worker_threads' live ESM exports).
    const injectedCalls = new Int32Array(new SharedArrayBuffer(4));
    const failing = join(mkdtempSync(join(tmpdir(), 'bulk-')), 'binding.cjs');
    writeFileSync(failing, [
      "const { workerData } = require('node:worker_threads');",
      'const real = require(workerData.realBindingFile);',
      'const calls = new Int32Array(workerData.injectedCalls);',
      "module.exports = { load(params) { if (Atomics.add(calls, 0, 1) >= 300) throw new Error('injected'); return real.load(params); } };",
    ].join('\\n'));
    const threads = createRequire(import.meta.url)('node:worker_threads');
    const RealWorker = threads.Worker;
    threads.Worker = class extends RealWorker {
      constructor(source, options) {
        const data = options.workerData;
        super(source, { ...options, workerData: { ...data, bindingFile: failing, realBindingFile: data.bindingFile, injectedCalls: injectedCalls.buffer } });
      }
    };
    syncBuiltinESMExports();
    const targets = [];
    for (let i = 0; i < count; i++) targets.push({ type: 'shm', id: createShm({ size: 4096 }) }, { type: 'sem', id: createSemSet({ nsems: 1 }) });
    const remover = new SysvBulkRemover({ worker: true });
    const ready = await remover.ready();
    remover.add(targets);
    // This thread waits until the worker has failed, then removes the rest.
    const pause = new Int32Array(new SharedArrayBuffer(4));
    for (const deadline = Date.now() + 20_000; Atomics.load(injectedCalls, 0) <= 300 && Date.now() < deadline; ) Atomics.wait(pause, 0, 0, 5);
    const result = remover.finish();
    console.log(JSON.stringify({ ready, workerCalls: Atomics.load(injectedCalls, 0), total: targets.length, removed: result.removed.filter(Boolean).length, left: left() }));
    process.exit(0);
  }

  const targets = [];
  for (let i = 0; i < count; i++) {
    targets.push({ type: 'shm', id: createShm({ size: 4096 }) });
    targets.push({ type: 'msg', id: createMsgQueue({}) });
    targets.push({ type: 'sem', id: createSemSet({ nsems: 1 }) });
  }
  // Ids that fail (EINVAL), at both ends and in the middle, where each thread starts.
  const bogus = [0, Math.floor(targets.length / 2), targets.length];
  for (const at of bogus.reverse()) targets.splice(at, 0, { type: 'sem', id: 0x7ffffff0 - at });
  const remover = new SysvBulkRemover({ worker: mode === 'worker' });
  const ready = await remover.ready();
  // Two lists, as ipcrm adds one per type: the worker starts on the first while the second is made.
  const half = Math.floor(targets.length / 3);
  remover.add(targets.slice(0, half));
  await new Promise((resolve) => setTimeout(resolve, 20));
  remover.add(targets.slice(half));
  const result = remover.finish();
  const failedAt = result.removed.flatMap((removed, index) => (removed ? [] : [index]));
  console.log(JSON.stringify({ ready, byWorker: result.byWorker, total: targets.length, failedAt, left: left() }));
`;

async function run(...args: string[]) {
  const script = await buildScript(SCRIPT);
  return withNamespace(async (ns) => {
    await ns.sh('echo 32768 > /proc/sys/kernel/shmmni; echo 32768 > /proc/sys/kernel/msgmni');
    const result = await ns.run(process.execPath, [script, ...args], { timeoutMs: 120_000 });
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    return JSON.parse(result.stdout);
  });
}

describe('SysvBulkRemover', () => {
  it('removes everything on this thread alone and reports exactly the failed ids', async () => {
    const result = await run('alone', '300');
    expect(result).toEqual({
      ready: false,
      byWorker: 0,
      total: 903,
      failedAt: [0, 451, 902],
      left: [0, 0, 0],
    });
  });

  it('shares the work with a worker thread, which reports its failures too', async () => {
    const result = await run('worker', '3000');
    expect(result.ready).toBe(true);
    expect(result.total).toBe(9003);
    expect(result.byWorker).toBeGreaterThan(0);
    expect(result.byWorker).toBeLessThan(result.total);
    expect(result.failedAt).toEqual([0, 4501, 9002]);
    expect(result.left).toEqual([0, 0, 0]);
  });

  it('removes what a failed worker claimed but never tried, on this thread', async () => {
    const result = await run('worker-fails', '1000');
    // 300 calls went through before the failure: a chunk of 256 and 44 of the next.
    expect(result).toEqual({ ready: true, workerCalls: 301, total: 2000, removed: 2000, left: [0, 0, 0] });
  });

  it('removes the object of the type asked for when other types have the same id', async () => {
    expect(await run('same-ids', '0')).toEqual({ ids: [0, 0, 0], removed: [true], left: [1, 0, 1] });
  });
});
