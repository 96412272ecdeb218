#!/usr/bin/env node
// Benchmark: our tools against util-linux's on the same state, in a private IPC + mount namespace.
// Prints the median wall time of each command, the ratio ours / reference, and peak memory.
// Usage: pnpm bench [--runs N] [--count N] [--only startup,scale,ipcrm,cleanup]   (needs `pnpm build`)
import { spawnSync } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const root = dirname(dirname(fileURLToPath(import.meta.url)));
const { values } = parseArgs({
  options: {
    runs: { type: 'string', default: '7' },
    count: { type: 'string', default: '10000' },
    only: { type: 'string', default: 'startup,scale,ipcrm,cleanup' },
  },
});
const runs = Number(values.runs);
const count = Number(values.count);
const sections = new Set(values.only.split(','));

if (!process.env.IPCUTILS_BENCH_INSIDE) {
  // Re-run inside a fresh namespace so the host's objects are neither measured nor touched.
  const result = spawnSync(
    process.execPath,
    [join(root, 'scripts/in-namespace.mjs'), process.execPath, ...process.argv.slice(1)],
    {
      stdio: 'inherit',
      env: { ...process.env, IPCUTILS_BENCH_INSIDE: '1' },
    },
  );
  process.exit(result.status ?? 1);
}

const bin = (name) => join(root, 'bin', name);
const env = { ...process.env, TZ: 'UTC', LC_ALL: 'C' };

function timeOnce(argv, childEnv = env) {
  const start = process.hrtime.bigint();
  const result = spawnSync(argv[0], argv.slice(1), {
    env: childEnv,
    stdio: ['ignore', 'ignore', 'pipe'],
    maxBuffer: 1 << 30,
  });
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  if (result.status !== 0) throw new Error(`${argv.join(' ')} exited ${result.status}: ${result.stderr}`);
  return ms;
}

function middle(samples) {
  samples.sort((a, b) => a - b);
  return samples[Math.floor(samples.length / 2)];
}

/**
 * Medians of our command and its reference, timed alternately: a change of load during the run
 * (a shared machine) then weighs on both alike instead of on whichever ran second.
 */
function paired(ours, reference, times = runs, referenceEnv = env) {
  const samples = [[], []];
  timeOnce(ours); // warm the page cache
  timeOnce(reference, referenceEnv);
  for (let i = 0; i < times; i++) {
    samples[0].push(timeOnce(ours));
    samples[1].push(timeOnce(reference, referenceEnv));
  }
  return samples.map(middle);
}

/** Peak resident memory in MiB (ru_maxrss of the child, through python's getrusage). */
function peakMiB(argv) {
  const script =
    'import resource,subprocess,sys\nsubprocess.run(sys.argv[1:],stdout=subprocess.DEVNULL)\nprint(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)';
  const result = spawnSync('python3', ['-c', script, ...argv], { env, encoding: 'utf8' });
  return Number(result.stdout.trim()) / 1024;
}

const rows = [];
function report(label, ours, reference, referenceLabel, limit) {
  const ratio = ours / reference;
  const verdict = limit === undefined ? '' : ratio <= limit ? `ok (<= ${limit}x)` : `OVER (> ${limit}x)`;
  rows.push([
    label,
    `${ours.toFixed(1)} ms`,
    `${reference.toFixed(1)} ms ${referenceLabel}`,
    `${ratio.toFixed(2)}x`,
    verdict,
  ]);
  console.log(
    `${label.padEnd(38)} ${ours.toFixed(1).padStart(8)} ms  vs ${reference.toFixed(1).padStart(8)} ms ${referenceLabel.padEnd(16)} ${ratio.toFixed(2).padStart(5)}x ${verdict}`,
  );
}

function have(name) {
  return existsSync(bin(name));
}

function setLimits() {
  // Room for the scale tests; these files belong to the private IPC namespace.
  writeFileSync('/proc/sys/kernel/shmmni', '32768');
  writeFileSync('/proc/sys/kernel/msgmni', '32768');
  writeFileSync('/proc/sys/kernel/sem', '32000 1024000000 500 32768');
}

/** Creates `n` segments, queues and semaphore sets with the core library in one process. */
function populate(n) {
  const script = `
    import { createShm, createMsgQueue, createSemSet } from ${JSON.stringify(join(root, 'packages/core/dist/index.js'))};
    const n = ${n};
    for (let i = 0; i < n; i++) {
      createShm({ size: 4096, key: 0x10000000 + i, mode: 0o644 });
      createMsgQueue({ key: 0x20000000 + i, mode: 0o644 });
      createSemSet({ nsems: 2, key: 0x30000000 + i, mode: 0o644 });
    }`;
  const result = spawnSync(process.execPath, ['--input-type=module', '-e', script], {
    env,
    stdio: 'inherit',
  });
  if (result.status !== 0) throw new Error('populate failed');
}

function clearAll() {
  spawnSync('/usr/bin/ipcrm', ['-a'], { env, stdio: 'ignore' });
}

console.log(
  `ipcutils benchmark: median of ${runs} runs; node ${process.version}; ${new Date().toISOString()}`,
);

