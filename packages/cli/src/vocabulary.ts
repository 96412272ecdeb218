/**
 * The suite's one typed JSON vocabulary (docs/json.md; schema docs/json/ipcutils.schema.json):
 * keys in lower snake_case, an object's kind as "type", a System V key as its unsigned 32-bit
 * number, a POSIX name with its leading "/", an owner as "owner" (user name, null without one)
 * beside "uid" (the number), times in ISO 8601 UTC (null for "never"). ipcrm --json, lsipc
 * --typed-json and ipcmk --json build their objects here.
 */
import {
  changeTimeOf,
  creatorOf,
  type HolderAnswer,
  type IpcKind,
  type IpcObject,
  isSysvObject,
  type PidEvidence,
  sizeOf,
  type UseJudgement,
  type UseReason,
  type UseVerdict,
  userName,
} from '@ipcutils/core';

/** How an object is named: System V by id and key, POSIX by name. */
export interface JsonObjectRef {
  type: IpcKind;
  /** System V only. */
  id?: number;
  /** System V only: the key as the unsigned 32-bit number ipcs shows in hex. */
  key?: number;
  /** POSIX only: the name as shm_open(3), mq_open(3) and sem_open(3) take it, "/" first. */
  name?: string;
}

export interface JsonHolder {
  pid: number;
  /** /proc/PID/comm. */
  command: string;
}

export interface JsonIpcObject extends JsonObjectRef {
  /** The owner's user name; null when the uid has none. */
  owner: string | null;
  uid: number;
  /** The creator's user name (POSIX: the file's owner); null when the uid has none. */
  cuser: string | null;
  cuid: number;
  /** Last change: System V ctime, POSIX mtime. */
  changed: string | null;
  size?: number;
  /** What --orphaned saw: each recorded pid and what became of it (System V). */
  pids?: PidEvidence[];
  /** Who maps or holds it open, as far as could be seen (POSIX, attached segments). */
  holders?: JsonHolder[];
  /** false when some process could not be inspected: `holders` may miss some. */
  holders_complete?: boolean;
  /** The judgement of its use (--orphaned, --unattached): verdict, reason, evidence. */
  judgement?: JsonJudgement;
}

export interface JsonEvidence {
  idle_seconds: number;
  nattch?: number;
  pids?: PidEvidence[];
  holders?: JsonHolder[];
  holders_complete?: boolean;
  waiters?: number;
  waiter_pids?: number[];
  queued?: number;
  owner_processes?: number[];
}

export interface JsonJudgement {
  verdict: UseVerdict;
  reason: UseReason;
  evidence: JsonEvidence;
}

/** "/name": lsipc lists POSIX shared memory and semaphores without the "/", queues with it. */
export function posixName(name: string): string {
  return name.startsWith('/') ? name : `/${name}`;
}

/** An ISO 8601 UTC time to the second; null for 0, the kernel's "never". */
export function isoTime(seconds: number): string | null {
  return seconds === 0 ? null : new Date(seconds * 1000).toISOString().replace('.000Z', 'Z');
}

export function jsonObjectRef(object: IpcObject): JsonObjectRef {
  return isSysvObject(object)
    ? { type: object.kind, id: object.record.id, key: object.record.key >>> 0 }
    : { type: object.kind, name: posixName(object.record.name) };
}

/** `holders` and `holders_complete` of an answer. */
export function jsonHolders(answer: HolderAnswer): { holders: JsonHolder[]; holders_complete: boolean } {
  return {
    holders: answer.holders.map(({ pid, command }) => ({ pid, command })),
    holders_complete: answer.complete,
  };
}

export function jsonJudgement(judgement: UseJudgement): JsonJudgement {
  const { evidence } = judgement;
  const json: JsonEvidence = { idle_seconds: evidence.idleSeconds };
  if (evidence.nattch !== undefined) json.nattch = evidence.nattch;
  if (evidence.pids !== undefined) json.pids = evidence.pids;
  if (evidence.holders !== undefined) Object.assign(json, jsonHolders(evidence.holders));
  if (evidence.waiters !== undefined) json.waiters = evidence.waiters;
  if (evidence.waiterPids !== undefined) json.waiter_pids = evidence.waiterPids;
  if (evidence.queued !== undefined) json.queued = evidence.queued;
  if (evidence.ownerProcesses !== undefined) json.owner_processes = evidence.ownerProcesses;
  return { verdict: judgement.verdict, reason: judgement.reason, evidence: json };
}

/** An object with what the cleanup saw of it. */
export function jsonObject(
  object: IpcObject,
  seen: { pids?: PidEvidence[]; holders?: HolderAnswer; judgement?: UseJudgement } = {},
): JsonIpcObject {
  const cuid = creatorOf(object);
  const json: JsonIpcObject = {
    ...jsonObjectRef(object),
    owner: userName(object.record.uid) ?? null,
    uid: object.record.uid,
    cuser: userName(cuid) ?? null,
    cuid,
    changed: isoTime(changeTimeOf(object)),
  };
  const size = sizeOf(object);
  if (size !== undefined) json.size = size;
  if (seen.pids !== undefined) json.pids = seen.pids;
  if (seen.holders !== undefined) Object.assign(json, jsonHolders(seen.holders));
  if (seen.judgement !== undefined) json.judgement = jsonJudgement(seen.judgement);
  return json;
}
