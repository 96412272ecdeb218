/**
 * ipcmk: creates System V and POSIX IPC objects as util-linux 2.43's ipcmk does, with keys that
 * never name an existing object, and --key / --ftok / --json besides. Everything is checked
 * (parse.ts, key.ts, preflight.ts) before the first object is created (create.ts).
 */
import { type Context, type Result, Transcript } from '@ipcutils/cli';
import { type Created, createResource } from './create.js';
import { formatHelp, formatVersion } from './help.js';
import { resolveKey } from './key.js';
import { formatCreated, formatDiagnostic, formatFailure, formatJson, formatKeyFailure } from './messages.js';
import { parseRequest } from './parse.js';
import { findKnownRejection } from './preflight.js';

export function main(argv: readonly string[], context: Context): Result {
  const program = context.programName;
  const io = new Transcript();
  const parsed = parseRequest(argv, { argv0: context.argv0, env: context.env });
  switch (parsed.kind) {
    case 'help':
      io.out(formatHelp(program));
      return io.result(0);
    case 'version':
      io.out(formatVersion(program));
      return io.result(0);
    case 'invalid':
      io.err(formatDiagnostic(parsed.diagnostic, program));
      return io.result(1);
    case 'create':
      break;
  }
  const { request } = parsed;
  const key = resolveKey(request.keySource);
  if ('path' in key) {
    io.err(`${program}: ${formatKeyFailure(key)}\n`);
    return io.result(1);
  }
  const rejection = findKnownRejection(request.resources);
  if (rejection) {
    io.err(`${program}: ${formatFailure(rejection)}\n`);
    return io.result(1);
  }

  const created: Created[] = [];
  let status = 0;
  for (const resource of request.resources) {
    const result = createResource(resource, { mode: request.mode, key });
    if ('failure' in result) {
      io.err(`${program}: ${formatFailure(result.failure)}\n`);
      status = 1;
      break;
    }
    created.push(result.created);
    if (!request.json) io.out(formatCreated(result.created));
  }
  // The document lists what was created even after a failure, so a script can clean it up.
  if (request.json) io.out(formatJson(created));
  return io.result(status);
}
