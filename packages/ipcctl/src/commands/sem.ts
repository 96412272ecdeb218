/** ipcctl sem: System V semaphore sets (semctl GETVAL/GETALL/SETVAL/SETALL, semtimedop). */
import {
  type Args,
  type Command,
  type Context,
  expectOperands,
  flag,
  type Group,
  interruptible,
  KEY_OPTION,
  runHolding,
  WAIT_OPTIONS,
} from '../command.js';
import { formatJson } from '../format.js';
import {
  onObject,
  onObjectAsync,
  resolveSysv,
  type SysvRef,
  takeSysvRef,
  waitOptionsOf,
} from '../objects.js';
import * as ops from '../ops.js';
import { parseInteger, parseSemnum, parseSemOps, SEMVMX, type SemOp } from '../parse.js';
import { Failure, type Result, success, UsageError } from '../result.js';

const get: Command = {
  synopsis: 'ID [SEMNUM]',
  summary: 'print the value of one semaphore, or of all of them on one line',
  options: KEY_OPTION,
  async run(args, context) {
    const { ref, operands } = takeSysvRef('sem', args);
    expectOperands({ ...args, operands }, 0, 1, 'SEMNUM');
    const num = operands[0] === undefined ? undefined : parseSemnum(operands[0]);
    const { id, label } = resolveSysv(ref);
    if (num === undefined) {
      const values = onObject(label, () => ops.semValues(id));
      return success(context.json ? formatJson({ id, values }) : `${values.join(' ')}\n`);
    }
    const value = onObject(label, () => ops.semValue(id, num));
    return success(context.json ? formatJson({ id, semnum: num, value }) : `${value}\n`);
  },
};

const set: Command = {
  synopsis: 'ID SEMNUM VALUE',
  summary: 'set one value (SETVAL; clears the undo entries of that semaphore)',
  options: KEY_OPTION,
  async run(args) {
    const { ref, operands } = takeSysvRef('sem', args);
    expectOperands({ ...args, operands }, 2, 2, 'SEMNUM VALUE');
    const num = parseSemnum(operands[0]!);
    const value = parseValue(operands[1]!);
    const { id, label } = resolveSysv(ref);
    onObject(label, () => ops.setSemValueOf(id, num, value));
    return success();
  },
};

const setall: Command = {
  synopsis: 'ID VALUE...',
  summary: 'set every value of the set at once (SETALL)',
  options: KEY_OPTION,
  async run(args) {
    const { ref, operands } = takeSysvRef('sem', args);
    expectOperands({ ...args, operands }, 1, Number.POSITIVE_INFINITY, 'VALUE...');
    const values = operands.map(parseValue);
    const { id, label } = resolveSysv(ref);
    const nsems = onObject(label, () => ops.semCount(id));
    if (values.length !== nsems) {
      throw new Failure(`${label}: the set has ${nsems} semaphores, got ${values.length} values`);
    }
    onObject(label, () => ops.setSemValues(id, values));
    return success();
  },
};

const op: Command = {
  synopsis: 'ID SEMNUM:OP[,SEMNUM:OP...] [--undo] [--nowait | --timeout DUR]',
  summary: 'one atomic semop of every listed operation',
  options: { ...KEY_OPTION, ...WAIT_OPTIONS, undo: { type: 'boolean' } },
  async run(args, context) {
    const { ref, operands } = takeSysvRef('sem', args);
    expectOperands({ ...args, operands }, 1, 1, 'SEMNUM:OP[,SEMNUM:OP...]');
    return operate(ref, parseSemOps(operands[0]!), args, context);
  },
};

/** `sem wait` and `sem post`: -1 or +1 on one semaphore (default 0). */
function unitOperation(delta: number, summary: string): Command {
  return {
    synopsis: delta < 0 ? 'ID [SEMNUM] [--undo] [--nowait | --timeout DUR]' : 'ID [SEMNUM] [--undo]',
    summary,
    options:
      delta < 0
        ? { ...KEY_OPTION, ...WAIT_OPTIONS, undo: { type: 'boolean' } }
        : { ...KEY_OPTION, undo: { type: 'boolean' } },
    async run(args, context) {
      const { ref, operands } = takeSysvRef('sem', args);
      expectOperands({ ...args, operands }, 0, 1, 'SEMNUM');
      const num = operands[0] === undefined ? 0 : parseSemnum(operands[0]);
      return operate(ref, [{ num, op: delta }], args, context);
    },
  };
}

async function operate(ref: SysvRef, semOps: SemOp[], args: Args, context: Context): Promise<Result> {
  const wait = waitOptionsOf(args);
  const undo = flag(args, 'undo');
  const { id, label } = resolveSysv(ref);
  await onObjectAsync(label, () =>
    interruptible(context.host, (signal) => ops.semOperate(id, semOps, { ...wait, undo, signal })),
  );
  return success();
}

const run: Command = {
  synopsis: 'ID [SEMNUM] [--nowait | --timeout DUR] -- CMD...',
  runsCommand: true,
  summary: 'take the semaphore (SEM_UNDO), run CMD, release it; exit status of CMD',
  options: { ...KEY_OPTION, ...WAIT_OPTIONS },
  async run(args, context) {
    const { ref, operands } = takeSysvRef('sem', args);
    expectOperands({ ...args, operands }, 0, 1, 'SEMNUM');
    if (args.command.length === 0) throw new UsageError('missing command: -- CMD...');
    const num = operands[0] === undefined ? 0 : parseSemnum(operands[0]);
    const wait = waitOptionsOf(args);
    const { id, label } = resolveSysv(ref);
    // SEM_UNDO: if ipcctl itself dies (even by SIGKILL), the kernel gives the unit back.
    const take = [{ num, op: -1 }];
    const give = [{ num, op: 1 }];
    const status = await runHolding(context.host, args.command, {
      take: (signal) => onObjectAsync(label, () => ops.semOperate(id, take, { ...wait, undo: true, signal })),
      // The +1 with SEM_UNDO also cancels the -1's adjustment, so nothing is given back twice.
      give: () => onObjectAsync(label, () => ops.semOperate(id, give, { undo: true, nowait: true })),
    });
    return { status, out: [] };
  },
};

function parseValue(text: string): number {
  const value = parseInteger(text, 'value', 0, Number.MAX_SAFE_INTEGER);
  if (value > SEMVMX) throw new UsageError(`value '${text}' exceeds semvmx (${SEMVMX})`);
  return value;
}

export const sem: Group = {
  summary: 'System V semaphore sets',
  objects: 'ID, or --key KEY',
  actions: {
    get,
    set,
    setall,
    op,
    wait: unitOperation(-1, 'take one unit (-1), waiting while the value is 0'),
    post: unitOperation(1, 'give one unit back (+1)'),
    run,
  },
};
