import { describe, expect, it } from 'vitest';
import type { RemovalTarget } from '../src/command.js';
import {
  formatAnnouncement,
  formatDiagnostic,
  formatListingProblem,
  formatOutcome,
  isFatal,
} from '../src/messages.js';
import type { Outcome, OutcomeStatus } from '../src/remove.js';

const byId: RemovalTarget = { type: 'msg', by: 'id', id: 7 };
const byKey: RemovalTarget = { type: 'shm', by: 'key', key: 0x1234, text: '0x1234' };
const byName: RemovalTarget = { type: 'pmsg', by: 'name', name: '/q' };

function outcome(target: RemovalTarget, status: OutcomeStatus, id?: number): Outcome {
  const result: Outcome = { target, status, error: { code: 'EXDEV', reason: 'Invalid cross-device link' } };
  if (id !== undefined) result.id = id;
  return result;
}

describe('formatOutcome', () => {
  it('says nothing about a removed object', () => {
    expect(formatOutcome({ target: byId, status: 'removed', id: 7 })).toBeUndefined();
  });

  it.each([
    ['not-found', 'invalid id (7)'],
    ['permission-denied', 'permission denied for id (7)'],
    ['already-removed', 'already removed id (7)'],
    ['failed', 'id failed: Invalid cross-device link'],
  ] as const)('id, %s → %s', (status, text) => {
    expect(formatOutcome(outcome(byId, status, 7))).toBe(text);
  });

  it('echoes the key as typed when the lookup failed, and the id once it succeeded', () => {
    expect(formatOutcome(outcome(byKey, 'not-found'))).toBe('invalid key (0x1234)');
    expect(formatOutcome(outcome(byKey, 'already-removed'))).toBe('already removed key (0x1234)');
    expect(formatOutcome(outcome(byKey, 'permission-denied', 5))).toBe('permission denied for key (5)');
    expect(formatOutcome(outcome(byKey, 'not-found', 5))).toBe('invalid key (5)');
    expect(formatOutcome(outcome(byKey, 'failed', 5))).toBe('key failed: Invalid cross-device link');
  });

  it.each([
    ['not-found', "name `/q' not found"],
    ['permission-denied', "permission denied for name `/q'"],
    ['name-too-long', "name `/q' too long"],
    ['failed', 'name failed: Invalid cross-device link'],
  ] as const)('name, %s → %s', (status, text) => {
    expect(formatOutcome(outcome(byName, status))).toBe(text);
  });

  it('treats only unexpected errnos as fatal', () => {
    expect(isFatal(outcome(byId, 'failed'))).toBe(true);
    for (const status of [
      'removed',
      'not-found',
      'permission-denied',
      'already-removed',
      'name-too-long',
    ] as const) {
      expect(isFatal(outcome(byId, status))).toBe(false);
    }
  });
});

describe('formatAnnouncement', () => {
  it('prints util-linux -v lines, with the id a key resolved to', () => {
    expect(formatAnnouncement({ type: 'shm', by: 'id', id: 8 }, 8)).toBe(
      "removing shared memory segment id `8'\n",
    );
    expect(formatAnnouncement(byKey, 3)).toBe("removing shared memory segment id `3'\n");
    expect(formatAnnouncement(byId, 7)).toBe("removing message queue id `7'\n");
    expect(formatAnnouncement({ type: 'sem', by: 'id', id: 2 }, 2)).toBe("removing semaphore id `2'\n");
    expect(formatAnnouncement({ type: 'pshm', by: 'name', name: 'a' }, undefined)).toBe(
      "removing POSIX shared memory `a'\n",
    );
    expect(formatAnnouncement(byName, undefined)).toBe("removing POSIX message queue `/q'\n");
    expect(formatAnnouncement({ type: 'psem', by: 'name', name: 'c' }, undefined)).toBe(
      "removing POSIX semaphore `c'\n",
    );
  });
});

describe('formatDiagnostic', () => {
  const tryHelp = "Try 'ipcrm --help' for more information.\n";
  it.each([
    [{ kind: 'getopt', message: "ipcrm: invalid option -- 'Z'" }, `ipcrm: invalid option -- 'Z'\n${tryHelp}`],
    [{ kind: 'parse-failed', text: 'zz', reason: 'invalid' }, "ipcrm: failed to parse argument: 'zz'\n"],
    [
      { kind: 'parse-failed', text: '99999999999', reason: 'range' },
      "ipcrm: failed to parse argument: '99999999999': Numerical result out of range\n",
    ],
    [{ kind: 'illegal-key', text: '0x0' }, 'ipcrm: illegal key (0x0)\n'],
    [{ kind: 'unknown-category', text: 'foo' }, 'ipcrm: unknown argument: foo\n'],
    [{ kind: 'unknown-argument', text: 'shm' }, `ipcrm: unknown argument: shm\n${tryHelp}`],
    [{ kind: 'bad-usage' }, `ipcrm: bad usage\n${tryHelp}`],
    [{ kind: 'not-enough-arguments' }, `ipcrm: not enough arguments\n${tryHelp}`],
    [{ kind: 'invalid-legacy-id', text: 'abc' }, 'ipcrm: invalid id: abc\n'],
    [{ kind: 'invalid-mqueue-name', name: 'q', verbose: false }, 'ipcrm: name failed: Invalid argument\n'],
  ] as const)('%j', (diagnostic, text) => {
    expect(formatDiagnostic(diagnostic, 'ipcrm')).toBe(text);
  });
});

describe('formatListingProblem', () => {
  it('words the warnings and the fatal error as util-linux 2.43', () => {
    expect(formatListingProblem({ kind: 'cannot-open', path: '/dev/shm' })).toBe('cannot open /dev/shm');
    expect(formatListingProblem({ kind: 'mqueue-not-mounted', path: '/dev/mqueue' })).toBe(
      "/dev/mqueue does not seem to be mounted. Use 'mount -t mqueue none /dev/mqueue' to mount it.",
    );
    expect(formatListingProblem({ kind: 'not-configured', type: 'msg' })).toBe(
      'kernel not configured for message queues',
    );
  });
});
