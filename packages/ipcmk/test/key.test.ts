import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { formatKey, ftok } from '@ipcutils/core';
import { describe, expect, it } from 'vitest';
import { randomKey, resolveKey } from '../src/key.js';

describe('randomKey', () => {
  it('never returns IPC_PRIVATE and spreads over key_t', () => {
    const keys = Array.from({ length: 500 }, randomKey);
    expect(keys).not.toContain(0);
    expect(keys.every((key) => Number.isInteger(key) && key >= -(2 ** 31) && key < 2 ** 31)).toBe(true);
    expect(new Set(keys).size).toBeGreaterThan(490);
  });
});

describe('resolveKey', () => {
  it('keeps a random source random and a fixed key as given', () => {
    expect(resolveKey({ kind: 'random' })).toEqual({ kind: 'random' });
    expect(resolveKey({ kind: 'fixed', key: 0x1234 })).toEqual({ kind: 'chosen', key: 0x1234 });
  });

  it('derives the key with ftok, once', () => {
    const path = join(tmpdir(), `ipcmk-key-test-${process.pid}`);
    writeFileSync(path, '');
    expect(resolveKey({ kind: 'ftok', path, projectId: 7 })).toEqual({ kind: 'chosen', key: ftok(path, 7) });
  });

  it('reports a file ftok cannot stat', () => {
    expect(resolveKey({ kind: 'ftok', path: '/nonexistent/ipcmk', projectId: 1 })).toEqual({
      path: '/nonexistent/ipcmk',
      reason: 'No such file or directory',
    });
  });
});

it('formats keys as ipcs does', () => {
  expect(formatKey(0x1234)).toBe('0x00001234');
  expect(formatKey(-1)).toBe('0xffffffff');
});
