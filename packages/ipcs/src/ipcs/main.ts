/**
 * ipcs: System V IPC status, byte for byte as util-linux prints it. The only module that turns
 * outcomes into output and exit codes; everything it calls returns text or throws a typed error.
 */

import {
  type Context,
  complained,
  Failure,
  failure,
  printed,
  type Result,
  UsageError,
  usageFailure,
} from '@ipcutils/cli';
import { localTimeFor } from '@ipcutils/core';
import { describeObject } from './details.js';
import { formatHelp, formatVersion } from './help.js';
import { parseIpcsArgs } from './options.js';
import { formatReport } from './report.js';
import { type IpcsSources, systemSources } from './sources.js';

export function main(argv: readonly string[], context: Context): Result {
  return runIpcs(argv, context, systemSources);
}

/** What ipcs prints and returns for `argv`, with its data read from `sources` (tests pass their own). */
export function runIpcs(
  argv: readonly string[],
  context: Pick<Context, 'argv0' | 'programName' | 'env'>,
  sources: () => IpcsSources,
): Result {
  const program = context.programName;
  try {
    const command = parseIpcsArgs(argv, { argv0: context.argv0, env: context.env });
    switch (command.kind) {
      case 'help':
        return printed(formatHelp(program));
      case 'version':
        return printed(formatVersion(program));
      case 'report':
        return printed(formatReport({ ...command, localTime: localTimeFor(context.env.TZ) }, sources()));
      case 'details': {
        const text = describeObject({ ...command, localTime: localTimeFor(context.env.TZ) }, sources());
        // util-linux warns and still exits 0 for an id that does not exist.
        return text === undefined ? complained(`${program}: id ${command.id} not found\n`, 0) : printed(text);
      }
    }
  } catch (error) {
    // Every failure exits 1: usage errors and unreadable semaphores.
    if (error instanceof UsageError) return usageFailure(error, program);
    if (error instanceof Failure) return failure(error, program);
    throw error;
  }
}
