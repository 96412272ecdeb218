// ipcrm's cleanup: the options, the messages, and the run itself in the test run's private
// namespace (shared with other test files: every run here is limited by --key to keys of its own).
import { randomInt } from 'node:crypto';
import { memoryIo } from '@ipcutils/cli';
import {
  attachShm,
  createShm,
  getShm,
  openPosixShm,
  removeShm,
  type SelectedObject,
  type ShmAttachment,
  setShm,
  statShm,
  unlinkPosixShm,
} from '@ipcutils/core';
import { afterEach, describe, expect, it } from 'vitest';
import { type CleanupHooks, runCleanup } from '../src/cleanup.js';
import type { Action, CleanupSettings } from '../src/command.js';
import { main } from '../src/main.js';
import { formatPlanned, formatSkipped } from '../src/messages.js';
import { parseCommand } from '../src/parse.js';
import type { CleanupReport } from '../src/report.js';

const parse = (...argv: string[]) => parseCommand(argv, { argv0: 'ipcrm', env: {} });

describe('options', () => {
  it('filters alone make a cleanup of every kind', () => {
    expect(parse('--orphaned', '--older-than', '7d', '--key', '0x10', '--key', '5', '-v')).toEqual({
      kind: 'run',
      command: {
        actions: [],
        legacy: false,
        cleanup: {
          filter: { orphaned: true, olderThan: 604_800, keys: [16, 5] },
          dryRun: false,
          explain: false,
          json: false,
          verbose: true,
        },
      },
    });
  });

  it('--key 0 (IPC_PRIVATE) is refused as -M 0 is, and keys wider than key_t are not truncated', () => {
    expect(parse('--key', '0x0', '--dry-run')).toEqual({
      kind: 'invalid',
      diagnostics: [{ kind: 'illegal-key', text: '0x0' }],
    });
    expect(parse('--dry-run', '--key', '0x100000000')).toEqual({
      kind: 'invalid',
      diagnostics: [{ kind: 'filter-argument', message: "failed to parse key: '0x100000000'" }],
    });
  });

  it('--all=CATEGORY and named objects say which objects are candidates', () => {
    const result = parse('--unattached', '-m', '3', '--all=pshm', '--dry-run', '--json');
    expect(result).toEqual({
      kind: 'run',
      command: {
        actions: [
          { kind: 'remove', target: { type: 'shm', by: 'id', id: 3 }, verbose: false },
          { kind: 'remove-all', categories: ['pshm'], verbose: false },
        ],
        legacy: false,
        cleanup: { filter: { unattached: true }, dryRun: true, json: true, explain: false, verbose: false },
      },
    });
  });

  it('--dry-run and --json without a filter act on the objects named, and need some', () => {
    expect(parse('--dry-run', '-a')).toMatchObject({
      kind: 'run',
      command: { cleanup: { filter: {}, dryRun: true } },
    });
    expect(parse('--dry-run')).toEqual({ kind: 'invalid', diagnostics: [{ kind: 'bad-usage' }] });
    expect(parse('--json', '-v')).toEqual({ kind: 'invalid', diagnostics: [{ kind: 'bad-usage' }] });
  });

  it('--dry-run plans what the command without it removes: the last --all, unless filters make the union', () => {
    const categories = (...argv: string[]) => {
      const result = parseCommand(argv, { argv0: 'ipcrm', env: {} });
      if (result.kind !== 'run') throw new Error(`not run: ${JSON.stringify(result)}`);
      return result.command.actions.flatMap((action) =>
        action.kind === 'remove-all' ? action.categories : [],
      );
    };
    expect(categories('--all=shm', '--all=msg')).toEqual(['msg']);
    expect(categories('--all=shm', '--all=msg', '--dry-run')).toEqual(['msg']);
    expect(categories('--all=shm', '--all=msg', '--orphaned', '--dry-run')).toEqual(['shm', 'msg']);
    expect(categories('--all=shm', '--all=msg', '--exclude-owner', '0')).toEqual(['shm', 'msg']);
    expect(categories('--all=shm', '--all=msg', '--json', '--dry-run')).toEqual(['shm', 'msg']);
    expect(categories('--all=shm', '--all=msg', '--json')).toEqual(['shm', 'msg']);
  });

  it('a bad filter argument stops everything before anything is removed', () => {
    const io = memoryIo({ programName: 'ipcrm', argv0: 'ipcrm' });
    expect(io.take(main(['-m', '0', '--older-than', '7'], io))).toBe(1);
    expect(io.stdout).toBe('');
    expect(io.stderr).toBe("ipcrm: failed to parse duration: '7' (use 90s, 30m, 12h or 7d)\n");
    const unknown = memoryIo({ programName: 'ipcrm', argv0: 'ipcrm' });
    expect(unknown.take(main(['--creator', 'no-such-user-here', '--orphaned'], unknown))).toBe(1);
    expect(unknown.stderr).toBe("ipcrm: unknown user: 'no-such-user-here'\n");
  });
});

