// End to end: `ipcctl metrics` on real objects in a private namespace, checked by the real
// components: promtool, a Prometheus server scraping --listen, node_exporter serving --textfile.
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import {
  chmodSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { samples } from './helpers/exposition.js';
import { ipcctlWorkspace } from './helpers/ipcctl.js';
import { collect, type IpcNamespace, NOBODY, type RunOptions, withNamespace } from './helpers/namespace.js';

const root = join(import.meta.dirname, '..');
const ENV = { PATH: `${join(root, 'bin')}:/usr/bin:/bin:/usr/sbin:/sbin`, TZ: 'UTC', LC_ALL: 'C' };
const RULES = join(root, 'docs/monitoring/ipc-alerts.yml');

let ns: IpcNamespace;
let work: string;
const started = new Set<ChildProcess>();

beforeAll(async () => {
  ({ ns, work } = await ipcctlWorkspace('ipcctl-metrics-'));
});

afterEach(async () => {
  for (const child of started) await stop(child);
  await ns.sh('ipcrm -a; rm -f /dev/shm/* /dev/mqueue/*; true');
});

afterAll(async () => {
  for (const child of started) child.kill('SIGKILL');
  await ns.close();
  rmSync(work, { recursive: true, force: true });
});

function sh(script: string, options: RunOptions = {}) {
  return ns.sh(script, { env: ENV, cwd: work, ...options });
}

/** Three segments of known sizes and one queue holding `hello` and `world!` (11 bytes). */
async function knownState(): Promise<{ queue: string }> {
  const result = await sh(
    'ipcmk -M 1000 >/dev/null && ipcmk -M 2000 >/dev/null && ipcmk -M 4096 >/dev/null && ' +
      'q=$(ipcmk -Q | sed "s/.*: //") && ipcctl msg send $q hello && ipcctl msg send $q world! && echo $q',
  );
  expect(result.stderr).toBe('');
  return { queue: result.stdout.trim() };
}

function promtool(args: string[], input?: string) {
  return spawnSync('promtool', args, { input, encoding: 'utf8', timeout: 30_000 });
}

/** A port nothing listens on now. */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

function track(child: ChildProcess): ChildProcess {
  started.add(child);
  child.once('exit', () => started.delete(child));
  return child;
}

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGKILL');
  await exited;
}

/** `ipcctl metrics --listen 127.0.0.1:0` in the namespace, and the URL it prints. */
async function serveMetrics(extra: string[] = []): Promise<{ child: ChildProcess; url: string }> {
  const child = track(
    ns.spawn('ipcctl', ['metrics', '--listen', '127.0.0.1:0', ...extra], { env: ENV, cwd: work }),
  );
  const url = await new Promise<string>((resolve, reject) => {
    let seen = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      seen += chunk.toString();
      const match = /^listening on (http:\S+)\n/.exec(seen);
      if (match) resolve(match[1]!);
    });
    child.once('exit', (code) => reject(new Error(`ipcctl exited ${code} before listening`)));
  });
  return { child, url };
}

/** Polls `probe` until it gives a value; a loaded CI machine may take long to start a server. */
async function waitFor<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 50_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe().catch(() => undefined);
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

