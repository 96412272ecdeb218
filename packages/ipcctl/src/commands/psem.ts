/** ipcctl psem: POSIX named semaphores (sem_getvalue, sem_post, sem_timedwait). */
import {
  type Command,
  expectOperands,
  type Group,
  interruptible,
  runHolding,
  WAIT_OPTIONS,
} from '../command.js';
import { formatJson } from '../format.js';
import { onObject, onObjectAsync, takePosixName, waitOptionsOf } from '../objects.js';
import * as ops from '../ops.js';
import { success, UsageError } from '../result.js';

const get: Command = {
  synopsis: '/NAME',
  summary: 'print the value',
  options: {},
  async run(args, context) {
    const { name, operands } = takePosixName(args);
    expectOperands({ ...args, operands }, 0, 0, '');
    const value = onObject(`psem ${name}`, () => ops.psemValue(name));
    return success(context.json ? formatJson({ name, value }) : `${value}\n`);
  },
};

const post: Command = {
  synopsis: '/NAME',
  summary: 'add one (sem_post)',
  options: {},
  async run(args) {
    const { name, operands } = takePosixName(args);
    expectOperands({ ...args, operands }, 0, 0, '');
    onObject(`psem ${name}`, () => ops.postPsem(name));
    return success();
  },
};

const wait: Command = {
  synopsis: '/NAME [--nowait | --timeout DUR]',
  summary: 'take one, waiting while the value is 0 (sem_timedwait)',
  options: WAIT_OPTIONS,
  async run(args, context) {
    const { name, operands } = takePosixName(args);
    expectOperands({ ...args, operands }, 0, 0, '');
    const options = waitOptionsOf(args);
    await onObjectAsync(`psem ${name}`, () =>
      interruptible(context.host, (signal) => ops.waitPsem(name, { ...options, signal })),
    );
    return success();
  },
};

const run: Command = {
  synopsis: '/NAME [--nowait | --timeout DUR] -- CMD...',
  runsCommand: true,
  summary: 'take one, run CMD, give it back; exit status of CMD',
  options: WAIT_OPTIONS,
  async run(args, context) {
    const { name, operands } = takePosixName(args);
    expectOperands({ ...args, operands }, 0, 0, '');
    if (args.command.length === 0) throw new UsageError('missing command: -- CMD...');
    const options = waitOptionsOf(args);
    const label = `psem ${name}`;
    // POSIX semaphores have no SEM_UNDO: ipcctl gives the unit back on every exit of CMD, but
    // not when ipcctl itself is killed by SIGKILL (docs/ipcctl.md).
    const status = await runHolding(context.host, args.command, {
      take: (signal) => onObjectAsync(label, () => ops.waitPsem(name, { ...options, signal })),
      give: () => onObject(label, () => ops.postPsem(name)),
    });
    return { status, out: [] };
  },
};

export const psem: Group = {
  summary: 'POSIX named semaphores (/dev/shm/sem.NAME)',
  objects: '/NAME',
  actions: { get, post, wait, run },
};
