// The check-then-remove race, staged for real: a process opens the FIFO (or replaces it) at the
// hooks around the rename. Run as root in a private pid namespace, where every process can be
// inspected, so that --unused gets definite answers.
import { createHash } from 'node:crypto';
import {
  chmodSync,
  existsSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { makeFifo } from '@ipcutils/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { withNamespace } from '../../../../test/helpers/namespace.js';
import { buildScript } from '../../../../test/helpers/script.js';

const REMOVE = `
import { spawn } from 'node:child_process';
import { lstatSync, readdirSync, readFileSync, readlinkSync, renameSync, statSync, symlinkSync, unlinkSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { removeFifos } from '../packages/fifo-tools/src/rmfifo/remove.ts';

// Stages SCENARIO on the first path, once, at the hook around its rename.
const [scenario, optionsJson, ...paths] = process.argv.slice(2);
const children = [];
let staged = false;

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
async function until(condition) {
  for (let i = 0; i < 2000; i++) {
    try {
      if (condition()) return;
    } catch {}
    await sleep(5);
  }
  throw new Error('timed out staging ' + scenario);
}
function start(script, path) {
  const child = spawn('sh', ['-c', script, path], { stdio: ['ignore', 'ignore', 'inherit'] });
  children.push(child);
  return child;
}
const proc = (child, entry) => '/proc/' + child.pid + '/' + entry;
const holds = (child, path) => readdirSync(proc(child, 'fd')).some((fd) => readlinkSync(proc(child, 'fd/' + fd)) === path);
const waiting = (child) =>
  readdirSync(proc(child, 'task')).some((tid) => readFileSync(proc(child, 'task/' + tid + '/wchan'), 'utf8') === 'wait_for_partner');

async function stage(path, temporary) {
  if (staged || path !== paths[0]) return;
  staged = true;
  if (scenario === 'opened-read-write') {
    const child = start('exec 3<>"$0"; exec sleep 1000', path);
    await until(() => holds(child, path));
  } else if (scenario === 'blocked-reader') {
    const child = start('exec 3<"$0"', path);
    await until(() => waiting(child));
  } else if (scenario === 'directory-swapped') {
    // Its directory becomes a link to another, which has a file of the FIFO's name.
    renameSync(dirname(path), dirname(path) + '.old');
    symlinkSync(process.env.VICTIMS, dirname(path));
  } else if (scenario === 'replaced') {
    unlinkSync(path);
    writeFileSync(path, 'not a fifo');
  } else if (scenario === 'opened-after-rename') {
    const child = start('exec 3<>"$0"; exec sleep 1000', temporary);
    await until(() => holds(child, temporary));
  }
}

const hooks =
  scenario === 'opened-after-rename'
    ? { afterRename: (path, temporary) => stage(path, temporary) }
    : { beforeRename: (path) => stage(path) };
const candidates = paths.map((path) => ({
  path,
  stat: lstatSync(path, { bigint: true }),
  directory: statSync(dirname(path), { bigint: true }),
}));
const outcomes = await removeFifos(candidates, { ...JSON.parse(optionsJson), now: Date.now(), hooks });
for (const child of children) child.kill('SIGKILL');
console.log(JSON.stringify(outcomes));
`;

let dir: string;
let script: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'rmfifo-race-'));
  // buildScript caches by the snippet's text alone: name the sources so an edit rebuilds it.
  script = await buildScript(
    `${REMOVE}// sources ${hashSources(['packages/fifo-tools/src', 'packages/core/src'])}\n`,
  );
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A digest of every file below the directories (relative to the repository root). */
function hashSources(directories: string[]): string {
  const hash = createHash('sha1');
  const root = join(import.meta.dirname, '../../../..');
  for (const directory of directories) {
    for (const entry of readdirSync(join(root, directory), { recursive: true, withFileTypes: true })) {
      if (entry.isFile()) hash.update(readFileSync(join(entry.parentPath, entry.name)));
    }
  }
  return hash.digest('hex');
}

let counter = 0;
function fifo(): string {
  const path = join(dir, `f${counter++}`);
  makeFifo(path);
  return path;
}

async function remove(
  scenario: string,
  paths: string[],
  options: Record<string, unknown> = {},
  env: Record<string, string> = {},
) {
  const all = { unused: true, olderThanMs: undefined, dryRun: false, ...options };
  return withNamespace(
    async (ns) => {
      // close() ends the pid namespace's init, and a reader still blocked in it.
      const result = await ns.run(process.execPath, [script, scenario, JSON.stringify(all), ...paths], {
        env,
      });
      if (result.status !== 0) throw new Error(result.stderr);
      return JSON.parse(result.stdout);
    },
    { pid: true },
  );
}