describe('ipcctl metrics, printed', () => {
  it('counts a known state, passes promtool check metrics, and agrees with lsipc -g', async () => {
    const { queue } = await knownState();
    const result = await sh('ipcctl metrics');
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    const checked = promtool(['check', 'metrics'], result.stdout);
    expect(checked.stderr + checked.stdout).toBe('');
    expect(checked.status).toBe(0);

    const series = samples(result.stdout);
    expect(series.get('ipc_objects{kind="shm"}')).toBe(3);
    expect(series.get('ipc_objects{kind="msg"}')).toBe(1);
    expect(series.get('ipc_objects{kind="sem"}')).toBe(0);
    expect(series.get('ipc_bytes{kind="shm"}')).toBe(7096);
    expect(series.get('ipc_bytes{kind="msg"}')).toBe(11);
    expect(series.get('ipc_owner_bytes{kind="shm",owner="root",uid="0"}')).toBe(7096);
    const key = (await sh(`ipcs -q | awk '$2 == ${queue} { print $1 }'`)).stdout.trim();
    const labels = `{kind="msg",id="${queue}",key="${key}"}`;
    expect(series.get(`ipc_queue_messages${labels}`)).toBe(2);
    expect(series.get(`ipc_queue_bytes${labels}`)).toBe(11);
    expect(series.get(`ipc_queue_capacity_bytes${labels}`)).toBe(16384);
    // The segments' creator (ipcmk) is gone and nothing attaches them: ipcrm --orphaned's verdict.
    expect(series.get('ipc_orphaned_objects{kind="shm"}')).toBe(3);
    expect(series.get('ipc_orphaned_bytes{kind="shm"}')).toBe(7096);
    // Messages are data: a queue holding some is never orphaned.
    expect(series.get('ipc_orphaned_objects{kind="msg"}')).toBe(0);
    expect(series.get('ipc_scrape_errors')).toBe(0);
    expect(series.get('ipc_scrape_duration_seconds')).toBeGreaterThan(0);

    // util-linux 2.38's lsipc -g has the System V lines; ours adds the POSIX queues'.
    for (const [lsipc, lines] of [
      ['/usr/bin/lsipc', 12],
      ['lsipc', 15],
    ] as const) {
      const { ipclimits } = JSON.parse((await sh(`${lsipc} -g --json --bytes`)).stdout) as {
        ipclimits: { resource: string; limit: string; used: string }[];
      };
      expect(ipclimits.length).toBe(lines);
      for (const { resource, limit, used } of ipclimits) {
        expect(series.get(`ipc_resource_limit{resource="${resource}"}`), resource).toBe(Number(limit));
        const usedSeries = series.get(`ipc_resource_used{resource="${resource}"}`);
        expect(usedSeries, resource).toBe(used === '-' ? undefined : Number(used));
      }
    }
  });

  it('labels owners by user name, or by uid when the uid has none', async () => {
    const made = await sh(
      'a=$(ipcmk -M 1000 | sed "s/.*: //") && b=$(ipcmk -M 3000 | sed "s/.*: //") && ipcmk -S 2 >/dev/null && ' +
        'ipcctl chown shm $a nobody && ipcctl chown shm $b 12345',
    );
    expect(made).toMatchObject({ status: 0, stderr: '' });
    const series = samples((await sh('ipcctl metrics')).stdout);
    const owners = [...series].filter(([name]) => name.startsWith('ipc_owner_'));
    expect(owners).toEqual([
      ['ipc_owner_objects{kind="shm",owner="nobody",uid="65534"}', 1],
      ['ipc_owner_objects{kind="shm",owner="12345",uid="12345"}', 1],
      ['ipc_owner_objects{kind="sem",owner="root",uid="0"}', 1],
      ['ipc_owner_bytes{kind="shm",owner="nobody",uid="65534"}', 1000],
      ['ipc_owner_bytes{kind="shm",owner="12345",uid="12345"}', 3000],
    ]);
  });

  it('--top N gives series to the N queues holding the most bytes, System V and POSIX alike', async () => {
    const made = await sh(
      'for n in 1 2 3; do q=$(ipcmk -Q | sed "s/.*: //"); i=0; while [ $i -lt $n ]; do ipcctl msg send $q 0123456789; i=$((i+1)); done; echo $q; done; ' +
        'ipcmk -q -n /big >/dev/null && ipcctl mq send /big 0123456789012345678901234 && ipcmk -q -n /empty >/dev/null',
    );
    expect(made.stderr).toBe('');
    const [one, two, three] = made.stdout.trim().split('\n');
    const queues = async (args: string) =>
      [...samples((await sh(`ipcctl metrics ${args}`)).stdout)]
        .filter(([name]) => name.startsWith('ipc_queue_bytes'))
        .map(([name, value]) => `${/(id="\d+"|name="[^"]*")/.exec(name)![1]} ${value}`);
    expect(await queues('--top 2')).toEqual([`id="${three}" 30`, 'name="/big" 25']);
    expect(await queues('--top 0')).toEqual([]);
    expect(await queues('')).toEqual([
      `id="${three}" 30`,
      'name="/big" 25',
      `id="${two}" 20`,
      `id="${one}" 10`,
      'name="/empty" 0',
    ]);
    const posix = samples((await sh('ipcctl metrics --top 2')).stdout);
    expect(posix.get('ipc_queue_messages{kind="mq",name="/big"}')).toBe(1);
    expect(posix.get('ipc_queue_capacity_messages{kind="mq",name="/big"}')).toBe(10);
  });

  it('a queue name that is not UTF-8 (any user may make one) is labelled with \\xNN, the scrape stays valid', async () => {
    const made = await sh(
      `ipcmk -q -n "$(printf '/\\377\\376')" >/dev/null && ipcmk -q -n /plain >/dev/null`,
    );
    expect(made).toMatchObject({ status: 0, stderr: '' });
    const printed = await sh('ipcctl metrics');
    expect(printed.status).toBe(0);
    expect(promtool(['check', 'metrics'], printed.stdout).status).toBe(0);
    const file = join(work, 'names.prom');
    expect((await sh(`ipcctl metrics --textfile ${file}`)).status).toBe(0);
    const written = readFileSync(file, 'utf8');
    rmSync(file);
    for (const text of [printed.stdout, written]) {
      const queues = [...samples(text).keys()].filter((name) => name.startsWith('ipc_queue_bytes'));
      expect(queues).toEqual([
        'ipc_queue_bytes{kind="mq",name="/plain"}',
        'ipc_queue_bytes{kind="mq",name="/\\\\xff\\\\xfe"}',
      ]);
    }
  });

  it('refuses bad values with one line and the try-help line, writing nothing', async () => {
    const cases: [string, string][] = [
      ['--top x', "invalid number of queues: 'x'"],
      ['--top -1', "number of queues out of range (0..100000): '-1'"],
      ['--listen 70000', "port out of range (0..65535): '70000'"],
      ['--listen 1.2.3.4:', "invalid listen address ([ADDR:]PORT): '1.2.3.4:'"],
      ['--listen 9100 --textfile out.prom', '--textfile and --listen exclude each other'],
      ['extra', "unexpected operand: 'extra'"],
      ['--textfile', "option '--textfile' requires an argument"],
    ];
    for (const [args, message] of cases) {
      expect(await sh(`ipcctl metrics ${args}`), args).toEqual({
        status: 1,
        stdout: '',
        stderr: `ipcctl: ${message}\nTry 'ipcctl --help' for more information.\n`,
      });
    }
    expect(readdirSync(work)).toEqual([]);
  });
});

