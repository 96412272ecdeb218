/**
 * The objects commands act on, and how a failure on one reads: `msg 7: Permission denied`. System
 * V objects are named by id, or by `--key KEY` (looked up without creating anything); POSIX
 * objects by `/NAME`.
 */
import { formatKey, strerror } from '@ipcutils/core';
import { type Args, refuseTogether, stringOption } from './command.js';
import { IpcError, idOfKey, type SysvKind, type WaitOptions } from './ops.js';
import { parseDuration, parseId, parseKey, parsePosixName } from './parse.js';
import { EXIT_FAILURE, EXIT_UNMET, Failure, UsageError } from './result.js';

/** An id or a key, as given; resolved once the whole command line has been checked. */
export type SysvRef = { kind: SysvKind; id: number } | { kind: SysvKind; key: number };

/** The object operand (or --key) of a System V command, and the operands after it. */
export function takeSysvRef(kind: SysvKind, args: Args): { ref: SysvRef; operands: string[] } {
  const key = stringOption(args, 'key');
  if (key !== undefined) {
    // Key 0 is IPC_PRIVATE: every private object has it, and msgget(IPC_PRIVATE) would create one.
    const value = parseKey(key);
    if (value === 0) throw new UsageError(`invalid key: '${key}' (IPC_PRIVATE names no object)`);
    return { ref: { kind, key: value }, operands: args.operands };
  }
  const [first, ...operands] = args.operands;
  if (first === undefined) throw new UsageError('missing operand: ID (or --key KEY)');
  return { ref: { kind, id: parseId(first) }, operands };
}

/** The id of the object, and how messages name it. */
export function resolveSysv(ref: SysvRef): { id: number; label: string } {
  if ('id' in ref) return { id: ref.id, label: `${ref.kind} ${ref.id}` };
  const id = onObject(`${ref.kind} key ${formatKey(ref.key)}`, () => idOfKey(ref.kind, ref.key));
  return { id, label: `${ref.kind} ${id}` };
}

/** The /NAME operand of a POSIX command, and the operands after it. */
export function takePosixName(args: Args): { name: string; operands: string[] } {
  const [first, ...operands] = args.operands;
  if (first === undefined) throw new UsageError('missing operand: /NAME');
  return { name: parsePosixName(first), operands };
}

/** --nowait / --timeout DUR, checked. */
export function waitOptionsOf(args: Args): Omit<WaitOptions, 'signal'> {
  refuseTogether(args, 'nowait', 'timeout');
  const timeout = stringOption(args, 'timeout');
  if (args.options.nowait === true) return { nowait: true };
  return timeout === undefined ? {} : { timeoutMs: parseDuration(timeout) };
}

/** Errnos that mean "not now" rather than "failed": exit status 2. */
const UNMET = new Set(['EAGAIN', 'ENOMSG', 'ETIMEDOUT']);

/** Runs an operation on the object named `label`; a kernel error becomes a Failure naming it. */
export function onObject<T>(label: string, operation: () => T): T {
  try {
    return operation();
  } catch (error) {
    throw failureOn(label, error);
  }
}

export async function onObjectAsync<T>(label: string, operation: () => Promise<T>): Promise<T> {
  try {
    return await operation();
  } catch (error) {
    throw failureOn(label, error);
  }
}

/** A kernel error as a Failure naming the object; anything else as it is. */
export function failureOn(label: string, error: unknown): unknown {
  if (error instanceof IpcError) {
    // semtimedop reports its timeout as EAGAIN; ops.ts reports every expired deadline as ETIMEDOUT.
    const reason = error.code === 'ETIMEDOUT' ? 'timed out' : strerror(error.code);
    return new Failure(`${label}: ${reason}`, UNMET.has(error.code) ? EXIT_UNMET : EXIT_FAILURE);
  }
  if (error instanceof RangeError) return new Failure(`${label}: ${error.message}`);
  return error;
}
