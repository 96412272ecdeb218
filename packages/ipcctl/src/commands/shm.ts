/** ipcctl shm and pshm: System V segments (shmat) and POSIX objects (shm_open + mmap), as bytes. */
import type { YargsOption } from 'yargs';
import { type Args, type Command, expectOperands, type Group, KEY_OPTION, stringOption } from '../command.js';
import { bytesFields, formatHexdump, formatJson, Hexdump } from '../format.js';
import { onObject, resolveSysv, takePosixName, takeSysvRef } from '../objects.js';
import * as ops from '../ops.js';
import { parseInteger } from '../parse.js';
import { type Chunk, Failure, type Result, success } from '../result.js';
import { inputData } from './input.js';

/** A segment or POSIX object, once every argument has been checked. */
interface Memory {
  label: string;
  size(): number;
  read(offset: number, length: number | undefined): Buffer;
  /** The object held open for a stream of parts. */
  reader(): ops.PartReader;
  write(offset: number, data: Buffer): void;
}

/** One kind of shared memory: its object operand, parsed, and how to reach it. */
interface Kind {
  object: string;
  options: Readonly<Record<string, YargsOption>>;
  take(args: Args): { operands: string[]; resolve(): Memory };
}

const sysv: Kind = {
  object: 'ID',
  options: KEY_OPTION,
  take(args) {
    const { ref, operands } = takeSysvRef('shm', args);
    return {
      operands,
      resolve() {
        const { id, label } = resolveSysv(ref);
        return {
          label,
          size: () => ops.shmSize(id),
          read: (offset, length) => ops.readShm(id, offset, length),
          reader: () => ops.shmReader(id),
          write: (offset, data) => ops.writeShm(id, offset, data),
        };
      },
    };
  },
};

const posix: Kind = {
  object: '/NAME',
  options: {},
  take(args) {
    const { name, operands } = takePosixName(args);
    return {
      operands,
      resolve: () => ({
        label: `pshm ${name}`,
        size: () => ops.pshmSize(name),
        read: (offset, length) => ops.readPshm(name, offset, length),
        reader: () => ops.pshmReader(name),
        write: (offset, data) => ops.writePshm(name, offset, data),
      }),
    };
  },
};

const BYTE_MAX = Number.MAX_SAFE_INTEGER;

/**
 * More bytes than this are read and written out in parts of this size, all from one attachment or
 * mapping: a Buffer holds at most 4 GiB, a string (a hexdump) at most 2**29 characters.
 */
const PART = 16 * 2 ** 20;

/** [offset, offset + length) of the memory, read PART bytes at a time from one attachment or mapping. */
async function* inParts(memory: Memory, offset: number, length: number): AsyncGenerator<Buffer> {
  const reader = onObject(memory.label, () => memory.reader());
  try {
    for (let done = 0; done < length; done += PART) {
      yield onObject(memory.label, () => reader.read(offset + done, Math.min(PART, length - done)));
    }
  } finally {
    // Also when the output ends first (a closed pipe): the generator is returned.
    reader.close();
  }
}

async function* hexdumpParts(memory: Memory, size: number): AsyncGenerator<Chunk> {
  const hexdump = new Hexdump();
  for await (const part of inParts(memory, 0, size)) yield hexdump.push(part);
  yield hexdump.end();
}

/** The most bytes --json shows: their base64 is one string, which V8 caps at 2**29 - 24 characters. */
const JSON_MAX = 256 * 2 ** 20;

function streamed(stream: AsyncIterable<Chunk>): Result {
  return { status: 0, out: [], stream };
}

function read(kind: Kind): Command {
  return {
    synopsis: `${kind.object} [--offset N] [--length N]`,
    summary: 'copy bytes out to standard output (default: from --offset to the end)',
    options: {
      ...kind.options,
      offset: { type: 'string', requiresArg: true },
      length: { type: 'string', requiresArg: true },
    },
    async run(args, context) {
      const { operands, resolve } = kind.take(args);
      expectOperands({ ...args, operands }, 0, 0, '');
      const offset = parseInteger(stringOption(args, 'offset') ?? '0', 'offset', 0, BYTE_MAX);
      const lengthText = stringOption(args, 'length');
      const length = lengthText === undefined ? undefined : parseInteger(lengthText, 'length', 0, BYTE_MAX);
      const memory = resolve();
      const wanted = onObject(memory.label, () => {
        const size = memory.size();
        if (offset + (length ?? 0) > size) {
          throw new Failure(
            `${memory.label}: bytes ${offset}..${offset + (length ?? 0)} exceed the segment size (${size} bytes)`,
          );
        }
        return length ?? Math.max(0, size - offset);
      });
      if (!context.json && wanted > PART) return streamed(inParts(memory, offset, wanted));
      if (context.json && wanted > JSON_MAX) {
        throw new Failure(
          `${memory.label}: --json shows at most ${JSON_MAX} bytes (asked for ${wanted}): use --offset and --length`,
        );
      }
      const data = onObject(memory.label, () => memory.read(offset, wanted));
      return success(context.json ? formatJson({ offset, ...bytesFields(data) }) : data);
    },
  };
}

function write(kind: Kind): Command {
  return {
    synopsis: `${kind.object} [--offset N] [DATA]`,
    summary: 'copy DATA (else standard input, as bytes) in at --offset',
    options: { ...kind.options, offset: { type: 'string', requiresArg: true } },
    async run(args, context) {
      const { operands, resolve } = kind.take(args);
      expectOperands({ ...args, operands }, 0, 1, 'DATA');
      const offset = parseInteger(stringOption(args, 'offset') ?? '0', 'offset', 0, BYTE_MAX);
      const memory = resolve();
      const size = onObject(memory.label, () => memory.size());
      const room = Math.max(0, size - offset);
      const tooLong = `${memory.label}: data at offset ${offset} exceeds the segment size (${size} bytes)`;
      const data = inputData(operands[0], context, room, tooLong);
      if (offset > size) throw new Failure(tooLong);
      onObject(memory.label, () => memory.write(offset, data));
      return success(context.json ? formatJson({ offset, size: data.length }) : '');
    },
  };
}

function dump(kind: Kind): Command {
  return {
    synopsis: kind.object,
    summary: 'show every byte, as hexdump -C does',
    options: kind.options,
    async run(args) {
      const { operands, resolve } = kind.take(args);
      expectOperands({ ...args, operands }, 0, 0, '');
      const memory = resolve();
      const size = onObject(memory.label, () => memory.size());
      if (size > PART) return streamed(hexdumpParts(memory, size));
      return success(formatHexdump(onObject(memory.label, () => memory.read(0, undefined))));
    },
  };
}

export const shm: Group = {
  summary: 'System V shared memory segments',
  objects: 'ID, or --key KEY',
  actions: { read: read(sysv), write: write(sysv), dump: dump(sysv) },
};

export const pshm: Group = {
  summary: 'POSIX shared memory (/dev/shm)',
  objects: '/NAME',
  actions: { read: read(posix), write: write(posix), dump: dump(posix) },
};
