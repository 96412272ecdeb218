/**
 * ipcctl exists and wait: whether an object is there (exit 0) or not (exit 2), and waiting until
 * it appears or goes. System V objects are looked up in /proc/sysvipc (no permission needed,
 * nothing created for a key), POSIX shared memory and semaphores by their file in /dev/shm,
 * queues with mq_open in our IPC namespace (/dev/mqueue serves the inotify watch only).
 */
import { formatKey } from '@ipcutils/core';
import { type Args, type Command, expectOperands, flag, interruptible, stringOption } from '../command.js';
import { takePosixName, takeSysvRef } from '../objects.js';
import * as ops from '../ops.js';
import { parseDuration } from '../parse.js';
import { EXIT_FAILURE, EXIT_UNMET, Failure, success, UsageError } from '../result.js';
import { waitUntil } from '../watch.js';

const KINDS = ['shm', 'msg', 'sem', 'pshm', 'mq', 'psem'] as const;
type Kind = (typeof KINDS)[number];

/** The object of a check: how messages name it, how to see whether it is there, and where it appears. */
interface Target {
  label: string;
  present(): boolean;
  /** The directory whose entries it is (inotify); none for System V (polled). */
  dir?: string;
}

/** `KIND ID`, `KIND --key KEY` or `KIND /NAME`, checked before anything is looked at. */
function targetOf(args: Args): Target {
  const [word, ...rest] = args.operands;
  const kind = KINDS.find((k) => k === word);
  if (kind === undefined) {
    throw new UsageError(
      word === undefined
        ? `missing operand: ${KINDS.join('|')}`
        : `unknown kind (${KINDS.join(', ')}): '${word}'`,
    );
  }
  const objectArgs = { ...args, operands: rest };
  return kind === 'shm' || kind === 'msg' || kind === 'sem'
    ? sysvTarget(kind, objectArgs)
    : posixTarget(kind, objectArgs);
}

function sysvTarget(kind: ops.SysvKind, args: Args): Target {
  const { ref, operands } = takeSysvRef(kind, args);
  expectOperands({ ...args, operands }, 0, 0, '');
  const label = 'id' in ref ? `${kind} ${ref.id}` : `${kind} key ${formatKey(ref.key)}`;
  return { label, present: () => guarded(label, () => ops.sysvExists(kind, ref)) };
}

function posixTarget(kind: Exclude<Kind, ops.SysvKind>, args: Args): Target {
  if (stringOption(args, 'key') !== undefined)
    throw new UsageError(`--key names System V objects, not ${kind}`);
  const { name, operands } = takePosixName(args);
  expectOperands({ ...args, operands }, 0, 0, '');
  const label = `${kind} ${name}`;
  const { dir, path } = ops.posixFileOf(kind, name);
  return {
    label,
    dir,
    present: () =>
      guarded(label, () => {
        if (kind === 'mq') return ops.mqueueExists(name);
        return ops.posixFile(path) !== undefined;
      }),
  };
}

/** A failure to look (a listing or stat refused) as one line naming the object, exit 1. */
function guarded(label: string, look: () => boolean): boolean {
  try {
    return look();
  } catch (error) {
    if (error instanceof Failure) throw error;
    const code = (error as NodeJS.ErrnoException).code;
    throw new Failure(`${label}: ${code ?? (error as Error).message}`, EXIT_FAILURE);
  }
}

const OBJECTS = `KIND is shm, msg or sem (System V: OBJECT is an ID, or --key KEY), or
pshm, mq or psem (POSIX: OBJECT is /NAME). System V objects are looked up in
/proc/sysvipc, whatever their permissions; POSIX shared memory and semaphores
by their file in /dev/shm; queues with mq_open(3), opened and closed at once
(whether or where /dev/mqueue is mounted). Nothing is created or changed.
`;

const KEY_HELP = '     --key <key>      name a System V object by key instead of ID\n';

export const exists: Command = {
  synopsis: 'KIND OBJECT',
  summary: 'exit 0 when the object exists, 2 when it does not',
  help: `Exit 0 when the object exists, 2 when it does not; print nothing.

${OBJECTS}
Options:
${KEY_HELP}`,
  options: { key: { type: 'string', requiresArg: true } },
  async run(args) {
    const target = targetOf(args);
    return target.present() ? success() : { status: EXIT_UNMET, out: [] };
  },
};

export const wait: Command = {
  synopsis: 'KIND OBJECT [--gone] [--timeout DUR]',
  summary: 'wait until the object exists (or, with --gone, no longer does); exit 2 on timeout',
  help: `Wait until the object exists (exit 0), or with --gone until it no longer
does; with --timeout DUR, exit 2 when DUR passes first. POSIX objects are
watched with inotify, System V objects polled (10 ms, growing to 250 ms):
a wait costs next to no CPU.

${OBJECTS}
Options:
${KEY_HELP}     --gone           wait until the object no longer exists
     --timeout <dur>  wait at most <dur> (500ms, 2s, 1.5, 1m, 1h), then exit 2
`,
  options: {
    key: { type: 'string', requiresArg: true },
    gone: { type: 'boolean' },
    timeout: { type: 'string', requiresArg: true },
  },
  async run(args, context) {
    const target = targetOf(args);
    const timeout = stringOption(args, 'timeout');
    const timeoutMs = timeout === undefined ? undefined : parseDuration(timeout);
    const wanted = !flag(args, 'gone');
    const reached = await interruptible(context.host, (signal) =>
      waitUntil(() => target.present() === wanted, {
        ...(target.dir === undefined ? {} : { dir: target.dir }),
        ...(timeoutMs === undefined ? {} : { timeoutMs }),
        signal,
      }),
    );
    if (!reached)
      throw new Failure(
        `${target.label}: timed out (${wanted ? 'still absent' : 'still there'})`,
        EXIT_UNMET,
      );
    return success();
  },
};