describe('ipcctl metrics where a source cannot be read', () => {
  it('/dev/mqueue unreadable: no POSIX queue series, one scrape error, the rest as usual', async () => {
    await withNamespace(async (own) => {
      // The namespace's own mqueue mount: its mode changes nothing outside.
      expect((await own.sh('ipcmk -M 4096 >/dev/null && chmod 700 /dev/mqueue', { env: ENV })).status).toBe(
        0,
      );
      const result = await own.sh('ipcctl metrics', { env: ENV, user: NOBODY });
      expect(result).toMatchObject({ status: 0, stderr: '' });
      const series = samples(result.stdout);
      expect(series.get('ipc_scrape_errors')).toBe(1);
      expect(series.get('ipc_objects{kind="shm"}')).toBe(1);
      expect(series.get('ipc_objects{kind="pshm"}')).toBe(0);
      expect(series.has('ipc_objects{kind="mq"}')).toBe(false);
      expect(series.has('ipc_orphaned_objects{kind="mq"}')).toBe(false);
      expect(series.has('ipc_resource_used{resource="MQUMNI"}')).toBe(false);
      expect(series.get('ipc_resource_limit{resource="MQUMNI"}')).toBeGreaterThan(0);
      expect(series.get('ipc_resource_used{resource="SHMMNI"}')).toBe(1);
      expect(promtool(['check', 'metrics'], result.stdout).status).toBe(0);
    });
  });

  it('/dev/mqueue a plain directory (not mounted): no POSIX queue series, one scrape error', async () => {
    await withNamespace(
      async (own) => {
        // The queue exists in the namespace; only the filesystem that would show it is missing.
        const made = await own.sh('ipcmk -M 4096 >/dev/null && ipcmk -q -n /hidden >/dev/null', { env: ENV });
        expect(made).toMatchObject({ status: 0, stderr: '' });
        const result = await own.sh('ipcctl metrics', { env: ENV });
        expect(result).toMatchObject({ status: 0, stderr: '' });
        const series = samples(result.stdout);
        expect(series.get('ipc_scrape_errors')).toBe(1);
        expect(series.get('ipc_objects{kind="shm"}')).toBe(1);
        expect(series.has('ipc_objects{kind="mq"}')).toBe(false);
        expect(series.has('ipc_resource_used{resource="MQUMNI"}')).toBe(false);
        const leaks = await own.sh('ipcctl leakcheck -- true', { env: ENV });
        expect(leaks.stderr).toContain('ipcctl: leakcheck: pmsg not checked: /dev/mqueue is not mounted\n');
      },
      { noMqueue: true },
    );
  });
});

