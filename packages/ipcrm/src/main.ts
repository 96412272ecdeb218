/**
 * ipcrm: removes System V and POSIX IPC objects as util-linux 2.43's ipcrm does, except that
 * every argument is checked before anything is removed. argv is parsed once (parse.ts), then
 * executed (run.ts); this module only routes the result to the output.
 */
import type { Io } from '@ipcutils/core/cli';
import { formatHelp, formatVersion } from './help.js';
import { formatAnnouncement, formatDiagnostic } from './messages.js';
import { parseCommand } from './parse.js';
import { runCommand } from './run.js';

export function main(argv: readonly string[], io: Io): number {
  const program = io.programName;
  const parsed = parseCommand(argv, { argv0: io.argv0, env: io.env });
  if (parsed.kind === 'run') {
    return runCommand(parsed.command, io);
  }
  for (const diagnostic of parsed.diagnostics) {
    if (diagnostic.kind === 'invalid-mqueue-name' && diagnostic.verbose)
      io.out(formatAnnouncement({ type: 'pmsg', by: 'name', name: diagnostic.name }, undefined));
    io.err(formatDiagnostic(diagnostic, program));
  }
  switch (parsed.kind) {
    case 'help':
      io.out(formatHelp(program));
      return 0;
    case 'version':
      io.out(formatVersion(program));
      return 0;
    case 'invalid':
      return 1;
  }
}
