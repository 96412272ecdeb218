/**
 * ipcctl leakcheck: runs CMD, then reports the IPC objects it left behind (on standard error, or
 * as one JSON line on standard output); exit 3 when any, CMD's own failure status first.
 */
import { jsonObject } from '@ipcutils/cli';
import { formatKey, isSysvObject, sizeOf } from '@ipcutils/core';
import { type Command, expectOperands, flag, stringOption } from '../command.js';
import { formatJson } from '../format.js';
import { type Finding, type LeakReport, LeakWatch, reportIsolated } from '../leaks.js';
import type { IpcObject, ListingProblem } from '../ops.js';
import * as ops from '../ops.js';
import { EXIT_LEAKED, EXIT_SUCCESS, type Result, UsageError } from '../result.js';

/**
 * The inner run of --isolate, inside the new namespaces, given the caller's IPC namespace: not for
 * users, not in the help.
 */
const IN_NAMESPACE = 'in-namespace';

export const leakcheck: Command = {
  synopsis: '[--isolate] -- CMD...',
  runsCommand: true,
  summary: 'run CMD, then report the IPC objects it left; exit 3 when any',
  help: `Run CMD (standard input and output shared), then report the IPC objects,
System V and POSIX, that it created and left behind: on standard error, or
with --json as one JSON line on standard output, after CMD's own output.
Exit with CMD's status when it fails, else 3 when it left any object, else 0.

Without --isolate, objects that existed before CMD are never reported, and an
object is blamed on CMD only on evidence: a segment whose creator pid ran in
CMD's process tree, or a POSIX object that CMD's processes, and no other, held
as it appeared ("probable"). New objects without such evidence (queues and
semaphore sets record no creator) are listed apart and not counted.
With --isolate, CMD runs in new IPC and mount namespaces with its own /dev/shm
and /dev/mqueue: it neither sees the caller's objects nor leaks into them, and
everything left there is reported (needs root, or user namespaces).

Options:
     --isolate        run CMD in private IPC and mount namespaces
 -J, --json           print the report as one JSON line on standard output
`,
  options: { isolate: { type: 'boolean' }, [IN_NAMESPACE]: { type: 'string', requiresArg: true } },
  async run(args, context) {
    expectOperands(args, 0, 0, '');
    if (args.command.length === 0) throw new UsageError('missing command: -- CMD...');
    const { host } = context;
    if (flag(args, 'isolate')) {
      const inner = [
        'leakcheck',
        `--${IN_NAMESPACE}=${ops.ipcNamespace()}`,
        ...(context.json ? ['--json'] : []),
        '--',
        ...args.command,
      ];
      return { status: await host.runIsolated(inner), out: [] };
    }
    const caller = stringOption(args, IN_NAMESPACE);
    // Everything in the namespace counts as CMD's only in a namespace made for it.
    if (caller !== undefined && caller === ops.ipcNamespace()) {
      throw new UsageError(`--${IN_NAMESPACE} is leakcheck --isolate's own: this is the caller's namespace`);
    }
    let status: number;
    let report: LeakReport;
    if (caller !== undefined) {
      status = await host.runCommand(args.command);
      report = reportIsolated();
    } else {
      const watch = new LeakWatch();
      const started = host.startCommand(args.command);
      if (started.pid !== undefined) watch.follow(started.pid);
      try {
        status = await started.exited;
      } finally {
        report = watch.finish();
      }
    }
    return reportResult(report, {
      command: args.command,
      status,
      isolated: caller !== undefined,
      json: context.json,
    });
  },
};

interface Run {
  command: readonly string[];
  /** CMD's exit status. */
  status: number;
  isolated: boolean;
  json: boolean;
}

function reportResult(report: LeakReport, run: Run): Result {
  const left = report.findings.filter((finding) => finding.attribution !== undefined);
  const unattributed = report.findings.filter((finding) => finding.attribution === undefined);
  const status = run.status !== EXIT_SUCCESS ? run.status : left.length > 0 ? EXIT_LEAKED : EXIT_SUCCESS;
  if (run.json) {
    const json = {
      command: run.command,
      status: run.status,
      isolated: run.isolated,
      left: left.map(reported),
      unattributed: unattributed.map(reported),
      problems: report.problems.map(({ kind, problem }) => ({ type: kind, problem })),
    };
    return { status, out: [formatJson(json)] };
  }
  return { status, out: [], err: [formatText(left, unattributed, report.problems)] };
}

/** An object in the suite's JSON vocabulary (ipcrm --json's records), with the attribution and evidence. */
function reported(finding: Finding): Record<string, unknown> {
  return {
    ...jsonObject(finding.object),
    ...(finding.attribution === undefined ? {} : { attribution: finding.attribution }),
    evidence: finding.evidence,
  };
}

const PREFIX = 'ipcctl: leakcheck:';

function formatText(left: Finding[], unattributed: Finding[], problems: ListingProblem[]): string {
  const lines: string[] = [];
  if (left.length === 0) lines.push(`${PREFIX} no IPC object left by the command`);
  else lines.push(`${PREFIX} ${count(left.length)} left by the command:`, ...left.map(describe));
  if (unattributed.length > 0) {
    lines.push(
      `${PREFIX} ${count(unattributed.length)} new during the run, not attributed to the command (not counted):`,
      ...unattributed.map(describe),
    );
  }
  for (const { kind, problem } of problems) lines.push(`${PREFIX} ${kind} not checked: ${PROBLEMS[problem]}`);
  return `${lines.join('\n')}\n`;
}

const PROBLEMS: Record<ListingProblem['problem'], string> = {
  'not-mounted': '/dev/mqueue is not mounted',
  'cannot-open': 'its directory cannot be read',
  unavailable: 'the kernel has no System V IPC',
};

function count(n: number): string {
  return n === 1 ? '1 IPC object' : `${n} IPC objects`;
}

/** `  shm 32769 (key 0x00001234, owner 0, 4096 bytes): EVIDENCE`, the kinds and names as ipcctl takes them. */
function describe(finding: Finding): string {
  const { object } = finding;
  const details: string[] = [];
  if (isSysvObject(object)) details.push(`key ${formatKey(object.record.key)}`);
  details.push(`owner ${object.record.uid}`);
  const size = sizeOf(object);
  if (size !== undefined) details.push(`${size} bytes`);
  const certainty = finding.attribution === 'probable' ? ' [probable]' : '';
  return `  ${nameOf(object)} (${details.join(', ')})${certainty}: ${finding.evidence}`;
}

function nameOf(object: IpcObject): string {
  if (isSysvObject(object)) return `${object.kind} ${object.record.id}`;
  const name = object.record.name.startsWith('/') ? object.record.name : `/${object.record.name}`;
  return `${object.kind === 'pmsg' ? 'mq' : object.kind} ${name}`;
}
