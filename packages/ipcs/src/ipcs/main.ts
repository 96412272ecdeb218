/**
 * ipcs: System V IPC status, byte for byte as util-linux prints it. The only module that turns
 * outcomes into output and exit codes; everything it calls returns text or throws a typed error.
 */

import type { Io } from '@ipcutils/cli';
import { localTimeFor } from '@ipcutils/core';
import { describeObject } from './details.js';
import { formatHelp, formatVersion } from './help.js';
import { parseIpcsArgs, UsageError } from './options.js';
import { formatReport } from './report.js';
import { type IpcsSources, SemReadError, systemSources } from './sources.js';

export interface Outcome {
  stdout: string;
  stderr: string;
  status: number;
}

export function main(argv: readonly string[], io: Io): number {
  const outcome = runIpcs(argv, io, systemSources);
  if (outcome.stdout) io.out(outcome.stdout);
  if (outcome.stderr) io.err(outcome.stderr);
  return outcome.status;
}

/** What ipcs prints and returns for `argv`, with its data read from `sources` (tests pass their own). */
export function runIpcs(
  argv: readonly string[],
  io: Pick<Io, 'argv0' | 'programName' | 'env'>,
  sources: () => IpcsSources,
): Outcome {
  const program = io.programName;
  try {
    const command = parseIpcsArgs(argv, { argv0: io.argv0, env: io.env });
    switch (command.kind) {
      case 'help':
        return succeed(formatHelp(program));
      case 'version':
        return succeed(formatVersion(program));
      case 'report':
        return succeed(formatReport({ ...command, localTime: localTimeFor(io.env.TZ) }, sources()));
      case 'details': {
        const text = describeObject({ ...command, localTime: localTimeFor(io.env.TZ) }, sources());
        // util-linux warns and still exits 0 for an id that does not exist.
        return text === undefined
          ? { stdout: '', stderr: `${program}: id ${command.id} not found\n`, status: 0 }
          : succeed(text);
      }
    }
  } catch (error) {
    return fail(error, program);
  }
}

function succeed(stdout: string): Outcome {
  return { stdout, stderr: '', status: 0 };
}

/** Every failure exits 1: usage errors (getopt's own text already carries argv[0]) and unreadable semaphores. */
function fail(error: unknown, program: string): Outcome {
  if (error instanceof UsageError) {
    const message = error.fromGetopt ? error.message : `${program}: ${error.message}`;
    const tryHelp = error.tryHelp ? `Try '${program} --help' for more information.\n` : '';
    return { stdout: '', stderr: `${message}\n${tryHelp}`, status: 1 };
  }
  if (error instanceof SemReadError) {
    return { stdout: '', stderr: `${program}: ${error.message}\n`, status: 1 };
  }
  throw error;
}