describe('messages', () => {
  it('--dry-run says what -v would say, in the conditional', () => {
    expect(formatPlanned({ type: 'shm', by: 'id', id: 7 }, 7)).toBe(
      "would remove shared memory segment id `7'\n",
    );
    expect(formatPlanned({ type: 'pmsg', by: 'name', name: '/q' }, undefined)).toBe(
      "would remove POSIX message queue `/q'\n",
    );
  });

  it('a skipped object says why', () => {
    const target = { type: 'sem', by: 'id', id: 3 } as const;
    expect(formatSkipped(target, 3, { reason: 'gone' })).toBe(
      "skipped semaphore id `3': removed since it was selected",
    );
    expect(formatSkipped(target, 3, { reason: 'changed', what: 'ctime' })).toBe(
      "skipped semaphore id `3': it changed since it was selected (ctime)",
    );
    expect(formatSkipped(target, 3, { reason: 'no-longer-matching', filter: 'orphaned' })).toBe(
      "skipped semaphore id `3': it no longer matches --orphaned",
    );
  });
});

// ---------------------------------------------------------------------------------------------
// Real runs, in process, on objects of this file only.

const created: number[] = [];
const attachments: ShmAttachment[] = [];
const names: string[] = [];
afterEach(() => {
  for (const attachment of attachments.splice(0)) if (attachment.attached) attachment.detach();
  for (const id of created.splice(0)) {
    try {
      removeShm(id);
    } catch {
      // removed by the test
    }
  }
  for (const name of names.splice(0)) {
    try {
      unlinkPosixShm(name);
    } catch {
      // removed by the test
    }
  }
});

const newKey = () => randomInt(0x10000000, 0x7fffffff);

function segment(key: number): number {
  const id = createShm({ key, size: 4096, mode: 0o600, exclusive: true });
  created.push(id);
  return id;
}

function exists(id: number): boolean {
  try {
    statShm(id);
    return true;
  } catch {
    return false;
  }
}