describe('ipcctl metrics --textfile', () => {
  it('writes the file whole, mode 0644 whatever the umask, and replaces it by rename', async () => {
    await knownState();
    const dir = join(work, 'textfile');
    mkdirSync(dir);
    const file = join(dir, 'ipc.prom');
    writeFileSync(file, 'old\n');
    const before = statSync(file).ino;
    expect(await sh(`umask 077 && ipcctl metrics --textfile ${file}`)).toEqual({
      status: 0,
      stdout: '',
      stderr: '',
    });
    expect(readdirSync(dir)).toEqual(['ipc.prom']);
    const stats = statSync(file);
    expect(stats.mode & 0o777).toBe(0o644);
    expect(stats.ino).not.toBe(before);
    const text = readFileSync(file, 'utf8');
    expect(samples(text).get('ipc_bytes{kind="shm"}')).toBe(7096);
    expect(promtool(['check', 'metrics'], text).status).toBe(0);
  });

  it('a directory it cannot write: one line, exit 1, nothing written or left behind', async () => {
    const dir = join(work, 'locked');
    mkdirSync(dir);
    chmodSync(dir, 0o755);
    const result = await sh(`ipcctl metrics --textfile ${dir}/ipc.prom`, { user: NOBODY });
    expect(result).toEqual({
      status: 1,
      stdout: '',
      stderr: `ipcctl: cannot write ${dir}/ipc.prom: Permission denied\n`,
    });
    expect(readdirSync(dir)).toEqual([]);
    expect(await sh(`ipcctl metrics --textfile ${work}/missing/ipc.prom`)).toEqual({
      status: 1,
      stdout: '',
      stderr: `ipcctl: cannot write ${work}/missing/ipc.prom: No such file or directory\n`,
    });
  });
});

describe('ipcctl metrics --listen', () => {
  it('serves fresh state on /metrics, 404 elsewhere, and exits 0 on SIGTERM', async () => {
    await knownState();
    const { child, url } = await serveMetrics();
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/metrics$/);
    const done = collect(child);
    const first = await fetch(url);
    expect(first.status).toBe(200);
    expect(first.headers.get('content-type')).toBe('text/plain; version=0.0.4; charset=utf-8');
    expect(samples(await first.text()).get('ipc_objects{kind="shm"}')).toBe(3);

    expect((await sh('ipcmk -M 8192 >/dev/null && ipcmk -S 2 >/dev/null')).status).toBe(0);
    const second = samples(await (await fetch(url)).text());
    expect(second.get('ipc_objects{kind="shm"}')).toBe(4);
    expect(second.get('ipc_bytes{kind="shm"}')).toBe(7096 + 8192);
    expect(second.get('ipc_resource_used{resource="SEMMNS"}')).toBe(2);

    for (const path of ['/', '/metrics/x', '/favicon.ico']) {
      const response = await fetch(new URL(path, url));
      expect(response.status, path).toBe(404);
      expect(await response.text()).toBe('Not Found\n');
    }
    expect((await fetch(url, { method: 'POST' })).status).toBe(405);

    // In a pid namespace, the signal reaches ipcctl itself (nsenter forwards it).
    expect((await sh('pkill -TERM -f "[i]pcctl metrics --listen"')).status).toBe(0);
    const result = await done;
    expect(result.status).toBe(0);
    expect(result.stderr).toBe('');
    // Nothing after the listening line (read by serveMetrics).
    expect(result.stdout).toBe('');
  });

  it('an address it cannot listen on: one line, exit 1; SIGINT stops a server with 0', async () => {
    const { child, url } = await serveMetrics();
    const port = new URL(url).port;
    expect(await sh(`ipcctl metrics --listen 127.0.0.1:${port}`)).toEqual({
      status: 1,
      stdout: '',
      stderr: `ipcctl: cannot listen on 127.0.0.1:${port}: Address already in use\n`,
    });
    expect(await sh('ipcctl metrics --listen 192.0.2.1:9')).toEqual({
      status: 1,
      stdout: '',
      stderr: 'ipcctl: cannot listen on 192.0.2.1:9: Cannot assign requested address\n',
    });
    // The first server is unharmed, and SIGINT ends it as cleanly as SIGTERM.
    expect((await fetch(url)).status).toBe(200);
    const done = collect(child);
    expect((await sh('pkill -INT -f "[i]pcctl metrics --listen"')).status).toBe(0);
    expect(await done).toEqual({ status: 0, stdout: '', stderr: '' });
  });
});

