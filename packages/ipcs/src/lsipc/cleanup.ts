/**
 * Our additions to lsipc's listing: the cleanup filters and the HOLDERS column, sharing one pass
 * over /proc. Nothing here runs unless a filter or HOLDERS is asked for.
 */
import {
  type FileIdentity,
  type FileTimes,
  type HolderAnswer,
  type HolderScan,
  holdersOf,
  type IpcObject,
  type JudgedObject,
  selectObjects,
} from '@ipcutils/core';
import type { Entry } from './collect.js';
import type { LsipcOptions } from './options.js';
import type { ListedObject } from './rows.js';
import type { LsipcSources } from './sources.js';

/** What the filters and HOLDERS found: the entries kept, in order, and each record's holders. */
export interface Cleaned {
  entries: Entry[];
  holders: ReadonlyMap<object, HolderAnswer>;
  /** Passed every other filter, but whether it is in use could not be told: not listed. */
  undetermined: JudgedObject[];
}

/** The entries that pass the filters, and the HOLDERS answers of the records (by record). */
export function applyCleanup(
  run: { options: LsipcOptions; sources: LsipcSources; now: number },
  entries: Entry[],
): Cleaned {
  const { options, sources } = run;
  const holders = new Map<object, HolderAnswer>();
  const showHolders = options.columns.includes('HOLDERS');
  if (!showHolders && !options.filtered) return { entries, holders, undetermined: [] };

  const objects: IpcObject[] = [];
  for (const entry of entries) {
    if (entry.kind === 'global') continue;
    const object = identify(entry, (path) => sources.posixFile(path));
    if (object !== undefined) objects.push(object);
  }
  let scan: HolderScan | undefined;
  if (showHolders) {
    scan = sources.scanHolders({
      sysv: objects.some((object) => object.kind === 'shm' && object.record.nattch > 0),
      files: objects.flatMap((object) => ('file' in object ? [object.file] : [])),
    });
    for (const object of objects) {
      const answer = holdersOf(scan, object);
      if (answer !== undefined) holders.set(object.record, answer);
    }
  }
  if (!options.filtered) return { entries, holders, undetermined: [] };
  const selection = selectObjects(objects, options.filter, {
    now: run.now,
    processes: sources.processes(),
    semPids: (set) => sources.semPids(set),
    semWaiters: (set) => sources.semWaiters(set),
    activity: sources.activity(),
    holders: scan ?? ((request) => sources.scanHolders(request)),
  });
  const kept = new Set<object>(selection.selected.map(({ object }) => object.record));
  return {
    entries: entries.filter((entry) => entry.kind !== 'global' && kept.has(entry.record)),
    holders,
    undetermined: selection.undetermined,
  };
}

/** The IpcObject of a listed record; a POSIX file gone since the listing has none. */
function identify(
  listed: ListedObject,
  posixFile: (path: string) => { file: FileIdentity; times: FileTimes } | undefined,
): IpcObject | undefined {
  switch (listed.kind) {
    case 'shm':
    case 'msg':
    case 'sem':
      return listed;
    default: {
      const file = posixFile(listed.record.path);
      return file === undefined ? undefined : ({ ...listed, ...file } as IpcObject);
    }
  }
}