if (sections.has('startup')) {
  console.log('\n# start-up (empty namespace), against bare node');
  // Our shebang starts node without NODE_EXTRA_CA_CERTS (scripts/build.mjs), so our overhead is
  // measured against node started without it too; node as this environment starts it is shown.
  const { NODE_EXTRA_CA_CERTS: extraCerts, ...withoutCerts } = env;
  const node = [process.execPath, '-e', '0'];
  if (extraCerts !== undefined) {
    const [loaded, bare] = paired(node, node, runs * 3, withoutCerts);
    console.log(
      `NODE_EXTRA_CA_CERTS=${extraCerts}: node -e 0 takes ${loaded.toFixed(1)} ms with it, ${bare.toFixed(1)} ms without; our bins start without it`,
    );
  }
  const startup = (label, argv, limit) =>
    report(
      label,
      ...paired([bin(argv[0]), ...argv.slice(1)], node, runs * 3, withoutCerts),
      'node -e 0',
      limit,
    );
  if (have('ipcs')) startup('ipcs -m', ['ipcs', '-m'], 1.25);
  if (have('ipcs')) startup('ipcs --version', ['ipcs', '--version']);
  if (have('lsipc')) startup('lsipc -m', ['lsipc', '-m']);
  if (have('ipcmk')) {
    startup('ipcmk -M 4096', ['ipcmk', '-M', '4096'], 1.25);
    clearAll();
  }
  if (have('mkfifo')) startup('mkfifo --version', ['mkfifo', '--version']);
  if (have('ipcctl')) {
    // Scripts call ipcctl in loops: one semctl(GETALL) on a real set, ffi-rs loaded.
    const created = spawnSync('/usr/bin/ipcmk', ['-S', '1'], { env, encoding: 'utf8' });
    const id = /(\d+)\s*$/.exec(created.stdout)?.[1];
    if (id === undefined) throw new Error(`ipcmk -S 1 failed: ${created.stderr}`);
    startup('ipcctl sem get', ['ipcctl', 'sem', 'get', id]);
    clearAll();
  }
}

if (sections.has('scale')) {
  console.log(`\n# scale: ${count} segments, ${count} queues, ${count} semaphore sets`);
  setLimits();
  populate(count);
  if (have('ipcs')) {
    report('ipcs', ...paired([bin('ipcs')], ['/usr/bin/ipcs']), 'util-linux', 1.5);
    report('ipcs -m -t', ...paired([bin('ipcs'), '-m', '-t'], ['/usr/bin/ipcs', '-m', '-t']), 'util-linux');
  }
  if (have('lsipc')) {
    const json = paired([bin('lsipc'), '-m', '--json'], ['/usr/bin/lsipc', '-m', '--json']);
    report('lsipc -m --json', ...json, 'util-linux', 1.5);
    report('lsipc -m', ...paired([bin('lsipc'), '-m'], ['/usr/bin/lsipc', '-m']), 'util-linux', 1.0);
    report('lsipc -s', ...paired([bin('lsipc'), '-s'], ['/usr/bin/lsipc', '-s']), 'util-linux');
  }
  for (const argv of [['ipcs'], ['lsipc', '-m', '--json'], ['lsipc', '-m']]) {
    if (!have(argv[0])) continue;
    const ours = peakMiB([bin(argv[0]), ...argv.slice(1)]);
    const theirs = peakMiB([`/usr/bin/${argv[0]}`, ...argv.slice(1)]);
    console.log(
      `peak memory ${argv.join(' ').padEnd(26)} ${ours.toFixed(1).padStart(8)} MiB vs ${theirs.toFixed(1)} MiB util-linux ${ours < 100 ? 'ok (< 100 MiB)' : 'OVER 100 MiB'}`,
    );
  }
  if (sections.has('cleanup') && have('ipcrm') && runsCleanup()) {
    const dryRun = paired([bin('ipcrm'), '--orphaned', '--dry-run'], ['/usr/bin/ipcs']);
    report('ipcrm --orphaned --dry-run', ...dryRun, 'util-linux ipcs', 4);
  }
  clearAll();
}

if (sections.has('ipcrm') && have('ipcrm')) {
  console.log(`\n# ipcrm -a over ${count} of each (${3 * count} objects), fresh state each run`);
  setLimits();
  const removeRuns = Math.max(3, Math.floor(runs / 2));
  const timed = (argv) => {
    const samples = [];
    for (let i = 0; i < removeRuns; i++) {
      clearAll();
      populate(count);
      samples.push(timeOnce(argv));
    }
    samples.sort((a, b) => a - b);
    return samples[Math.floor(samples.length / 2)];
  };
  report('ipcrm -a', timed([bin('ipcrm'), '-a']), timed(['/usr/bin/ipcrm', '-a']), 'util-linux', 4);
  clearAll();
}

/** Whether our ipcrm has the cleanup filters yet (they come with the leak-cleanup work). */
function runsCleanup() {
  const help = spawnSync(bin('ipcrm'), ['--help'], { env, encoding: 'utf8' });
  return help.stdout.includes('--orphaned');
}

const summaryPath = process.env.IPCUTILS_BENCH_JSON;
if (summaryPath) writeFileSync(summaryPath, JSON.stringify(rows, null, 2));
if (!rows.length) console.log('nothing measured: run `pnpm build` first');
