/** Which paths rmfifo may remove: FIFOs named on the command line, or found below a directory with -r. */
import { type BigIntStats, lstatSync, statSync } from 'node:fs';
import { dirname } from 'node:path';
import { fsPath } from '@ipcutils/core';
import { describeFileType } from '../common/mode.js';
import { findFifos } from '../common/walk.js';

export interface Candidate {
  path: string;
  /** lstat at selection time: what must still be there when it is removed. */
  stat: BigIntStats;
  /** The directory it was selected in: it is removed through that directory only. */
  directory: BigIntStats;
}

export type SelectionProblem =
  | { path: string; kind: 'inaccessible'; code: string }
  | { path: string; kind: 'not-a-fifo'; fileType: string }
  | { path: string; kind: 'unreadable-directory'; code: string };

export interface Selection {
  candidates: Candidate[];
  problems: SelectionProblem[];
}

/** Never follows a symbolic link: a link named on the command line is refused, one inside a tree skipped. */
export function selectFifos(paths: readonly string[], options: { recursive: boolean }): Selection {
  const candidates = new Map<string, Candidate>();
  const problems: SelectionProblem[] = [];
  const visited = new Set<string>();
  for (const path of paths) {
    let stat: BigIntStats;
    try {
      stat = lstatSync(fsPath(path), { bigint: true });
    } catch (error) {
      problems.push({ path, kind: 'inaccessible', code: (error as NodeJS.ErrnoException).code ?? 'EIO' });
      continue;
    }
    if (stat.isFIFO()) {
      let directory: BigIntStats;
      try {
        directory = statSync(fsPath(dirname(path)), { bigint: true });
      } catch (error) {
        problems.push({ path, kind: 'inaccessible', code: (error as NodeJS.ErrnoException).code ?? 'EIO' });
        continue;
      }
      candidates.set(path, { path, stat, directory });
    } else if (stat.isDirectory() && options.recursive) {
      const onError = (where: string, error: NodeJS.ErrnoException) =>
        problems.push({ path: where, kind: 'unreadable-directory', code: error.code ?? 'EIO' });
      for (const fifo of findFifos(path, stat, { maxDepth: undefined, onError, visited })) {
        candidates.set(fifo.path, fifo);
      }
    } else {
      problems.push({ path, kind: 'not-a-fifo', fileType: describeFileType(Number(stat.mode)) });
    }
  }
  return { candidates: [...candidates.values()], problems };
}