const leftovers = () => readdirSync(dir).filter((name) => name.startsWith('.rmfifo-'));

describe('removeFifos --unused against a process opening the FIFO meanwhile', () => {
  it('removes a FIFO nobody holds (control)', async () => {
    const path = fifo();
    expect(await remove('none', [path])).toEqual([{ kind: 'removed', path }]);
    expect(existsSync(path)).toBe(false);
  });

  it('keeps a FIFO opened between the check and the rename, under its own name', async () => {
    const path = fifo();
    const before = lstatSync(path);
    const [outcome] = await remove('opened-read-write', [path]);
    expect(outcome).toMatchObject({
      kind: 'opened-meanwhile',
      path,
      holders: [{ command: 'sleep', access: 'readwrite' }],
    });
    const after = lstatSync(path);
    expect(after.isFIFO()).toBe(true);
    expect(after.ino).toBe(before.ino);
    expect(leftovers()).toEqual([]);
  });

  it('keeps a FIFO opened by its temporary name right after the rename', async () => {
    const path = fifo();
    const [outcome] = await remove('opened-after-rename', [path]);
    expect(outcome).toMatchObject({ kind: 'opened-meanwhile', path });
    expect(lstatSync(path).isFIFO()).toBe(true);
    expect(leftovers()).toEqual([]);
  });

  it('keeps a FIFO whose reader started to open it (blocked, no descriptor yet) before the rename', async () => {
    const path = fifo();
    const other = fifo();
    const outcomes = await remove('blocked-reader', [path, other]);
    // Once the name is gone the blocked reader cannot be placed, so the whole batch goes back;
    // the second attempt sees which FIFO it waits for, and removes the other one.
    expect(outcomes[0]).toMatchObject({
      kind: 'held',
      path,
      holders: [{ command: 'sh', access: 'read', opening: true }],
    });
    expect(outcomes[1]).toEqual({ kind: 'removed', path: other });
    expect(lstatSync(path).isFIFO()).toBe(true);
    expect(leftovers()).toEqual([]);
  });
});

describe('removeFifos never removes what replaced the FIFO', () => {
  it.each([true, false])('with unused=%s, a regular file put in its place is left there', async (unused) => {
    const path = fifo();
    const [outcome] = await remove('replaced', [path], { unused });
    expect(outcome).toEqual({ kind: 'changed', path, change: 'replaced' });
    expect(readFileSync(path, 'utf8')).toBe('not a fifo');
    expect(leftovers()).toEqual([]);
  });
});

describe('removeFifos never reaches outside the directory the FIFO was selected in', () => {
  it.each([true, false])(
    'with unused=%s, a directory swapped for a link leaves the file it leads to alone',
    async (unused) => {
      const swapped = join(dir, `swapped-${unused}`);
      const victims = join(dir, `victims-${unused}`);
      mkdirSync(swapped);
      mkdirSync(victims);
      const path = join(swapped, 'passwd');
      makeFifo(path);
      writeFileSync(join(victims, 'passwd'), 'precious');
      const before = lstatSync(join(victims, 'passwd'), { bigint: true });
      const [outcome] = await remove('directory-swapped', [path], { unused }, { VICTIMS: victims });
      expect(outcome).toEqual({ kind: 'changed', path, change: 'replaced' });
      // rename(2) of the file and its return would have changed its ctime (and left a window without it).
      const after = lstatSync(join(victims, 'passwd'), { bigint: true });
      expect([after.ino, after.ctimeNs]).toEqual([before.ino, before.ctimeNs]);
      expect(readdirSync(victims)).toEqual(['passwd']);
      expect(lstatSync(join(`${swapped}.old`, 'passwd')).isFIFO()).toBe(true);
    },
  );
});

describe('removeFifos filters', () => {
  it('skips FIFOs modified too recently, and with dryRun removes nothing', async () => {
    const old = fifo();
    const recent = fifo();
    const hourAgo = Date.now() / 1000 - 3600;
    utimesSync(old, hourAgo, hourAgo);
    chmodSync(old, 0o600);
    const options = { unused: false, olderThanMs: 30 * 60_000, dryRun: true };
    expect(await remove('none', [old, recent], options)).toEqual([
      { kind: 'would-remove', path: old },
      { kind: 'too-new', path: recent },
    ]);
    expect(existsSync(old)).toBe(true);
    expect(await remove('none', [old, recent], { ...options, dryRun: false })).toEqual([
      { kind: 'removed', path: old },
      { kind: 'too-new', path: recent },
    ]);
    expect([existsSync(old), existsSync(recent)]).toEqual([false, true]);
  });
});
