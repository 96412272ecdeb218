import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { samples } from '../../../test/helpers/exposition.js';
import { parseListenAddress } from '../src/commands/metrics.js';
import { exposeSnapshot } from '../src/metrics/exposition.js';
import { KINDS, type Kind, type Snapshot } from '../src/metrics/snapshot.js';
import { UsageError } from '../src/result.js';

function perKind<T>(make: (kind: Kind) => T): Record<Kind, T> {
  return Object.fromEntries(KINDS.map((kind) => [kind, make(kind)])) as Record<Kind, T>;
}

/** A state with one of everything the metrics show, numbers distinct so that a mix-up shows. */
const SNAPSHOT: Snapshot = {
  kinds: perKind((kind) => ({ objects: KINDS.indexOf(kind) + 1, bytes: 1000 * (KINDS.indexOf(kind) + 1) })),
  owners: [
    { kind: 'shm', uid: 0, owner: 'root', objects: 1, bytes: 1000 },
    { kind: 'sem', uid: 12345, owner: '12345', objects: 3, bytes: 0 },
  ],
  resources: [
    { resource: 'SEMMNI', limit: 32000, used: 3 },
    { resource: 'SHMMAX', limit: 2 ** 64 },
  ],
  queues: [
    { kind: 'msg', id: 7, key: 0x2a, bytes: 300, messages: 2, capacityBytes: 16384 },
    { kind: 'mq', name: '/jobs', bytes: 20, messages: 4, capacityMessages: 10 },
    { kind: 'mq', name: '/locked', bytes: 5 },
  ],
  orphans: perKind((kind) => ({
    objects: kind === 'shm' ? 2 : 0,
    bytes: kind === 'shm' ? 8192 : 0,
    undetermined: kind === 'psem' ? 1 : 0,
  })),
  errors: 1,
};

