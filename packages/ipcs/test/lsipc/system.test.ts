// main() on the live system of vitest's private namespace: a terminal's width through memoryIo,
// and an object removed between reading /proc and asking the kernel about it.
import { readFileSync } from 'node:fs';
import { memoryIo } from '@ipcutils/cli';
import { createSemSet, createShm, removeSemSet, removeShm } from '@ipcutils/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main, runLsipc } from '../../src/lsipc/main.js';
import { systemSources } from '../../src/lsipc/sources.js';

// This process creates the segment, so COMMAND is its own (long) command line.
const ownCommand = readFileSync('/proc/self/cmdline', 'utf8').replace(/\0$/, '').replaceAll('\0', ' ');
let shmId: number;

beforeAll(() => {
  shmId = createShm({ key: 0, size: 4096, mode: 0o600 });
});

afterAll(() => {
  removeShm(shmId);
});

function lsipc(args: string[], terminal?: { columns: number }) {
  const io = memoryIo({
    programName: 'lsipc',
    isTerminal: terminal !== undefined,
    columns: terminal?.columns,
  });
  const status = io.take(main(args, io));
  return { stdout: io.stdout, stderr: io.stderr, status };
}

describe('on a terminal 40 columns wide', () => {
  // -i and --list: only this test's segment, whatever other tests create meanwhile.
  const args = () => ['-m', '-i', String(shmId), '--list'];

  it('shows the whole command line when standard output is not a terminal', () => {
    const { stdout, status } = lsipc(args());
    expect(status).toBe(0);
    expect(ownCommand.length).toBeGreaterThan(20);
    expect(stdout.split('\n')[1]!.endsWith(` ${ownCommand}`)).toBe(true);
  });

  it('truncates COMMAND (the TRUNC column) down to its header width and leaves the rest whole', () => {
    const { stdout } = lsipc(args(), { columns: 40 });
    const [header, row] = stdout.split('\n');
    expect(header!.endsWith(' COMMAND')).toBe(true);
    // The other columns cannot shrink below their headers, so COMMAND gets only its own 7 cells.
    expect(row!.endsWith(` ${ownCommand.slice(0, 7)}`)).toBe(true);
    expect(row!.length).toBe(header!.length);
    // Ids grow as the other test files create objects in the shared namespace: any width.
    expect(row).toMatch(new RegExp(`^0x00000000 ${shmId} +rw------- `));
  });

  it('keeps the whole command with --notruncate', () => {
    const { stdout } = lsipc([...args(), '--notruncate'], { columns: 40 });
    expect(stdout.split('\n')[1]!.endsWith(` ${ownCommand}`)).toBe(true);
  });

  it('falls back to $COLUMNS, then 80, when the terminal size is unknown', () => {
    const io = memoryIo({ programName: 'lsipc', isTerminal: true, env: { COLUMNS: '40' } });
    io.take(main(args(), io));
    expect(io.stdout).toBe(lsipc(args(), { columns: 40 }).stdout);
  });
});

describe('an object removed while lsipc looks at it', () => {
  it('is skipped as not found when the set goes between /proc and semctl()', () => {
    const id = createSemSet({ key: 0, nsems: 2, mode: 0o600 });
    const io = memoryIo({ programName: 'lsipc' });
    let listed = false;
    const status = io.take(
      runLsipc(['-s', '-i', String(id)], io, {
        ...systemSources,
        semSets: () => {
          const sets = systemSources.semSets();
          listed = sets.some((set) => set.id === id);
          removeSemSet(id);
          return sets;
        },
      }),
    );
    expect(listed).toBe(true);
    expect({ stdout: io.stdout, stderr: io.stderr, status }).toEqual({
      stdout: '',
      stderr: `lsipc: id ${id} not found\n`,
      status: 0,
    });
  });

  it('a segment whose creator is gone has no COMMAND (null, not an error)', () => {
    const io = memoryIo({ programName: 'lsipc' });
    const status = io.take(
      runLsipc(['-m', '-i', String(shmId), '-o', 'ID,COMMAND', '--json'], io, {
        ...systemSources,
        commandLine: () => null,
      }),
    );
    expect(status).toBe(0);
    expect(io.stdout).toBe(
      `{\n   "sharedmemory": [\n      {\n         "id": "${shmId}",\n         "command": null\n      }\n   ]\n}\n`,
    );
  });
});