function cleanup(settings: Partial<CleanupSettings>, actions: Action[] = [], hooks: CleanupHooks = {}) {
  const io = memoryIo({ programName: 'ipcrm', argv0: 'ipcrm' });
  const full: CleanupSettings = {
    filter: {},
    dryRun: false,
    json: false,
    explain: false,
    verbose: false,
    ...settings,
  };
  const status = io.take(runCleanup(actions, full, io.programName, hooks));
  return { status, stdout: io.stdout, stderr: io.stderr };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('the run', () => {
  it('--dry-run removes nothing and lists what would go; -v announces each removal', () => {
    const keys = [newKey(), newKey()];
    const ids = keys.map(segment);
    const dry = cleanup({ filter: { keys }, dryRun: true });
    expect(dry).toEqual({
      status: 0,
      stdout: ids.map((id) => `would remove shared memory segment id \`${id}'\n`).join(''),
      stderr: '',
    });
    expect(ids.every(exists)).toBe(true);
    const real = cleanup({ filter: { keys }, verbose: true });
    expect(real).toEqual({
      status: 0,
      stdout: ids.map((id) => `removing shared memory segment id \`${id}'\n`).join(''),
      stderr: '',
    });
    expect(ids.some(exists)).toBe(false);
  });

  it('skips, and never mis-removes, what was removed, replaced or changed between selection and removal', async () => {
    const [gone, replaced, changed, attached, plain] = [newKey(), newKey(), newKey(), newKey(), newKey()];
    const ids = [gone, replaced, changed, attached, plain].map(segment);
    const pshm = `/ipcrm-cleanup-${process.pid}-${randomInt(1 << 30)}`;
    openPosixShm(pshm, { create: true, mode: 0o600, size: 1 }).close();
    names.push(pshm);
    // ctime has one-second resolution: let a change be seen.
    await sleep(1100);
    let replacement = -1;
    const hooks: CleanupHooks = {
      afterSelection: (selected: readonly SelectedObject[]) => {
        expect(selected).toHaveLength(5);
        removeShm(ids[0]!);
        removeShm(ids[1]!);
        replacement = segment(replaced);
        setShm(ids[2]!, { mode: 0o640 });
        attachments.push(attachShm(ids[3]!));
      },
    };
    const keys = [gone, replaced, changed, attached, plain];
    const result = cleanup({ filter: { keys, unattached: true }, json: true }, [], hooks);
    expect(result.status).toBe(0);
    expect(result.stderr).toBe('');
    const report = JSON.parse(result.stdout) as CleanupReport & { dry_run: boolean };
    expect(report.dry_run).toBe(false);
    expect(report.selected.map((object) => object.id)).toEqual(ids);
    expect(report.removed.map((object) => object.id)).toEqual([ids[4]]);
    expect(report.skipped.map(({ id, ...skip }) => [id, 'reason' in skip ? skip.reason : undefined])).toEqual(
      [
        [ids[0], 'gone'],
        [ids[1], 'gone'],
        [ids[2], 'changed'],
        [ids[3], 'no-longer-matching'],
      ],
    );
    expect(report.skipped[2]).toMatchObject({ reason: 'changed', what: 'ctime' });
    expect(report.skipped[3]).toMatchObject({ reason: 'no-longer-matching', filter: 'unattached' });
    expect(report.failed).toEqual([]);
    // Exactly these remain: the replacement, the changed one, the attached one.
    expect(getShm(replaced)).toBe(replacement);
    expect([ids[2], ids[3]].every((id) => exists(id!))).toBe(true);
    expect([ids[0], ids[1], ids[4]].some((id) => exists(id!))).toBe(false);
  });

  it('the warnings of skipped objects go to stderr when there is no --json', () => {
    const key = newKey();
    const id = segment(key);
    const result = cleanup({ filter: { keys: [key] } }, [], { afterSelection: () => removeShm(id) });
    expect(result).toEqual({
      status: 0,
      stdout: '',
      stderr: `ipcrm: skipped shared memory segment id \`${id}': removed since it was selected\n`,
    });
  });

  it('a POSIX name unlinked and created again between selection and removal stays', () => {
    const name = `/ipcrm-cleanup-${process.pid}-${randomInt(1 << 30)}`;
    openPosixShm(name, { create: true, mode: 0o600, size: 1 }).close();
    names.push(name);
    let old: ReturnType<typeof openPosixShm> | undefined;
    const result = cleanup(
      { filter: { olderThan: 0 }, json: true },
      [{ kind: 'remove', target: { type: 'pshm', by: 'name', name }, verbose: false }],
      {
        afterSelection: () => {
          // Keep the old inode alive so the new file cannot take its number.
          old = openPosixShm(name);
          unlinkPosixShm(name);
          openPosixShm(name, { create: true, mode: 0o600, size: 1 }).close();
        },
      },
    );
    old?.close();
    const report = JSON.parse(result.stdout) as CleanupReport;
    expect(report.skipped).toMatchObject([{ type: 'pshm', name, reason: 'changed', what: 'file' }]);
    expect(report.removed).toEqual([]);
    const again = openPosixShm(name);
    again.close();
  });

  it('a named object that does not exist is a failure, exit 1', () => {
    const key = newKey();
    const result = cleanup({ filter: { olderThan: 0 } }, [
      { kind: 'remove', target: { type: 'shm', by: 'key', key, text: String(key) }, verbose: false },
    ]);
    expect(result).toEqual({ status: 1, stdout: '', stderr: `ipcrm: invalid key (${key})\n` });
  });
});
