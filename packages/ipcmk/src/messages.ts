/**
 * Every text ipcmk prints besides --help and --version: util-linux 2.43's lines and messages,
 * our messages for the added options, and the --json document.
 */

import { parseFailureMessage, posixName, streams, UsageError, usageFailure } from '@ipcutils/cli';
import { formatKey } from '@ipcutils/core';
import type { Created, CreateFailure } from './create.js';
import type { KeyFailure } from './key.js';
import type { Diagnostic } from './parse.js';
import type { ResourceKind } from './request.js';

const CREATED_LINE: Record<ResourceKind, string> = {
  shm: 'Shared memory id',
  pshm: 'POSIX shared memory name',
  msg: 'Message queue id',
  pmsg: 'POSIX message queue name',
  sem: 'Semaphore id',
  psem: 'POSIX semaphore name',
};

/** util-linux's line for a created resource: the id, or the name as given. */
export function formatCreated(created: Created): string {
  const value = 'id' in created ? created.id : created.name;
  return `${CREATED_LINE[created.kind]}: ${value}\n`;
}

// "share memory" is util-linux's spelling, kept so that scripts matching the message still match.
const CREATE_FAILED: Record<ResourceKind, string> = {
  shm: 'create share memory failed',
  pshm: 'create POSIX shared memory failed',
  msg: 'create message queue failed',
  pmsg: 'create POSIX message queue failed',
  sem: 'create semaphore failed',
  psem: 'create POSIX semaphore failed',
};

const NOUN: Record<ResourceKind, string> = {
  shm: 'shared memory',
  pshm: 'POSIX shared memory',
  msg: 'message queue',
  pmsg: 'POSIX message queue',
  sem: 'semaphore',
  psem: 'POSIX semaphore',
};

/** The error line for a failed creation, without the program prefix. */
export function formatFailure(failure: CreateFailure): string {
  if (failure.existingKey !== undefined) {
    return `create ${NOUN[failure.kind]} failed: key ${formatKey(failure.existingKey)} already exists`;
  }
  if (failure.existingName !== undefined) {
    return `create ${NOUN[failure.kind]} failed: name ${failure.existingName} already exists`;
  }
  return `${CREATE_FAILED[failure.kind]}: ${failure.reason}`;
}

export function formatKeyFailure(failure: KeyFailure): string {
  return `cannot derive a key from ${failure.path}: ${failure.reason}`;
}

/** A usage or argument problem as the suite's UsageError, with the try-help line where util-linux prints one. */
export function usageErrorOf(diagnostic: Diagnostic): UsageError {
  const withHelp = { tryHelp: true };
  switch (diagnostic.kind) {
    case 'getopt':
      return new UsageError(diagnostic.message, { prefixed: true, tryHelp: true });
    case 'parse-failed': {
      const message = parseFailureMessage(
        `failed to parse ${diagnostic.value}`,
        diagnostic.text,
        diagnostic.reason,
      );
      // strtosize_or_err() uses err() for every failure, so a bad size gets strerror too.
      const invalidSize =
        diagnostic.value === 'size' && diagnostic.reason === 'invalid' ? ': Invalid argument' : '';
      return new UsageError(`${message}${invalidSize}`);
    }
    case 'bad-usage':
      return new UsageError('bad usage', withHelp);
    case 'name-required':
      return new UsageError('name is required for POSIX IPC', withHelp);
    case 'conflicting-options':
      return new UsageError(
        `options ${diagnostic.options[0]} and ${diagnostic.options[1]} cannot be combined`,
        withHelp,
      );
    case 'missing-option':
      return new UsageError(`${diagnostic.option} requires ${diagnostic.required}`, withHelp);
    case 'sysv-only':
      return new UsageError(`${diagnostic.option} applies only to System V resources (-M, -Q, -S)`, withHelp);
  }
}

/** The stderr text of a usage or argument problem. */
export function formatDiagnostic(diagnostic: Diagnostic, program: string): string {
  return streams(usageFailure(usageErrorOf(diagnostic), program)).stderr;
}

/** One created resource in the --json document, in the suite's JSON vocabulary (docs/json.md). */
export type JsonResource =
  /** `key` is the unsigned value of key_t; `key_hex` is how ipcs prints it. */
  | { type: 'shm' | 'msg' | 'sem'; id: number; key: number; key_hex: string }
  /** `name` with its leading "/", as shm_open(3) and its kin take it. */
  | { type: 'pshm' | 'pmsg' | 'psem'; name: string };

export interface JsonReport {
  resources: JsonResource[];
}

export function toJsonResource(created: Created): JsonResource {
  if ('id' in created) {
    return { type: created.kind, id: created.id, key: created.key >>> 0, key_hex: formatKey(created.key) };
  }
  return { type: created.kind, name: posixName(created.name) };
}

export function formatJson(created: readonly Created[]): string {
  const report: JsonReport = { resources: created.map(toJsonResource) };
  return `${JSON.stringify(report, null, 2)}\n`;
}
