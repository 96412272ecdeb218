/**
 * Creates one resource and says how it went, as data. System V objects are created with
 * IPC_EXCL, so an existing object is never handed back (our fix 4: util-linux's random key could
 * hit one and silently print its id); a random key that collides is replaced and retried.
 */
import {
  createMsgQueue,
  createSemSet,
  createShm,
  IpcError,
  openMqueue,
  openPosixSem,
  openPosixShm,
} from '@ipcutils/core';
import { type KeyChoice, randomKey } from './key.js';
import type { PosixKind, ResourceKind, ResourceRequest, SysvKind } from './request.js';

export type Created = { kind: SysvKind; id: number; key: number } | { kind: PosixKind; name: string };

export interface CreateFailure {
  kind: ResourceKind;
  /** The errno ('EINVAL'); 'ETOOBIG' for a size this implementation cannot pass on. */
  code: string;
  /** glibc's text for it. */
  reason: string;
  /** Set when the chosen key (--key, --ftok) already names an object of this kind. */
  existingKey?: number;
  /** Set when the name (-n) already names an object of this kind. */
  existingName?: string;
}

export type CreateResult = { created: Created } | { failure: CreateFailure };

export interface CreateOptions {
  mode: number;
  key: KeyChoice;
}

/** Random keys collide only in a crowded namespace; past this many tries the EEXIST is reported. */
const MAX_KEY_ATTEMPTS = 64;

export function createResource(resource: ResourceRequest, options: CreateOptions): CreateResult {
  const { mode } = options;
  switch (resource.kind) {
    case 'shm':
      return createSysv('shm', options.key, (key) =>
        createShm({ size: Number(resource.size), key, mode, exclusive: true }),
      );
    case 'msg':
      return createSysv('msg', options.key, (key) => createMsgQueue({ key, mode, exclusive: true }));
    case 'sem':
      return createSysv('sem', options.key, (key) =>
        createSemSet({ nsems: resource.nsems, key, mode, exclusive: true }),
      );
    case 'pshm':
      // O_EXCL: util-linux opens an existing object and truncates it to the new size (data loss).
      return createPosix(resource, () =>
        openPosixShm(resource.name, {
          create: true,
          exclusive: true,
          mode,
          size: Number(resource.size),
        }).close(),
      );
    case 'pmsg':
      return createPosix(resource, () =>
        openMqueue(resource.name, { create: true, exclusive: true, mode }).close(),
      );
    case 'psem':
      return createPosix(resource, () =>
        openPosixSem(resource.name, { create: true, exclusive: true, mode, value: 0 }).close(),
      );
  }
}

function createSysv(kind: SysvKind, choice: KeyChoice, create: (key: number) => number): CreateResult {
  for (let attempt = 1; ; attempt++) {
    const key = choice.kind === 'chosen' ? choice.key : randomKey();
    try {
      return { created: { kind, id: create(key), key } };
    } catch (error) {
      if (!(error instanceof IpcError)) throw error;
      const collided = error.code === 'EEXIST';
      if (collided && choice.kind === 'random' && attempt < MAX_KEY_ATTEMPTS) continue;
      const failure: CreateFailure = { kind, code: error.code, reason: error.reason };
      if (collided && choice.kind === 'chosen') failure.existingKey = key;
      return { failure };
    }
  }
}

function createPosix(
  resource: Extract<ResourceRequest, { kind: PosixKind }>,
  create: () => void,
): CreateResult {
  try {
    create();
  } catch (error) {
    if (!(error instanceof IpcError)) throw error;
    const failure: CreateFailure = { kind: resource.kind, code: error.code, reason: error.reason };
    if (error.code === 'EEXIST') failure.existingName = resource.name;
    return { failure };
  }
  return { created: { kind: resource.kind, name: resource.name } };
}
