/**
 * ipcmk: creates System V and POSIX IPC objects as util-linux 2.43's ipcmk does, with keys that
 * never name an existing object, and --key / --ftok / --json besides. Everything is checked
 * (parse.ts, key.ts, preflight.ts) before the first object is created (create.ts).
 */
import { type Context, type Result, Transcript, usageFailure } from '@ipcutils/cli';
import { type Created, createResource } from './create.js';
import { formatHelp, formatVersion } from './help.js';
import { resolveKey } from './key.js';
import { formatCreated, formatFailure, formatJson, formatKeyFailure, usageErrorOf } from './messages.js';
import { parseRequest } from './parse.js';
import { findKnownRejection } from './preflight.js';

export function main(argv: readonly string[], context: Context): Result {
  const program = context.programName;
  const output = new Transcript();
  const parsed = parseRequest(argv, { argv0: context.argv0, env: context.env });
  switch (parsed.kind) {
    case 'help':
      output.out(formatHelp(program));
      return output.result(0);
    case 'version':
      output.out(formatVersion(program));
      return output.result(0);
    case 'invalid':
      output.append(usageFailure(usageErrorOf(parsed.diagnostic), program).events);
      return output.result(1);
    case 'create':
      break;
  }
  const { request } = parsed;
  const key = resolveKey(request.keySource);
  if ('path' in key) {
    output.err(`${program}: ${formatKeyFailure(key)}\n`);
    return output.result(1);
  }
  const rejection = findKnownRejection(request.resources);
  if (rejection) {
    output.err(`${program}: ${formatFailure(rejection)}\n`);
    return output.result(1);
  }

  const created: Created[] = [];
  let status = 0;
  for (const resource of request.resources) {
    const result = createResource(resource, { mode: request.mode, key });
    if ('failure' in result) {
      output.err(`${program}: ${formatFailure(result.failure)}\n`);
      status = 1;
      break;
    }
    created.push(result.created);
    if (!request.json) output.out(formatCreated(result.created));
  }
  // The document lists what was created even after a failure, so a script can clean it up.
  if (request.json) output.out(formatJson(created));
  return output.result(status);
}
