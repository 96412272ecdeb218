/** ipcctl mq: POSIX message queues (mq_timedsend, mq_timedreceive, mq_getattr, mq_setattr). */
import { constants } from 'node:fs';
import {
  type Command,
  expectOperands,
  type Group,
  type Host,
  interruptible,
  stringOption,
  WAIT_OPTIONS,
} from '../command.js';
import { bytesFields, escapeBytes, formatJson } from '../format.js';
import { failureOn, onObject, onObjectAsync, takePosixName, waitOptionsOf } from '../objects.js';
import * as ops from '../ops.js';
import { parseInteger, parseSwitch } from '../parse.js';
import { type Chunk, type Result, success } from '../result.js';
import { inputData } from './input.js';

/** MQ_PRIO_MAX - 1 on Linux. */
const PRIORITY_MAX = 32767;

const send: Command = {
  synopsis: '/NAME [--priority P] [--nowait | --timeout DUR] [DATA]',
  summary: 'send DATA (else standard input, as bytes) as one message',
  options: { ...WAIT_OPTIONS, priority: { type: 'string', requiresArg: true } },
  async run(args, context) {
    const { name, operands } = takePosixName(args);
    expectOperands({ ...args, operands }, 0, 1, 'DATA');
    const priority = parseInteger(stringOption(args, 'priority') ?? '0', 'priority', 0, PRIORITY_MAX);
    const wait = waitOptionsOf(args);
    const label = `mq ${name}`;
    const sender = onObject(label, () => ops.openMqSender(name));
    try {
      // mq_msgsize is known once the queue is open; the message is checked before anything is sent.
      const tooLong = `${label}: message longer than mq_msgsize (${sender.msgsize} bytes)`;
      const data = inputData(operands[0], context, sender.msgsize, tooLong);
      await onObjectAsync(label, () =>
        interruptible(context.host, (signal) => sender.send(data, priority, { ...wait, signal })),
      );
    } finally {
      sender.close();
    }
    return success();
  },
};

const recv: Command = {
  synopsis: '/NAME [--nowait | --timeout DUR]',
  summary: 'receive the oldest message of the highest priority: its bytes on standard output',
  options: WAIT_OPTIONS,
  async run(args, context) {
    const { name, operands } = takePosixName(args);
    expectOperands({ ...args, operands }, 0, 0, '');
    const wait = waitOptionsOf(args);
    const message = await onObjectAsync(`mq ${name}`, () =>
      interruptible(context.host, (signal) => ops.receiveMq(name, { ...wait, signal })),
    );
    if (context.json)
      return success(formatJson({ name, priority: message.priority, ...bytesFields(message.data) }));
    return success(message.data);
  },
};

const follow: Command = {
  synopsis: '/NAME',
  summary: 'print each message as it arrives, one line each, until interrupted',
  options: {},
  async run(args, context) {
    const { name, operands } = takePosixName(args);
    expectOperands({ ...args, operands }, 0, 0, '');
    const label = `mq ${name}`;
    // Opened now, so that a missing queue fails before the stream starts.
    onObject(label, () => ops.mqAttributes(name));
    return { status: 0, out: [], stream: followLines(name, label, context.json, context.host) };
  },
};

async function* followLines(name: string, label: string, json: boolean, host: Host): AsyncGenerator<Chunk> {
  const trap = host.trapInterrupts();
  try {
    // A signal ends the stream after the message being received, which is still printed.
    for await (const message of ops.followMq(name, trap.signal)) {
      yield json
        ? formatJson({ name, priority: message.priority, ...bytesFields(message.data) })
        : `${message.priority} ${escapeBytes(message.data)}\n`;
    }
  } catch (error) {
    throw failureOn(label, error);
  } finally {
    trap.release();
  }
}

const attr: Command = {
  synopsis: '/NAME [--nonblock on|off]',
  summary: "print the queue's attributes (mq_getattr; --nonblock: mq_setattr on ipcctl's own descriptor)",
  options: { nonblock: { type: 'string', requiresArg: true } },
  async run(args, context): Promise<Result> {
    const { name, operands } = takePosixName(args);
    expectOperands({ ...args, operands }, 0, 0, '');
    const nonblock = stringOption(args, 'nonblock');
    const label = `mq ${name}`;
    if (nonblock === undefined) {
      const attributes = onObject(label, () => ops.mqAttributes(name));
      return success(
        context.json ? formatJson({ name, ...attributeFields(attributes) }) : attributeLines(attributes),
      );
    }
    const on = parseSwitch(nonblock, '--nonblock');
    const { old, attributes } = onObject(label, () => ops.setMqNonBlocking(name, on));
    if (context.json) {
      return success(
        formatJson({
          name,
          ...attributeFields(attributes),
          nonblock: isNonBlocking(attributes),
          old: { ...attributeFields(old), nonblock: isNonBlocking(old) },
        }),
      );
    }
    const state = (a: ops.MqueueAttributes) => (isNonBlocking(a) ? 'on' : 'off');
    return success(`${attributeLines(attributes)}nonblock ${state(attributes)} (was ${state(old)})\n`);
  },
};

function attributeFields(a: ops.MqueueAttributes): { maxmsg: number; msgsize: number; curmsgs: number } {
  return { maxmsg: a.maxMessages, msgsize: a.messageSize, curmsgs: a.currentMessages };
}

function attributeLines(a: ops.MqueueAttributes): string {
  return `maxmsg ${a.maxMessages}\nmsgsize ${a.messageSize}\ncurmsgs ${a.currentMessages}\n`;
}

/** mq_flags holds O_NONBLOCK or nothing (mq_getattr(3)). */
function isNonBlocking(a: ops.MqueueAttributes): boolean {
  return (a.flags & constants.O_NONBLOCK) !== 0;
}

export const mq: Group = {
  summary: 'POSIX message queues (/dev/mqueue)',
  objects: '/NAME',
  actions: { send, recv, follow, attr },
};
