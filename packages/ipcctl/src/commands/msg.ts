/** ipcctl msg: System V message queues (msgsnd, msgrcv, MSG_COPY, msgctl). */
import {
  type Args,
  type Command,
  type Context,
  expectOperands,
  flag,
  type Group,
  interruptible,
  KEY_OPTION,
  refuseTogether,
  stringOption,
  WAIT_OPTIONS,
} from '../command.js';
import { bytesFields, formatHexdump, formatJson } from '../format.js';
import { onObject, onObjectAsync, resolveSysv, takeSysvRef, waitOptionsOf } from '../objects.js';
import * as ops from '../ops.js';
import { parseInteger } from '../parse.js';
import { Failure, type Result, success, UsageError } from '../result.js';
import { inputData } from './input.js';

/** mtype is a long; the kernel refuses 0 and below for msgsnd. */
const MTYPE_MAX = Number.MAX_SAFE_INTEGER;

const send: Command = {
  synopsis: 'ID [--type N] [--nowait | --timeout DUR] [DATA]',
  summary: 'send DATA (else standard input, as bytes) as one message',
  options: { ...KEY_OPTION, ...WAIT_OPTIONS, type: { type: 'string', requiresArg: true } },
  async run(args, context) {
    const { ref, operands } = takeSysvRef('msg', args);
    expectOperands({ ...args, operands }, 0, 1, 'DATA');
    const type = parseInteger(stringOption(args, 'type') ?? '1', 'type', 1, MTYPE_MAX);
    const wait = waitOptionsOf(args);
    const { id, label } = resolveSysv(ref);
    const msgmax = onObject(label, ops.msgmax);
    const data = inputData(
      operands[0],
      context,
      msgmax,
      `${label}: message longer than msgmax (${msgmax} bytes)`,
    );
    if (data.length > msgmax)
      throw new Failure(`${label}: message of ${data.length} bytes exceeds msgmax (${msgmax} bytes)`);
    const qbytes = queueBytes(id);
    // A message larger than the queue's qbytes never fits: msgsnd would wait forever.
    if (qbytes !== undefined && data.length > qbytes) {
      throw new Failure(
        `${label}: message of ${data.length} bytes exceeds the queue's qbytes (${qbytes} bytes)`,
      );
    }
    await onObjectAsync(label, () =>
      interruptible(context.host, (signal) => ops.sendMsg(id, { type, data }, { ...wait, signal })),
    );
    return success();
  },
};

/** qbytes when the queue may be read (IPC_STAT needs read permission; a sender may lack it). */
function queueBytes(id: number): number | undefined {
  try {
    return ops.msgQueueBytes(id).qbytes;
  } catch {
    return undefined;
  }
}

const recv: Command = {
  synopsis: 'ID [--type N | --except N] [--noerror] [--nowait | --timeout DUR]',
  summary: 'receive one message: its bytes on standard output',
  options: {
    ...KEY_OPTION,
    ...WAIT_OPTIONS,
    type: { type: 'string', requiresArg: true },
    except: { type: 'string', requiresArg: true },
    noerror: { type: 'boolean' },
  },
  async run(args, context) {
    const { ref, operands } = takeSysvRef('msg', args);
    expectOperands({ ...args, operands }, 0, 0, '');
    refuseTogether(args, 'type', 'except');
    const except = stringOption(args, 'except');
    const typeText = except ?? stringOption(args, 'type') ?? '0';
    const selector = {
      // --except N takes the first message whose type is not N (MSG_EXCEPT needs N > 0).
      type: parseInteger(typeText, 'type', except === undefined ? -MTYPE_MAX : 1, MTYPE_MAX),
      except: except !== undefined,
      noError: flag(args, 'noerror'),
    };
    const wait = waitOptionsOf(args);
    const { id, label } = resolveSysv(ref);
    const message = await onObjectAsync(label, () =>
      interruptible(context.host, (signal) => ops.receiveMsg(id, selector, { ...wait, signal })),
    );
    if (context.json) return success(formatJson({ id, mtype: message.type, ...bytesFields(message.data) }));
    return success(message.data);
  },
};

const peek: Command = {
  synopsis: 'ID [--index N]',
  summary: 'show a queued message without taking it (hexdump -C)',
  options: { ...KEY_OPTION, index: { type: 'string', requiresArg: true } },
  async run(args, context) {
    const { ref, operands } = takeSysvRef('msg', args);
    expectOperands({ ...args, operands }, 0, 0, '');
    const index = parseInteger(stringOption(args, 'index') ?? '0', 'index', 0, 0x7fff_ffff);
    const { id, label } = resolveSysv(ref);
    const message = onObject(label, () => ops.peekMsg(id, index));
    if (context.json)
      return success(formatJson({ id, index, mtype: message.type, ...bytesFields(message.data) }));
    return success(`type ${message.type}, ${message.data.length} bytes\n`, formatHexdump(message.data));
  },
};

const drain: Command = {
  synopsis: 'ID',
  summary: 'take every queued message; print how many',
  options: KEY_OPTION,
  async run(args, context) {
    const { ref, operands } = takeSysvRef('msg', args);
    expectOperands({ ...args, operands }, 0, 0, '');
    const { id, label } = resolveSysv(ref);
    const drained = onObject(label, () => ops.drainMsgs(id));
    return success(context.json ? formatJson({ id, ...drained }) : `${drained.messages}\n`);
  },
};

const set: Command = {
  synopsis: 'ID --qbytes N',
  summary: "set the queue's maximum bytes (msg_qbytes)",
  options: { ...KEY_OPTION, qbytes: { type: 'string', requiresArg: true } },
  async run(args: Args, _context: Context): Promise<Result> {
    const { ref, operands } = takeSysvRef('msg', args);
    expectOperands({ ...args, operands }, 0, 0, '');
    const text = stringOption(args, 'qbytes');
    if (text === undefined) throw new UsageError('missing option: --qbytes N');
    const qbytes = parseInteger(text, 'qbytes', 0, Number.MAX_SAFE_INTEGER);
    const { id, label } = resolveSysv(ref);
    onObject(label, () => ops.setMsgQueueBytes(id, qbytes));
    return success();
  },
};

export const msg: Group = {
  summary: 'System V message queues',
  objects: 'ID, or --key KEY',
  actions: { send, recv, peek, drain, set },
};