describe('with the real components', () => {
  it('a Prometheus server scrapes --listen and answers queries with the known state', async () => {
    const { queue } = await knownState();
    const { url } = await serveMetrics();
    const target = new URL(url).host;
    const dir = mkdtempSync(join(work, 'prometheus-'));
    writeFileSync(
      join(dir, 'prometheus.yml'),
      `global:\n  scrape_interval: 1s\n  evaluation_interval: 1s\nrule_files:\n  - ${RULES}\nscrape_configs:\n  - job_name: ipc\n    static_configs:\n      - targets: ['${target}']\n`,
    );
    const port = await freePort();
    const prometheus = track(
      spawn(
        'prometheus',
        [
          `--config.file=${join(dir, 'prometheus.yml')}`,
          `--storage.tsdb.path=${join(dir, 'data')}`,
          `--web.listen-address=127.0.0.1:${port}`,
        ],
        { stdio: 'ignore' },
      ),
    );
    const api = `http://127.0.0.1:${port}/api/v1`;
    const query = (expr: string) =>
      waitFor(expr, async () => {
        const body = (await (await fetch(`${api}/query?query=${encodeURIComponent(expr)}`)).json()) as {
          data: { result: { metric: Record<string, string>; value: [number, string] }[] };
        };
        return body.data.result.length > 0 ? body.data.result : undefined;
      });
    const shm = await query('ipc_bytes{job="ipc",kind="shm"}');
    expect(shm.map((r) => r.value[1])).toEqual(['7096']);
    expect(shm[0]!.metric.instance).toBe(target);
    const messages = await query('ipc_queue_messages{job="ipc",kind="msg"}');
    expect(messages.map((r) => [r.metric.id, r.value[1]])).toEqual([[queue, '2']]);
    const used = await query('ipc_resource_used{resource="SHMMNI"} / ipc_resource_limit{resource="SHMMNI"}');
    expect(Number(used[0]!.value[1])).toBeCloseTo(3 / 4096, 9);
    const up = await query('up{job="ipc"}');
    expect(up[0]!.value[1]).toBe('1');
    // The example rules load and evaluate against the real series.
    const rules = await waitFor('the rules', async () => {
      const body = (await (await fetch(`${api}/rules`)).json()) as {
        data: { groups: { rules: { name: string; health: string }[] }[] };
      };
      const loaded = body.data.groups.flatMap((group) => group.rules);
      return loaded.every((rule) => rule.health === 'ok') && loaded.length > 0 ? loaded : undefined;
    });
    expect(rules.map((rule) => rule.name)).toEqual([
      'IpcSemaphoreArraysNearLimit',
      'IpcSharedMemoryNearShmall',
      'IpcOrphanedObjects',
      'IpcQueueFull',
      'IpcMetricsIncomplete',
    ]);
    await stop(prometheus);
  }, 120_000);

  it('node_exporter serves the --textfile output', async () => {
    await knownState();
    const dir = mkdtempSync(join(work, 'textfile-'));
    chmodSync(dir, 0o755);
    expect((await sh(`ipcctl metrics --textfile ${dir}/ipc.prom`)).status).toBe(0);
    const port = await freePort();
    const exporter = track(
      spawn(
        'prometheus-node-exporter',
        [
          `--web.listen-address=127.0.0.1:${port}`,
          '--collector.disable-defaults',
          '--collector.textfile',
          `--collector.textfile.directory=${dir}`,
        ],
        { stdio: 'ignore' },
      ),
    );
    const text = await waitFor('node_exporter', async () => {
      const response = await fetch(`http://127.0.0.1:${port}/metrics`);
      return response.ok ? response.text() : undefined;
    });
    const series = samples(text);
    expect(series.get('node_textfile_scrape_error')).toBe(0);
    expect(series.get('ipc_bytes{kind="shm"}')).toBe(7096);
    expect(series.get('ipc_objects{kind="msg"}')).toBe(1);
    expect(series.get('ipc_resource_used{resource="SHMMNI"}')).toBe(3);
    expect([...series.keys()].some((name) => name.startsWith('node_textfile_mtime_seconds{file='))).toBe(
      true,
    );
    await stop(exporter);
  }, 120_000);

  it('the example rules pass promtool check rules and their unit tests', () => {
    const checked = promtool(['check', 'rules', RULES]);
    expect(checked.stdout).toContain('SUCCESS: 5 rules found');
    expect(checked.status).toBe(0);
    const tested = promtool(['test', 'rules', join(root, 'docs/monitoring/ipc-alerts.test.yml')]);
    expect(tested.stdout).toContain('SUCCESS');
    expect(tested.status).toBe(0);
  });
});
