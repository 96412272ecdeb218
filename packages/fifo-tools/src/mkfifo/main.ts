/**
 * mkfifo: coreutils 9.1's mkfifo (src/mkfifo.c) — same options, messages, quoting and exit status.
 * Without -m the FIFO gets 0666 minus the umask; with -m exactly MODE (mkfifo, then chmod).
 */
import { chmodSync } from 'node:fs';
import type { Io } from '@ipcutils/cli';
import { IpcError, makeFifo, strerror } from '@ipcutils/core';
import { isUtf8Locale, quoteFileName } from '../common/quote.js';
import { formatVersion } from '../common/version.js';
import { formatHelp } from './help.js';
import { adjustMode, compileMode } from './mode.js';
import { parseArguments } from './options.js';
import { readUmask } from './umask.js';

const MODE_RW_UGO = 0o666;
const S_IRWXUGO = 0o777;

/** What main needs besides Io, replaceable in tests. */
export interface MkfifoDependencies {
  readUmask: () => number;
}

/** Thrown to stop with exit status 1 after a message, as coreutils' die() does. */
class Failure extends Error {}

export function main(
  argv: readonly string[],
  io: Io,
  dependencies: MkfifoDependencies = { readUmask },
): number {
  const program = io.argv0;
  const fail = (message: string, withTryHelp = false): never => {
    io.err(`${program}: ${message}\n${withTryHelp ? tryHelp(program) : ''}`);
    throw new Failure();
  };
  try {
    const parsed = parseArguments(argv, { program, env: io.env });
    let specifiedMode: string | undefined;
    for (const option of parsed.options) {
      switch (option.key) {
        case 'm':
          specifiedMode = option.value;
          break;
        case 'Z':
          // Without SELinux or SMACK coreutils ignores -Z, and warns only about an explicit context.
          if (option.value !== undefined) {
            io.err(`${program}: warning: ignoring --context; it requires an SELinux/SMACK-enabled kernel\n`);
          }
          break;
        case 'help':
          io.out(formatHelp(program, io.env));
          return 0;
        case 'version':
          io.out(formatVersion('mkfifo'));
          return 0;
      }
    }
    if (parsed.error) {
      io.err(`${parsed.error.message}\n${tryHelp(program)}`);
      return 1;
    }
    if (parsed.operands.length === 0) fail('missing operand', true);
    const mode = specifiedMode === undefined ? MODE_RW_UGO : computeMode(specifiedMode, dependencies, fail);
    return createFifos(parsed.operands, { mode, chmod: specifiedMode !== undefined, io, program });
  } catch (error) {
    if (error instanceof Failure) return 1;
    throw error;
  }
}

function tryHelp(program: string): string {
  return `Try '${program} --help' for more information.\n`;
}

function computeMode(
  specified: string,
  dependencies: MkfifoDependencies,
  fail: (message: string) => never,
): number {
  const changes = compileMode(specified);
  if (changes === undefined) return fail('invalid mode');
  const mode = adjustMode(MODE_RW_UGO, changes, { isDirectory: false, umask: dependencies.readUmask() });
  if (mode & ~S_IRWXUGO) fail('mode must specify only file permission bits');
  return mode;
}

interface CreateContext {
  mode: number;
  /** coreutils chmods after mkfifo only when -m was given, so the umask does not apply. */
  chmod: boolean;
  io: Io;
  program: string;
}

/** Attempts every name; 1 if any failed. */
function createFifos(names: readonly string[], context: CreateContext): number {
  const { io, program } = context;
  const utf8 = isUtf8Locale(io.env);
  let status = 0;
  for (const name of names) {
    try {
      makeFifo(name, context.mode);
    } catch (error) {
      if (!(error instanceof IpcError)) throw error;
      io.err(`${program}: cannot create fifo ${quoteFileName(name, utf8)}: ${libcMessage(error, name)}\n`);
      status = 1;
      continue;
    }
    if (!context.chmod) continue;
    try {
      chmodSync(name, context.mode);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code ?? 'EIO';
      io.err(`${program}: cannot set permissions of ${quoteFileName(name, utf8)}: ${strerror(code)}\n`);
      status = 1;
    }
  }
  return status;
}

/** glibc's strerror() text as the failed call reported it ("mkfifo (PATH): TEXT"). */
function libcMessage(error: IpcError, path: string): string {
  const prefix = `${error.syscall} (${path}): `;
  return error.message.startsWith(prefix) ? error.message.slice(prefix.length) : error.reason;
}
