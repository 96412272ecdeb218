/**
 * Every text ipcrm prints besides --help and --version, made from typed outcomes, diagnostics
 * and listing problems: util-linux 2.43's wording, without the "ipcrm: " prefix that run.ts and
 * main.ts add (getopt's own messages already carry argv[0]).
 */
import { parseFailureMessage, streams, UsageError, usageFailure } from '@ipcutils/cli';
import type { RemovalTarget } from './command.js';
import type { Diagnostic } from './parse.js';
import type { Outcome } from './remove.js';
import type { SkipReason } from './report.js';
import type { ListingProblem } from './select.js';

const ANNOUNCE_SYSV = {
  shm: 'removing shared memory segment id',
  msg: 'removing message queue id',
  sem: 'removing semaphore id',
} as const;

const ANNOUNCE_POSIX = {
  pshm: 'removing POSIX shared memory',
  pmsg: 'removing POSIX message queue',
  psem: 'removing POSIX semaphore',
} as const;

/** The -v line printed on stdout before each removal; `id` is what a key resolved to. */
export function formatAnnouncement(target: RemovalTarget, id: number | undefined): string {
  return `${describeTarget(target, id)}\n`;
}

/** --dry-run's line for each object it would remove: the -v line, in the conditional. */
export function formatPlanned(target: RemovalTarget, id: number | undefined): string {
  return `would ${describeTarget(target, id).replace(/^removing /, 'remove ')}\n`;
}

/** The warning for an object the re-check before its removal skipped. */
export function formatSkipped(target: RemovalTarget, id: number | undefined, skip: SkipReason): string {
  const what = describeTarget(target, id).replace(/^removing /, '');
  switch (skip.reason) {
    case 'gone':
      return `skipped ${what}: removed since it was selected`;
    case 'changed':
      return `skipped ${what}: it changed since it was selected (${skip.what})`;
    case 'no-longer-matching':
      return `skipped ${what}: it no longer matches --${skip.filter}`;
  }
}

function describeTarget(target: RemovalTarget, id: number | undefined): string {
  if (target.by === 'name') return `${ANNOUNCE_POSIX[target.type]} \`${target.name}'`;
  return `${ANNOUNCE_SYSV[target.type]} \`${id ?? (target.by === 'id' ? target.id : target.key)}'`;
}

/** The error line for an outcome, without the program prefix; undefined when the object was removed. */
export function formatOutcome(outcome: Outcome): string | undefined {
  const { target, status } = outcome;
  if (status === 'removed') return undefined;
  if (target.by === 'name') {
    switch (status) {
      case 'permission-denied':
        return `permission denied for name \`${target.name}'`;
      case 'not-found':
        return `name \`${target.name}' not found`;
      case 'name-too-long':
        return `name \`${target.name}' too long`;
      default:
        return `name failed: ${outcome.error?.reason ?? 'Unknown error'}`;
    }
  }
  const noun = target.by;
  // A failed key lookup echoes the key as typed; after it, util-linux prints the id it found.
  const subject = outcome.id ?? (target.by === 'key' ? target.text : target.id);
  switch (status) {
    case 'permission-denied':
      return `permission denied for ${noun} (${subject})`;
    case 'not-found':
      return `invalid ${noun} (${subject})`;
    case 'already-removed':
      return `already removed ${noun} (${subject})`;
    default:
      return `${noun} failed: ${outcome.error?.reason ?? 'Unknown error'}`;
  }
}

/**
 * The error line for an outcome of a cleanup (filters, --dry-run, --json), which removes several
 * kinds at once: it names the kind, where util-linux's "permission denied for id (1)" would not
 * say whether segment 1 or queue 1 was meant. Undefined when the object was removed.
 */
export function formatCleanupOutcome(outcome: Outcome): string | undefined {
  if (outcome.status === 'removed') return undefined;
  const what = describeTarget(outcome.target, outcome.id).replace(/^removing /, '');
  switch (outcome.status) {
    case 'permission-denied':
      return `permission denied for ${what}`;
    case 'not-found':
      return `${what} not found`;
    case 'already-removed':
      return `${what} already removed`;
    default:
      return `failed to remove ${what}: ${outcome.error?.reason ?? 'Unknown error'}`;
  }
}

/** util-linux stops at an errno it does not expect (err(3)); every other failure is counted and skipped. */
export function isFatal(outcome: Outcome): boolean {
  return outcome.status === 'failed';
}

/** What `ipcrm --all` prints when a category cannot be listed. */
export function formatListingProblem(problem: ListingProblem): string {
  switch (problem.kind) {
    case 'cannot-open':
      return `cannot open ${problem.path}`;
    case 'mqueue-not-mounted':
      return `${problem.path} does not seem to be mounted. Use 'mount -t mqueue none ${problem.path}' to mount it.`;
    case 'not-configured':
      return `kernel not configured for ${NOT_CONFIGURED[problem.type]}`;
  }
}

const NOT_CONFIGURED = { shm: 'shared memory', msg: 'message queues', sem: 'semaphores' } as const;

/** A usage or argument problem as the suite's UsageError, with the try-help line where util-linux prints one. */
export function usageErrorOf(diagnostic: Diagnostic): UsageError {
  const withHelp = { tryHelp: true };
  switch (diagnostic.kind) {
    case 'getopt':
      return new UsageError(diagnostic.message, { prefixed: true, tryHelp: true });
    case 'parse-failed':
      return new UsageError(
        parseFailureMessage('failed to parse argument', diagnostic.text, diagnostic.reason),
      );
    case 'illegal-key':
      return new UsageError(`illegal key (${diagnostic.text})`);
    case 'unknown-category':
      return new UsageError(`unknown argument: ${diagnostic.text}`);
    case 'unknown-argument':
      return new UsageError(`unknown argument: ${diagnostic.text}`, withHelp);
    case 'bad-usage':
      return new UsageError('bad usage', withHelp);
    case 'not-enough-arguments':
      return new UsageError('not enough arguments', withHelp);
    case 'invalid-legacy-id':
      return new UsageError(`invalid id: ${diagnostic.text}`);
    case 'invalid-mqueue-name':
      // glibc's mq_unlink refuses a name without the leading "/" with EINVAL.
      return new UsageError('name failed: Invalid argument');
    case 'filter-argument':
      return new UsageError(diagnostic.message);
  }
}

/** The stderr text of a usage or argument problem. */
export function formatDiagnostic(diagnostic: Diagnostic, program: string): string {
  return streams(usageFailure(usageErrorOf(diagnostic), program)).stderr;
}
