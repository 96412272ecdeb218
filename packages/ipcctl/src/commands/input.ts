import { nameToBytes } from '@ipcutils/core';
import type { Context } from '../command.js';
import { Failure } from '../result.js';

/**
 * The bytes to send or write: the DATA operand (its bytes as given, see core's names.ts), else standard input to its end. Input
 * longer than `limit` is refused with `tooLong` before anything is sent or written.
 */
export function inputData(
  operand: string | undefined,
  context: Context,
  limit: number,
  tooLong: string,
): Buffer {
  const data = operand === undefined ? context.host.readInput(limit) : nameToBytes(operand);
  if (data === undefined || data.length > limit) throw new Failure(tooLong);
  return data;
}
