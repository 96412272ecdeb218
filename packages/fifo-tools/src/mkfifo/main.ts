/**
 * mkfifo: coreutils 9.1's mkfifo (src/mkfifo.c) — same options, messages, quoting and exit status.
 * Without -m the FIFO gets 0666 minus the umask; with -m exactly MODE (mkfifo, then lchmod).
 */
import { chmodSync, closeSync, constants, fstatSync, lstatSync, openSync } from 'node:fs';
import { type Context, isUtf8Locale, type Result, Transcript, UsageError, usageFailure } from '@ipcutils/cli';
import { fsPath, IpcError, makeFifo, strerror } from '@ipcutils/core';
import { O_PATH } from '../common/open.js';
import { quoteFileName } from '../common/quote.js';
import { formatVersion } from '../common/version.js';
import { formatHelp } from './help.js';
import { adjustMode, compileMode } from './mode.js';
import { parseArguments } from './options.js';
import { readUmask } from './umask.js';

const MODE_RW_UGO = 0o666;
const S_IRWXUGO = 0o777;

/** What main needs besides its Context, replaceable in tests. */
export interface MkfifoDependencies {
  readUmask: () => number;
  /** Test seam: what another user may leave at the name between mkfifo and the chmod. */
  makeFifo?: (path: string, mode: number) => void;
}

export function main(
  argv: readonly string[],
  context: Context,
  dependencies: MkfifoDependencies = { readUmask },
): Result {
  // coreutils' messages name the program by argv[0] as given.
  const program = context.argv0;
  const output = new Transcript();
  try {
    const parsed = parseArguments(argv, { program, env: context.env });
    let specifiedMode: string | undefined;
    for (const option of parsed.options) {
      switch (option.key) {
        case 'm':
          specifiedMode = option.value;
          break;
        case 'Z':
          // Without SELinux or SMACK coreutils ignores -Z, and warns only about an explicit context.
          if (option.value !== undefined) {
            output.err(
              `${program}: warning: ignoring --context; it requires an SELinux/SMACK-enabled kernel\n`,
            );
          }
          break;
        case 'help':
          output.out(formatHelp(program, context.env));
          return output.result(0);
        case 'version':
          output.out(formatVersion('mkfifo'));
          return output.result(0);
      }
    }
    if (parsed.error) throw UsageError.fromGetopt(parsed.error);
    if (parsed.operands.length === 0) throw new UsageError('missing operand', { tryHelp: true });
    const mode = specifiedMode === undefined ? MODE_RW_UGO : computeMode(specifiedMode, dependencies);
    const failed = createFifos(parsed.operands, {
      mode,
      chmod: specifiedMode !== undefined,
      context,
      program,
      makeFifo: dependencies.makeFifo ?? makeFifo,
    });
    output.append(failed.events);
    return output.result(failed.status);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    output.append(usageFailure(error, program).events);
    return output.result(1);
  }
}

/** The mode -m asks for; coreutils' die() (no try-help line) for a bad one. */
function computeMode(specified: string, dependencies: MkfifoDependencies): number {
  const changes = compileMode(specified);
  if (changes === undefined) throw new UsageError('invalid mode');
  const mode = adjustMode(MODE_RW_UGO, changes, { isDirectory: false, umask: dependencies.readUmask() });
  if (mode & ~S_IRWXUGO) throw new UsageError('mode must specify only file permission bits');
  return mode;
}

interface CreateContext {
  mode: number;
  /** coreutils chmods after mkfifo only when -m was given, so the umask does not apply. */
  chmod: boolean;
  context: Context;
  program: string;
  makeFifo: (path: string, mode: number) => void;
}

/** Attempts every name; status 1 if any failed, with its messages. */
function createFifos(names: readonly string[], context: CreateContext): Result {
  const { program } = context;
  const output = new Transcript();
  const utf8 = isUtf8Locale(context.context.env);
  let status = 0;
  for (const name of names) {
    try {
      context.makeFifo(name, context.mode);
    } catch (error) {
      if (!(error instanceof IpcError)) throw error;
      output.err(
        `${program}: cannot create fifo ${quoteFileName(name, utf8)}: ${libcMessage(error, name)}\n`,
      );
      status = 1;
      continue;
    }
    if (!context.chmod) continue;
    try {
      chmodNoFollow(name, context.mode);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code ?? 'EIO';
      output.err(`${program}: cannot set permissions of ${quoteFileName(name, utf8)}: ${strerror(code)}\n`);
      status = 1;
    }
  }
  return output.result(status);
}

/**
 * gnulib's lchmod(), as coreutils calls it: another user may have swapped the new FIFO for a
 * symbolic link, and chmod(2) would change the link's target. The name is opened with
 * O_PATH | O_NOFOLLOW and changed through /proc/self/fd; a link is EOPNOTSUPP.
 */
function chmodNoFollow(name: string, mode: number): void {
  const notSupported = () => Object.assign(new Error('symbolic link'), { code: 'EOPNOTSUPP' });
  let fd: number;
  try {
    fd = openSync(fsPath(name), O_PATH | constants.O_NOFOLLOW);
  } catch (error) {
    // ELOOP: a kernel before 2.6.39 refuses O_PATH on a link (gnulib's fallback is lstat).
    if ((error as NodeJS.ErrnoException).code !== 'ELOOP') throw error;
    throw notSupported();
  }
  try {
    if (fstatSync(fd).isSymbolicLink()) throw notSupported();
    try {
      chmodSync(`/proc/self/fd/${fd}`, mode);
      return;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    }
  } finally {
    closeSync(fd);
  }
  // No /proc: gnulib checks the name again and chmods it.
  if (lstatSync(fsPath(name)).isSymbolicLink()) throw notSupported();
  chmodSync(fsPath(name), mode);
}

/** glibc's strerror() text as the failed call reported it ("mkfifo (PATH): TEXT"). */
function libcMessage(error: IpcError, path: string): string {
  const prefix = `${error.syscall} (${path}): `;
  return error.message.startsWith(prefix) ? error.message.slice(prefix.length) : error.reason;
}
