/**
 * ipcrm: removes System V and POSIX IPC objects as util-linux 2.43's ipcrm does, except that
 * every argument is checked before anything is removed. argv is parsed once (parse.ts), then
 * executed (run.ts); this module only routes the result to the output.
 */
import { type Context, type Result, Transcript, usageFailure } from '@ipcutils/cli';
import { formatHelp, formatVersion } from './help.js';
import { formatAnnouncement, usageErrorOf } from './messages.js';
import { parseCommand } from './parse.js';
import { runCommand } from './run.js';

export function main(argv: readonly string[], context: Context): Result {
  const program = context.programName;
  const parsed = parseCommand(argv, { argv0: context.argv0, env: context.env });
  if (parsed.kind === 'run') return runCommand(parsed.command, program);
  const output = new Transcript();
  for (const diagnostic of parsed.diagnostics) {
    // util-linux 2.43 announces the removal before it finds the name invalid (-v given first).
    if (diagnostic.kind === 'invalid-mqueue-name' && diagnostic.verbose)
      output.out(formatAnnouncement({ type: 'pmsg', by: 'name', name: diagnostic.name }, undefined));
    output.append(usageFailure(usageErrorOf(diagnostic), program).events);
  }
  switch (parsed.kind) {
    case 'help':
      output.out(formatHelp(program));
      return output.result(0);
    case 'version':
      output.out(formatVersion(program));
      return output.result(0);
    case 'invalid':
      return output.result(1);
  }
}
