/**
 * The words lsipc and ipcrm print for a cleanup judgement (--explain, the VERDICT and EVIDENCE
 * columns, the report of objects that could not be judged): one sentence per verdict reason and
 * one phrase per piece of evidence, the same in both tools.
 */
import type { UseEvidence, UseJudgement, UseReason } from '@ipcutils/core';

const REASONS: Record<UseReason, string> = {
  unused: 'nothing uses it',
  attached: 'attached',
  held: 'a process maps it or holds it open',
  'live-pid': 'a process it recorded still runs',
  waiters: 'a process is waiting on it',
  'queued-messages': 'it holds messages (--with-messages removes them too)',
  'never-used': 'never operated on (--older-than decides)',
  'owner-running': 'a process of its owner still runs (--older-than decides)',
  'processes-uninspectable': 'processes we may not inspect could use it',
  'processes-hidden': "/proc hides processes (hidepid, or another pid namespace's /proc)",
  'pid-unknown': 'a pid it recorded cannot be looked up (hidepid, or another pid namespace)',
  'set-unreadable': 'its semaphores may not be read',
};

/** "orphaned: nothing uses it", "undetermined: processes we may not inspect could use it". */
export function describeVerdict(judgement: UseJudgement): string {
  return `${judgement.verdict}: ${REASONS[judgement.reason]}`;
}

/** Why an object could not be judged, for "not removing …: cannot tell whether it is in use: …". */
export function describeDoubt(judgement: UseJudgement): string {
  return REASONS[judgement.reason];
}

/** "nattch 0; creator 6 gone; last-operation 6 gone; holders 8(nginx),?; idle 5m". */
export function describeEvidence(evidence: UseEvidence): string {
  const parts: string[] = [];
  if (evidence.nattch !== undefined) parts.push(`nattch ${evidence.nattch}`);
  for (const entry of evidence.pids ?? []) {
    const role = entry.role === 'semaphore' ? `semaphore ${entry.semnum ?? 0}` : entry.role;
    parts.push(`${role} ${entry.pid} ${entry.state}`);
  }
  if (evidence.holders !== undefined) {
    const known = evidence.holders.holders.map((holder) => `${holder.pid}(${holder.command})`);
    if (!evidence.holders.complete) known.push('?');
    parts.push(`holders ${known.length > 0 ? known.join(',') : 'none'}`);
  }
  if (evidence.waiters !== undefined) parts.push(`waiters ${evidence.waiters}`);
  if (evidence.queued !== undefined) parts.push(`queued ${evidence.queued}`);
  if (evidence.ownerProcesses !== undefined && evidence.ownerProcesses.length > 0) {
    const pids = evidence.ownerProcesses;
    const shown = pids.length > 5 ? `${pids.slice(0, 5).join(',')},…` : pids.join(',');
    parts.push(`owner's processes ${shown}`);
  }
  parts.push(`idle ${formatAge(evidence.idleSeconds)}`);
  return parts.join('; ');
}

/** 59s, 5m, 3h, 2d: the largest unit that fits, as --older-than takes them. */
export function formatAge(seconds: number): string {
  if (seconds < 60) return `${seconds}s`;
  if (seconds < 3600) return `${Math.floor(seconds / 60)}m`;
  if (seconds < 86_400) return `${Math.floor(seconds / 3600)}h`;
  return `${Math.floor(seconds / 86_400)}d`;
}
