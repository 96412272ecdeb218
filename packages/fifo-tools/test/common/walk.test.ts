import {
  lstatSync,
  mkdirSync,
  mkdtempSync,
  renameSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { makeFifo } from '@ipcutils/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findFifos } from '../../src/common/walk.js';

let root: string;

beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'walk-'));
  mkdirSync(join(root, 'a/b/c'), { recursive: true });
  mkdirSync(join(root, 'elsewhere'));
  for (const path of ['top', 'a/one', 'a/b/two', 'a/b/c/three', 'elsewhere/outside'])
    makeFifo(join(root, path));
  writeFileSync(join(root, 'a/regular'), '');
  symlinkSync(join(root, 'elsewhere'), join(root, 'a/link-to-dir'));
  symlinkSync(join(root, 'top'), join(root, 'a/link-to-fifo'));
});

afterAll(() => rmSync(root, { recursive: true, force: true }));

function walk(start: string, maxDepth?: number) {
  const errors: string[] = [];
  const found = findFifos(start, statSync(start, { bigint: true }), {
    maxDepth,
    visited: new Set(),
    onError: (path, error) => errors.push(`${path}: ${error.code}`),
  });
  return { paths: found.map((fifo) => fifo.path.slice(start.length + 1)).sort(), errors };
}

describe('findFifos', () => {
  it('finds FIFOs at every depth and never follows symbolic links', () => {
    expect(walk(join(root, 'a')).paths).toEqual(['b/c/three', 'b/two', 'one']);
  });

  it('limits the depth as find -maxdepth does', () => {
    const a = join(root, 'a');
    expect(walk(a, 0).paths).toEqual([]);
    expect(walk(a, 1).paths).toEqual(['one']);
    expect(walk(a, 2).paths).toEqual(['b/two', 'one']);
  });

  it('walks a directory reached twice only once', () => {
    const visited = new Set<string>();
    const onError = () => {};
    const a = join(root, 'a');
    const first = findFifos(a, statSync(a, { bigint: true }), { maxDepth: undefined, visited, onError });
    const b = join(root, 'a/b');
    const again = findFifos(b, statSync(b, { bigint: true }), { maxDepth: undefined, visited, onError });
    expect(first).toHaveLength(3);
    expect(again).toEqual([]);
  });

  it('returns the lstat of each FIFO', () => {
    const [fifo] = findFifos(join(root, 'elsewhere'), statSync(join(root, 'elsewhere'), { bigint: true }), {
      maxDepth: undefined,
      visited: new Set(),
      onError: () => {},
    });
    expect(fifo?.stat.ino).toBe(lstatSync(join(root, 'elsewhere/outside'), { bigint: true }).ino);
  });
});

describe('findFifos against a directory swapped by another user', () => {
  it('never follows a directory replaced by a symbolic link between its lstat and its reading', () => {
    const base = mkdtempSync(join(tmpdir(), 'walk-swap-'));
    try {
      mkdirSync(join(base, 'tree/sub'), { recursive: true });
      mkdirSync(join(base, 'outside'));
      makeFifo(join(base, 'tree/sub/inside'));
      makeFifo(join(base, 'outside/victim'));
      const tree = join(base, 'tree');
      const errors: string[] = [];
      const found = findFifos(tree, statSync(tree, { bigint: true }), {
        maxDepth: undefined,
        visited: new Set(),
        onError: (path, error) => errors.push(`${path.slice(base.length + 1)}: ${error.code}`),
        // The walk has lstat'ed tree/sub as a directory; now it becomes a link to another one.
        beforeOpen: (path) => {
          if (path !== join(tree, 'sub')) return;
          renameSync(path, join(tree, 'sub.moved'));
          symlinkSync(join(base, 'outside'), path);
        },
      });
      expect(found.map((fifo) => fifo.path)).toEqual([]);
      // O_DIRECTORY | O_NOFOLLOW on a symbolic link: ENOTDIR.
      expect(errors).toEqual(['tree/sub: ENOTDIR']);
    } finally {
      rmSync(base, { recursive: true, force: true });
    }
  });

  it('refuses another directory moved into the place of the one it listed', () => {
    const base = mkdtempSync(join(tmpdir(), 'walk-swap-'));
    try {
      mkdirSync(join(base, 'tree/sub'), { recursive: true });
      mkdirSync(join(base, 'other'));
      makeFifo(join(base, 'other/elsewhere'));
      const tree = join(base, 'tree');
      const errors: string[] = [];
      const found = findFifos(tree, statSync(tree, { bigint: true }), {
        maxDepth: undefined,
        visited: new Set(),
        onError: (path, error) => errors.push(`${path.slice(base.length + 1)}: ${error.code}`),
        beforeOpen: (path) => {
          if (path !== join(tree, 'sub')) return;
          rmSync(path, { recursive: true });
          renameSync(join(base, 'other'), path);
        },
      });
      expect(found).toEqual([]);
      expect(errors).toEqual(['tree/sub: ESTALE']);
    } finally {
      rmSync(base, { recursive: true, force: true });
    }
  });
});
