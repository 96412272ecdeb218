// Real objects in the test namespace (shared by the test files: only our own ids and names count).
import { randomInt } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { NOBODY, withNamespace } from '../../../../test/helpers/namespace.js';
import { buildScript } from '../../../../test/helpers/script.js';
import { type IpcObject, keyOf, listIpcObjects, restatObject } from '../../src/cleanup/objects.js';
import { recheckObject, selectObjects } from '../../src/cleanup/select.js';
import { openMqueue, unlinkMqueue } from '../../src/posix/mqueue.js';
import { openPosixSem, unlinkPosixSem } from '../../src/posix/sem.js';
import { openPosixShm, unlinkPosixShm } from '../../src/posix/shm.js';
import { createMsgQueue, removeMsgQueue } from '../../src/sysv/msg.js';
import { createSemSet, removeSemSet } from '../../src/sysv/sem.js';
import { attachShm, createShm, removeShm, setShm } from '../../src/sysv/shm.js';

const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const cleanup of cleanups.splice(0).reverse()) {
    try {
      cleanup();
    } catch {
      // already gone
    }
  }
});

const tag = `cleanup-${process.pid}-${randomInt(1 << 30)}`;
const key = () => randomInt(1, 0x7fffffff);

function shm(): number {
  const id = createShm({ key: key(), size: 4096, mode: 0o600, exclusive: true });
  cleanups.push(() => removeShm(id));
  return id;
}

function find(
  objects: IpcObject[],
  kind: IpcObject['kind'],
  idOrName: number | string,
): IpcObject | undefined {
  return objects.find(
    (object) =>
      object.kind === kind && ('id' in object.record ? object.record.id : object.record.name) === idOrName,
  );
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('listIpcObjects', () => {
  it('lists every kind asked for, POSIX objects with their file identity', () => {
    const shmId = shm();
    const msgId = createMsgQueue({ key: key(), mode: 0o600 });
    cleanups.push(() => removeMsgQueue(msgId));
    const semId = createSemSet({ key: key(), nsems: 2, mode: 0o600 });
    cleanups.push(() => removeSemSet(semId));
    openPosixShm(`/${tag}-shm`, { create: true, mode: 0o600, size: 10 }).close();
    cleanups.push(() => unlinkPosixShm(`/${tag}-shm`));
    openPosixSem(`/${tag}-sem`, { create: true, mode: 0o600 }).close();
    cleanups.push(() => unlinkPosixSem(`/${tag}-sem`));
    openMqueue(`/${tag}-mq`, { create: true, mode: 0o600 }).close();
    cleanups.push(() => unlinkMqueue(`/${tag}-mq`));

    const { objects, problems } = listIpcObjects(['shm', 'msg', 'sem', 'pshm', 'psem', 'pmsg']);
    expect(problems).toEqual([]);
    expect(find(objects, 'shm', shmId)?.record).toMatchObject({ id: shmId, size: 4096 });
    expect(find(objects, 'msg', msgId)).toBeDefined();
    expect(find(objects, 'sem', semId)?.record).toMatchObject({ nsems: 2 });
    const pshm = find(objects, 'pshm', `${tag}-shm`);
    expect(pshm).toMatchObject({ record: { path: `/dev/shm/${tag}-shm`, size: 10 } });
    expect(pshm && 'file' in pshm && pshm.file.ino > 0n).toBe(true);
    expect(find(objects, 'psem', `${tag}-sem`)).toBeDefined();
    expect(find(objects, 'pmsg', `/${tag}-mq`)).toMatchObject({ record: { qsize: 0 } });
    // Kinds not asked for are not listed; the order is util-linux's removal order.
    const kinds = listIpcObjects(new Set(['sem', 'shm'] as const)).objects.map((object) => object.kind);
    expect(kinds.indexOf('sem')).toBeGreaterThan(kinds.lastIndexOf('shm'));
    expect(kinds.every((kind) => kind === 'shm' || kind === 'sem')).toBe(true);
  });
});

describe('restatObject and recheckObject', () => {
  function listed(kind: IpcObject['kind'], idOrName: number | string): IpcObject {
    const object = find(listIpcObjects([kind]).objects, kind, idOrName);
    if (object === undefined) throw new Error(`${kind} ${idOrName} is not listed`);
    return object;
  }

  it('an unchanged orphan passes; a removed one is gone', () => {
    const id = shm();
    const object = listed('shm', id);
    // Our own process created it and is alive: orphaned it is not, but --key still selects it.
    expect(recheckObject(object, { orphaned: true })).toMatchObject({
      status: 'no-longer-matching',
      filter: 'orphaned',
    });
    expect(recheckObject(object, { keys: [keyOf(object)!] })).toMatchObject({
      status: 'unchanged',
    });
    removeShm(id);
    expect(restatObject(object)).toEqual({ state: 'gone' });
    expect(recheckObject(object, {})).toEqual({ status: 'gone' });
  });

  it('a segment attached since the selection no longer matches --unattached', () => {
    const id = shm();
    const object = listed('shm', id);
    expect(selectObjects([object], { unattached: true }).selected).toHaveLength(1);
    const attachment = attachShm(id);
    cleanups.push(() => attachment.detach());
    expect(recheckObject(object, { unattached: true })).toMatchObject({
      status: 'no-longer-matching',
      filter: 'unattached',
      object: { record: { nattch: 1 } },
    });
  });

  it('a change time moved since the selection is another object', async () => {
    const id = shm();
    const object = listed('shm', id);
    // ctime has one-second resolution.
    await sleep(1100);
    setShm(id, { mode: 0o640 });
    expect(recheckObject(object, {})).toEqual({ status: 'changed', what: 'ctime' });
  });

  it('a POSIX name unlinked and created again is another file', () => {
    const name = `/${tag}-again`;
    openPosixShm(name, { create: true, mode: 0o600, size: 1 }).close();
    cleanups.push(() => unlinkPosixShm(name));
    const object = listed('pshm', name.slice(1));
    expect(recheckObject(object, { olderThan: 0 })).toMatchObject({ status: 'unchanged' });
    // Keep the old inode alive so the new file cannot reuse its number.
    const old = openPosixShm(name);
    unlinkPosixShm(name);
    openPosixShm(name, { create: true, mode: 0o600, size: 1 }).close();
    expect(recheckObject(object, { olderThan: 0 })).toEqual({ status: 'changed', what: 'file' });
    old.close();
    unlinkPosixShm(name);
    expect(recheckObject(object, { olderThan: 0 })).toEqual({ status: 'gone' });
  });
});

describe('restatObject without read permission', () => {
  it('falls back to SHM_STAT_ANY by index when IPC_STAT is refused (an owner without the read bit)', async () => {
    const script = await buildScript(`
      import { createShm, removeShm, listIpcObjects, restatObject } from '@ipcutils/core';
      const id = createShm({ key: 0x4141, size: 4096, mode: 0o200, exclusive: true });
      const object = listIpcObjects(['shm']).objects.find((o) => o.record.id === id);
      const state = restatObject(object);
      removeShm(id);
      console.log(JSON.stringify({ state: state.state, id: state.object?.record.id === id, mode: state.object?.record.mode }));
    `);
    const result = await withNamespace((ns) => ns.run('node', [script], { user: NOBODY }));
    expect(result.stderr).toBe('');
    expect(JSON.parse(result.stdout)).toEqual({ state: 'present', id: true, mode: 0o200 });
  });
});
