#!/usr/bin/env node
// Benchmark: our tools against util-linux's on the same state, in a private IPC + mount namespace.
// Prints the median wall time of each command, the ratio ours / reference, and peak memory.
// The ledger section builds the bins without each speed mechanism (scripts/build.mjs --without)
// and times them against the product's on the same state.
// The baseline section (not run by default) builds another commit of the repository in a temporary
// worktree and times its bins, ours and util-linux's in turn on one state: "no worse than before"
// on this machine, whatever its speed the day the earlier figures were taken.
// Usage: pnpm bench [--runs N] [--count N] [--only startup,scale,ipcrm,cleanup,metrics,ledger,baseline]
//        [--mechanisms NAME,...] [--baseline COMMIT]   (needs `pnpm build`)
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { buildSync } from 'esbuild';

const root = dirname(dirname(fileURLToPath(import.meta.url)));
const { values } = parseArgs({
  options: {
    runs: { type: 'string', default: '7' },
    count: { type: 'string', default: '10000' },
    only: { type: 'string', default: 'startup,scale,ipcrm,cleanup,metrics,ledger' },
    mechanisms: { type: 'string' },
    // The last commit of 2026-11-21, when issue #10 took its figures.
    baseline: { type: 'string', default: '2ddce99' },
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

/**
 * paired() of wall and CPU time (user + system, the child's rusage through python's wait4): on a
 * loaded machine CPU time varies far less than wall time, which a mechanism's few ms drown in.
 * Returns [wall, cpu] medians for each command, in order (more than two take turns alike).
 */
function pairedWithCpu(ours, ...others) {
  const times = runs;
  const script = `import json,os,statistics,sys,time
argvs=json.loads(sys.argv[1]);out=os.open('/dev/null',os.O_WRONLY);samples=[[[],[]] for _ in argvs]
for i in range(int(sys.argv[2])+1):
  for k,argv in enumerate(argvs):
    start=time.perf_counter();pid=os.fork()
    if pid==0:
      os.dup2(out,1);os.execv(argv[0],argv)
    _,status,usage=os.wait4(pid,0)
    if status!=0: sys.exit(f'{argv} failed')
    if i>0: samples[k][0].append((time.perf_counter()-start)*1000);samples[k][1].append((usage.ru_utime+usage.ru_stime)*1000)
print(json.dumps([[statistics.median(s) for s in pair] for pair in samples]))`;
  const result = spawnSync('python3', ['-c', script, JSON.stringify([ours, ...others]), String(times)], {
    env,
    encoding: 'utf8',
  });
  if (result.status !== 0) throw new Error(`timing ${ours.join(' ')} failed: ${result.stderr}`);
  return JSON.parse(result.stdout);
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

/**
 * report() of our command against its reference in wall time, with the ratio of their CPU times
 * (user + system) beside it: on a loaded machine the CPU ratio is the steadier of the two.
 */
function compare(label, ours, reference, limit, referenceLabel = 'util-linux') {
  const [[oursWall, oursCpu], [referenceWall, referenceCpu]] = pairedWithCpu(ours, reference);
  report(label, oursWall, referenceWall, referenceLabel, limit);
  console.log(
    `${''.padEnd(38)} CPU ${oursCpu.toFixed(1)} ms vs ${referenceCpu.toFixed(1)} ms: ${(oursCpu / referenceCpu).toFixed(2)}x`,
  );
}

function have(name) {
  return existsSync(bin(name));
}

let scannerModule;
/**
 * Beside the floor, what the least JavaScript adds to it (scripts/bench-ideal.cjs): node reading
 * the file into our scanner and stopping there, then node writing util-linux's table byte by byte
 * with nothing else, checked first to print util-linux's exact bytes.
 */
function bestCase(kind, argv) {
  if (scannerModule === undefined) {
    const dir = mkdtempSync(join(tmpdir(), 'ipcutils-ideal-'));
    process.on('exit', () => rmSync(dir, { recursive: true, force: true }));
    scannerModule = join(dir, 'table-scanner.cjs');
    buildSync({
      entryPoints: [join(root, 'packages/core/src/proc/table-scanner.ts')],
      bundle: true,
      format: 'cjs',
      platform: 'node',
      minify: true,
      outfile: scannerModule,
      logLevel: 'warning',
    });
  }
  const ideal = [
    '/usr/bin/env',
    '-u',
    'NODE_EXTRA_CA_CERTS',
    process.execPath,
    join(root, 'scripts/bench-ideal.cjs'),
    scannerModule,
    kind,
  ];
  const reference = [`/usr/bin/${argv[0]}`, ...argv.slice(1)];
  const printed = (command) => spawnSync(command[0], command.slice(1), { env, maxBuffer: 1 << 30 }).stdout;
  if (!printed(ideal).equals(printed(reference)))
    throw new Error(`bench-ideal.cjs ${kind} does not print util-linux's bytes`);
  compare(`scan only, for ${argv.join(' ')}`, [...ideal, '--scan-only'], reference, 1.25);
  compare(`least JS listing of ${argv.join(' ')}`, ideal, reference, 1.25);
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
  // The limits are issue #10's: no worse than the figures of 2026-11 for ipcs and lsipc -m (--json),
  // and 1.25x at worst for the modes that lagged then.
  const against = (label, argv, limit) =>
    compare(label, [bin(argv[0]), ...argv.slice(1)], [`/usr/bin/${argv[0]}`, ...argv.slice(1)], limit);
  if (have('ipcs')) {
    against('ipcs', ['ipcs'], 0.7);
    against('ipcs -m -t', ['ipcs', '-m', '-t']);
  }
  if (have('lsipc')) {
    against('lsipc -m --json', ['lsipc', '-m', '--json'], 1.0);
    against('lsipc -m', ['lsipc', '-m'], 0.6);
    against('lsipc -s', ['lsipc', '-s'], 1.25);
    against('lsipc -q', ['lsipc', '-q'], 1.25);
    against('lsipc (summary)', ['lsipc'], 1.25);
    // What "where Node's start-up floor allows it" allows: node started as our bins start it,
    // reading what the listing must read (the summary's SHMALL use is a sum of segment sizes,
    // which only /proc/sysvipc/shm gives), against util-linux's whole listing.
    const floor = (label, files, argv) =>
      compare(
        `floor of ${label}`,
        [
          '/usr/bin/env',
          '-u',
          'NODE_EXTRA_CA_CERTS',
          process.execPath,
          join(root, 'scripts/bench-floor.cjs'),
          ...files,
        ],
        [`/usr/bin/${argv[0]}`, ...argv.slice(1)],
        1.25,
      );
    floor('lsipc -s', ['/proc/sysvipc/sem'], ['lsipc', '-s']);
    floor('lsipc -q', ['/proc/sysvipc/msg'], ['lsipc', '-q']);
    floor('lsipc (summary)', ['/proc/sysvipc/shm'], ['lsipc']);
    bestCase('sem', ['lsipc', '-s']);
    bestCase('msg', ['lsipc', '-q']);
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
    compare(
      'ipcrm --orphaned --dry-run',
      [bin('ipcrm'), '--orphaned', '--dry-run'],
      ['/usr/bin/ipcs'],
      2,
      'util-linux ipcs',
    );
  }
  clearAll();
}

if (sections.has('ipcrm') && have('ipcrm')) {
  console.log(`\n# ipcrm -a over ${count} of each (${3 * count} objects), fresh state each run`);
  setLimits();
  report(
    'ipcrm -a',
    removalTime([bin('ipcrm'), '-a']),
    removalTime(['/usr/bin/ipcrm', '-a']),
    'util-linux',
    4,
  );
}

if (sections.has('metrics') && have('ipcctl')) {
  console.log(`\n# ipcctl metrics: one scrape of ${3 * count} objects (issue 15: under 250 ms and 100 MiB)`);
  setLimits();
  populate(count);
  try {
    await benchMetrics();
  } finally {
    clearAll();
  }
}

/** The scrape's own figure, ipc_scrape_duration_seconds, in ms. */
function scrapeMs(text) {
  const match = /^ipc_scrape_duration_seconds (\S+)$/m.exec(text);
  if (!match) throw new Error(`no ipc_scrape_duration_seconds in:\n${text.slice(0, 500)}`);
  return Number(match[1]) * 1000;
}

/**
 * `ipcctl metrics` as a command (start-up included), and as a server scraped `runs` times: the
 * first scrape of a fresh server, then warm ones, as Prometheus makes them, and the server's
 * memory after them (VmRSS) and at its peak (VmHWM, start-up included).
 */
async function benchMetrics() {
  const once = [];
  const inside = [];
  for (let i = 0; i < runs; i++) {
    const start = process.hrtime.bigint();
    const result = spawnSync(bin('ipcctl'), ['metrics'], { env, encoding: 'utf8', maxBuffer: 1 << 26 });
    once.push(Number(process.hrtime.bigint() - start) / 1e6);
    if (result.status !== 0) throw new Error(`ipcctl metrics exited ${result.status}: ${result.stderr}`);
    inside.push(scrapeMs(result.stdout));
  }
  line('ipcctl metrics (whole command)', middle(once), 'ms', 250);
  // util-linux's ipcs reads the same three /proc/sysvipc tables: the floor on a loaded machine.
  compare('ipcctl metrics', [bin('ipcctl'), 'metrics'], ['/usr/bin/ipcs'], undefined, 'util-linux ipcs');
  line('  its scrape (ipc_scrape_duration)', middle(inside), 'ms', 250);
  line('peak memory ipcctl metrics', peakMiB([bin('ipcctl'), 'metrics']), 'MiB', 100);

  // This process's first fetch() loads and compiles undici (some 50 ms): done against a server
  // of its own, so that the first request timed is the metrics server's first scrape alone.
  await warmFetch();
  const starts = [];
  const firsts = [];
  const warms = [];
  const warmInside = [];
  const resident = [];
  const peaks = [];
  for (let i = 0; i < runs; i++) {
    const server = await startServer();
    try {
      starts.push(server.startMs);
      for (let scrape = 0; scrape <= runs; scrape++) {
        const start = process.hrtime.bigint();
        const text = await (await fetch(server.url)).text();
        const ms = Number(process.hrtime.bigint() - start) / 1e6;
        if (scrape === 0) firsts.push(ms);
        else {
          warms.push(ms);
          warmInside.push(scrapeMs(text));
        }
      }
      const memory = statusMiB(server.child.pid);
      resident.push(memory.VmRSS);
      peaks.push(memory.VmHWM);
    } finally {
      server.child.kill('SIGTERM');
    }
  }
  console.log(`--listen: ${runs} fresh servers, each scraped ${runs + 1} times`);
  line('--listen: start-up (until it listens)', middle(starts), 'ms');
  line('--listen: first scrape (HTTP request)', middle(firsts), 'ms', 250);
  line('--listen: warm scrapes (HTTP request)', middle(warms), 'ms', 250);
  line('  their scrape (ipc_scrape_duration)', middle(warmInside), 'ms', 250);
  line('--listen: resident memory after', middle(resident), 'MiB', 100);
  line('--listen: peak resident memory', middle(peaks), 'MiB', 100);
}

/** One figure, and whether it is within the limit. */
function line(label, value, unit, limit) {
  const verdict =
    limit === undefined ? '' : value < limit ? ` ok (< ${limit} ${unit})` : ` OVER ${limit} ${unit}`;
  console.log(`${label.padEnd(38)} ${value.toFixed(1).padStart(8)} ${unit}${verdict}`);
}

async function warmFetch() {
  const { createServer } = await import('node:http');
  const server = createServer((_request, response) => response.end('ok'));
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  try {
    await (await fetch(`http://127.0.0.1:${server.address().port}/`)).text();
  } finally {
    server.close();
  }
}

/** `ipcctl metrics --listen` on a port the kernel picks, once it says where it listens. */
async function startServer() {
  const start = process.hrtime.bigint();
  const child = spawn(bin('ipcctl'), ['metrics', '--listen', '127.0.0.1:0'], {
    env,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  try {
    const url = await new Promise((resolve, reject) => {
      let seen = '';
      child.stdout.on('data', (chunk) => {
        seen += chunk;
        const match = /^listening on (\S+)\n/.exec(seen);
        if (match) resolve(match[1]);
      });
      child.once('exit', (code) => reject(new Error(`ipcctl metrics --listen exited ${code}`)));
    });
    return { child, url, startMs: Number(process.hrtime.bigint() - start) / 1e6 };
  } catch (error) {
    child.kill('SIGTERM');
    throw error;
  }
}

/** A process's VmRSS and VmHWM (/proc/PID/status, kB), in MiB. */
function statusMiB(pid) {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const field = (name) =>
    Number(new RegExp(`^${name}:\\s+(\\d+) kB$`, 'm').exec(status)?.[1] ?? Number.NaN) / 1024;
  return { VmRSS: field('VmRSS'), VmHWM: field('VmHWM') };
}

/**
 * Each speed mechanism (CONTRIBUTING, "Benchmarks") and the commands it is meant to speed up, run
 * by the product's bins and by bins built without it, on `count` objects of each type.
 */
const LEDGER = {
  'wasm-scanner': [['ipcs'], ['lsipc', '-m']],
  'byte-output': [['ipcs'], ['lsipc', '-m', '--json'], ['lsipc', '-m']],
  'code-cache': [
    ['ipcs', '-m'],
    ['lsipc', '-m'],
  ],
  'lazy-module': [
    ['ipcs', '-m'],
    ['lsipc', '-m'],
    // The yargs tools: string-width, yargs' start-up edits, node:worker_threads (set 0: populate's first).
    ['ipcctl', 'sem', 'get', '0'],
    ['lsfifo', '/dev/shm'],
  ],
  'baked-binding': [['ipcs', '-u']],
  'bulk-worker': [['ipcrm', '-a']],
};

if (sections.has('ledger')) {
  const mechanisms = values.mechanisms?.split(',') ?? Object.keys(LEDGER);
  console.log(`\n# ledger: each mechanism, with and without it, on ${count} objects of each type`);
  // Each package's dist/bench-without-<mechanism>/: there they find ffi-rs as the product does.
  const variants = new Set();
  try {
    const runs = [];
    for (const mechanism of mechanisms) {
      const subdir = `bench-without-${mechanism}`;
      const built = spawnSync(
        process.execPath,
        [join(root, 'scripts/build.mjs'), '--without', mechanism, '--subdir', subdir],
        { env, stdio: ['ignore', 'ignore', 'inherit'] },
      );
      if (built.status !== 0) throw new Error(`build --without ${mechanism} failed`);
      for (const [name, ...args] of LEDGER[mechanism]) {
        const dir = join(dirname(realpathSync(bin(name))), subdir);
        variants.add(dir);
        runs.push({
          label: `${mechanism}: ${[name, ...args].join(' ')}`,
          ours: [bin(name), ...args],
          plain: [join(dir, `${name}.js`), ...args],
        });
      }
    }
    setLimits();
    populate(count);
    for (const { label, ours, plain } of runs) {
      if (ours[0].endsWith('ipcrm')) continue;
      const [[oursWall, oursCpu], [plainWall, plainCpu]] = pairedWithCpu(ours, plain);
      ledger(label, [oursWall, plainWall], [oursCpu, plainCpu]);
    }
    for (const { label, ours, plain } of runs) {
      if (ours[0].endsWith('ipcrm')) ledger(label, [removalTime(ours), removalTime(plain)]);
    }
  } finally {
    for (const dir of variants) rmSync(dir, { recursive: true, force: true });
    clearAll();
  }
}

/** A ledger line: what the mechanism saves in wall (and CPU) time; a negative gain is a cost. */
function ledger(label, [ours, plain], cpu) {
  const gain = (kept, dropped) =>
    `${(dropped - kept).toFixed(1)} ms (${((100 * (dropped - kept)) / dropped).toFixed(0)}%)`;
  report(label, ours, plain, 'without it');
  const cpuGain =
    cpu === undefined ? '' : `; CPU ${cpu[0].toFixed(1)} vs ${cpu[1].toFixed(1)} ms, gain ${gain(...cpu)}`;
  console.log(`${''.padEnd(38)} gain ${gain(ours, plain)}${cpuGain}`);
}

const BASELINE_COMMANDS = [
  ['ipcs'],
  ['lsipc', '-m', '--json'],
  ['lsipc', '-m'],
  ['lsipc', '-s'],
  ['lsipc', '-q'],
  ['lsipc'],
];

if (sections.has('baseline')) {
  const commit = values.baseline;
  console.log(
    `\n# baseline: ${commit} against this tree and util-linux, CPU time, ${count} objects of each type`,
  );
  const dir = mkdtempSync(join(tmpdir(), 'ipcutils-baseline-'));
  const run = (command, args, cwd = dir) => {
    const result = spawnSync(command, args, { cwd, env, stdio: ['ignore', 'ignore', 'inherit'] });
    if (result.status !== 0) throw new Error(`${command} ${args.join(' ')} failed in ${cwd}`);
  };
  try {
    run('git', ['worktree', 'add', '--detach', dir, commit], root);
    run('pnpm', ['install', '--frozen-lockfile', '--offline']);
    run('pnpm', ['run', 'build']);
    setLimits();
    populate(count);
    for (const [name, ...args] of BASELINE_COMMANDS) {
      const [[, before], [, now], [, reference]] = pairedWithCpu(
        [join(dir, 'bin', name), ...args],
        [bin(name), ...args],
        [`/usr/bin/${name}`, ...args],
      );
      const label = [name, ...args].join(' ');
      const verdict = now <= before * 1.05 ? 'no worse' : 'WORSE';
      rows.push([
        label,
        `${now.toFixed(1)} ms`,
        `${before.toFixed(1)} ms ${commit}`,
        `${(now / before).toFixed(2)}x`,
        verdict,
      ]);
      console.log(
        `${label.padEnd(22)} ${commit} ${(before / reference).toFixed(2)}x, now ${(now / reference).toFixed(2)}x util-linux (${before.toFixed(1)} -> ${now.toFixed(1)} ms, util-linux ${reference.toFixed(1)} ms) ${verdict}`,
      );
    }
  } finally {
    clearAll();
    spawnSync('git', ['worktree', 'remove', '--force', dir], { cwd: root, stdio: 'ignore' });
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The median time `argv` takes to remove `count` objects of each type (made afresh each run). */
function removalTime(argv) {
  const samples = [];
  for (let i = 0; i < Math.max(3, Math.floor(runs / 2)); i++) {
    clearAll();
    populate(count);
    samples.push(timeOnce(argv));
  }
  clearAll();
  return middle(samples);
}

/** Whether our ipcrm has the cleanup filters yet (they come with the leak-cleanup work). */
function runsCleanup() {
  const help = spawnSync(bin('ipcrm'), ['--help'], { env, encoding: 'utf8' });
  return help.stdout.includes('--orphaned');
}

const summaryPath = process.env.IPCUTILS_BENCH_JSON;
if (summaryPath) writeFileSync(summaryPath, JSON.stringify(rows, null, 2));
if (!rows.length) console.log('nothing measured: run `pnpm build` first');