describe('exposeSnapshot', () => {
  it('names every metric ipc_* in base units, gauges only, each with its help', async () => {
    const { text, contentType } = await exposeSnapshot(SNAPSHOT, 0.125);
    expect(contentType).toBe('text/plain; version=0.0.4; charset=utf-8');
    const types = [...text.matchAll(/^# TYPE (\S+) (\S+)$/gm)].map((m) => [m[1], m[2]]);
    expect(types.map(([name]) => name)).toEqual([
      'ipc_objects',
      'ipc_bytes',
      'ipc_owner_objects',
      'ipc_owner_bytes',
      'ipc_resource_used',
      'ipc_resource_limit',
      'ipc_queue_messages',
      'ipc_queue_bytes',
      'ipc_queue_capacity_bytes',
      'ipc_queue_capacity_messages',
      'ipc_orphaned_objects',
      'ipc_orphaned_bytes',
      'ipc_undetermined_objects',
      'ipc_scrape_errors',
      'ipc_scrape_duration_seconds',
    ]);
    expect(types.every(([, type]) => type === 'gauge')).toBe(true);
    expect(types.some(([name]) => name!.endsWith('_total'))).toBe(false);
    for (const [name] of types) expect(text).toMatch(new RegExp(`^# HELP ${name} \\S`, 'm'));
  });

  it('labels each series with what it counts', async () => {
    const series = samples((await exposeSnapshot(SNAPSHOT, 0.125)).text);
    expect(series.get('ipc_objects{kind="shm"}')).toBe(1);
    expect(series.get('ipc_objects{kind="psem"}')).toBe(6);
    expect(series.get('ipc_bytes{kind="mq"}')).toBe(5000);
    // Semaphores hold no bytes: no series rather than a misleading 0.
    expect(series.has('ipc_bytes{kind="sem"}')).toBe(false);
    expect(series.get('ipc_owner_objects{kind="shm",owner="root",uid="0"}')).toBe(1);
    expect(series.get('ipc_owner_objects{kind="sem",owner="12345",uid="12345"}')).toBe(3);
    expect(series.has('ipc_owner_bytes{kind="sem",owner="12345",uid="12345"}')).toBe(false);
    expect(series.get('ipc_resource_used{resource="SEMMNI"}')).toBe(3);
    expect(series.get('ipc_resource_limit{resource="SEMMNI"}')).toBe(32000);
    expect(series.get('ipc_resource_limit{resource="SHMMAX"}')).toBe(2 ** 64);
    expect(series.has('ipc_resource_used{resource="SHMMAX"}')).toBe(false);
    expect(series.get('ipc_queue_bytes{kind="msg",id="7",key="0x0000002a"}')).toBe(300);
    expect(series.get('ipc_queue_messages{kind="msg",id="7",key="0x0000002a"}')).toBe(2);
    expect(series.get('ipc_queue_capacity_bytes{kind="msg",id="7",key="0x0000002a"}')).toBe(16384);
    expect(series.get('ipc_queue_capacity_messages{kind="mq",name="/jobs"}')).toBe(10);
    expect(series.get('ipc_queue_messages{kind="mq",name="/jobs"}')).toBe(4);
    // A queue this user may not open: its bytes (from /dev/mqueue), no message count.
    expect(series.get('ipc_queue_bytes{kind="mq",name="/locked"}')).toBe(5);
    expect(series.has('ipc_queue_messages{kind="mq",name="/locked"}')).toBe(false);
    expect(series.get('ipc_orphaned_objects{kind="shm"}')).toBe(2);
    expect(series.get('ipc_orphaned_bytes{kind="shm"}')).toBe(8192);
    expect(series.get('ipc_undetermined_objects{kind="psem"}')).toBe(1);
    expect(series.get('ipc_scrape_errors')).toBe(1);
    expect(series.get('ipc_scrape_duration_seconds')).toBe(0.125);
  });

  it('a kind that could not be listed has no series, rather than a misleading 0', async () => {
    const { mq: _kind, ...kinds } = SNAPSHOT.kinds;
    const { mq: _orphans, ...orphans } = SNAPSHOT.orphans;
    const series = samples((await exposeSnapshot({ ...SNAPSHOT, kinds, orphans }, 0)).text);
    expect(series.get('ipc_objects{kind="shm"}')).toBe(1);
    expect(
      [...series.keys()].filter((key) => key.includes('kind="mq"') && !key.startsWith('ipc_queue')),
    ).toEqual([]);
  });

  it('a fresh registry each time: a queue gone is gone from the next exposition', async () => {
    const first = samples((await exposeSnapshot(SNAPSHOT, 0.1)).text);
    const second = samples((await exposeSnapshot({ ...SNAPSHOT, queues: [] }, 0.1)).text);
    expect(first.has('ipc_queue_bytes{kind="mq",name="/jobs"}')).toBe(true);
    expect([...second.keys()].filter((key) => key.startsWith('ipc_queue_'))).toEqual([]);
  });

  it('escapes label values as the format requires (a POSIX name may hold any byte but /)', async () => {
    const name = '/a"b\\c\nd';
    const { text } = await exposeSnapshot({ ...SNAPSHOT, queues: [{ kind: 'mq', name, bytes: 1 }] }, 0);
    expect(text).toContain('ipc_queue_bytes{kind="mq",name="/a\\"b\\\\c\\nd"} 1\n');
    const checked = spawnSync('promtool', ['check', 'metrics'], { input: text, encoding: 'utf8' });
    expect(checked.stderr).toBe('');
    expect(checked.status).toBe(0);
  });
});

describe('parseListenAddress', () => {
  it.each([
    ['9464', { host: '127.0.0.1', port: 9464 }],
    [':9464', { host: '127.0.0.1', port: 9464 }],
    ['0.0.0.0:80', { host: '0.0.0.0', port: 80 }],
    ['localhost:0', { host: 'localhost', port: 0 }],
    ['[::1]:65535', { host: '::1', port: 65535 }],
  ])('%s', (text, address) => {
    expect(parseListenAddress(text)).toEqual(address);
  });

  it.each([
    ['', "invalid listen address ([ADDR:]PORT): ''"],
    ['127.0.0.1:', "invalid listen address ([ADDR:]PORT): '127.0.0.1:'"],
    ['::1:80', "invalid listen address ([ADDR:]PORT): '::1:80'"],
    ['host:http', "invalid port: 'http'"],
    ['65536', "port out of range (0..65535): '65536'"],
    ['-1', "port out of range (0..65535): '-1'"],
    ['a b:80', "invalid listen address ([ADDR:]PORT): 'a b:80'"],
  ])('%s is refused', (text, message) => {
    expect(() => parseListenAddress(text)).toThrow(new UsageError(message));
  });
});
