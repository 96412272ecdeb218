/** rmfifo: removes FIFOs and nothing else, optionally only unused or old ones (see remove.ts). */

import { constants } from 'node:os';
import { type Context, type Interrupts, isUtf8Locale, type Result, Transcript } from '@ipcutils/cli';
import { strerror } from '@ipcutils/core';
import { settleOptions } from '../common/cli.js';
import { listHolderProcesses } from '../common/holders.js';
import { quoteFileName } from '../common/quote.js';
import { parseOptions } from './options.js';
import { isFailure, type Outcome, type RemovalHooks, removeFifos } from './remove.js';
import { type SelectionProblem, selectFifos } from './select.js';

/** What the bin (and tests) hand main besides its Context. */
export interface RmfifoDependencies {
  /**
   * Signals that stop the removal between batches instead of ending the process: its FIFOs are
   * renamed away until unlinked or put back, and a signal's default action would strand them.
   */
  trapInterrupts?: () => Interrupts;
  hooks?: RemovalHooks;
}

export async function main(
  argv: readonly string[],
  io: Context,
  dependencies: RmfifoDependencies = {},
): Promise<Result> {
  const parsed = settleOptions(() => parseOptions(argv, io.programName), io.programName);
  if (parsed.kind === 'done') return parsed.result;
  const { options } = parsed;
  const output = new Transcript();
  const utf8 = isUtf8Locale(io.env);
  const quote = (path: string) => quoteFileName(path, utf8);
  const { candidates, problems } = selectFifos(options.paths, { recursive: options.recursive });
  for (const problem of problems) output.err(`${io.programName}: ${describeProblem(problem, quote)}\n`);
  const { hooks } = dependencies;
  const interrupts = dependencies.trapInterrupts?.();
  let outcomes: Outcome[];
  try {
    outcomes = await removeFifos(candidates, {
      ...options,
      now: Date.now(),
      ...(hooks ? { hooks } : {}),
      ...(interrupts ? { signal: interrupts.signal } : {}),
    });
  } finally {
    interrupts?.release();
  }
  for (const outcome of outcomes) {
    const message = describeOutcome(outcome, quote, options.verbose);
    if (message === undefined) continue;
    if (message.stream === 'out') output.out(`${message.text}\n`);
    else output.err(`${io.programName}: ${message.text}\n`);
  }
  const untouched = outcomes.filter((outcome) => outcome.kind === 'interrupted').length;
  if (untouched > 0 && interrupts) {
    const reason = String(interrupts.signal.reason);
    output.err(
      `${io.programName}: ${reason}: stopped with ${untouched} FIFO${untouched === 1 ? '' : 's'} untouched\n`,
    );
    // The shell's status for a command a signal ended: 128 + its number.
    return output.result(128 + (constants.signals[reason as NodeJS.Signals] ?? 0));
  }
  return output.result(problems.length > 0 || outcomes.some(isFailure) ? 1 : 0);
}

function describeProblem(problem: SelectionProblem, quote: (path: string) => string): string {
  switch (problem.kind) {
    case 'inaccessible':
      return `cannot remove ${quote(problem.path)}: ${strerror(problem.code)}`;
    case 'not-a-fifo':
      return problem.fileType === 'directory'
        ? `not removing ${quote(problem.path)}: is a directory (-r removes the FIFOs below it)`
        : `not removing ${quote(problem.path)}: not a FIFO (${problem.fileType})`;
    case 'unreadable-directory':
      return `cannot read directory ${quote(problem.path)}: ${strerror(problem.code)}`;
  }
}

interface Message {
  stream: 'out' | 'err';
  text: string;
}

/** Removals and skips on stdout (with -v; --dry-run always), problems on stderr. */
function describeOutcome(
  outcome: Outcome,
  quote: (path: string) => string,
  verbose: boolean,
): Message | undefined {
  const name = quote(outcome.path);
  const out = (text: string): Message => ({ stream: 'out', text });
  const err = (text: string): Message => ({ stream: 'err', text });
  switch (outcome.kind) {
    case 'removed':
      return verbose ? out(`removed ${name}`) : undefined;
    case 'would-remove':
      return out(`would remove ${name}`);
    case 'too-new':
      return verbose ? out(`skipped ${name}: modified too recently`) : undefined;
    case 'held':
      return verbose ? out(`skipped ${name}: in use by ${listHolderProcesses(outcome.holders)}`) : undefined;
    case 'opened-meanwhile':
      return err(
        `not removing ${name}: opened by ${listHolderProcesses(outcome.holders)} while being removed`,
      );
    case 'unknown':
      return err(`not removing ${name}: cannot tell whether it is in use: ${describeUnknown(outcome)}`);
    case 'changed':
      return err(`not removing ${name}: it ${CHANGES[outcome.change]} while being removed`);
    case 'failed':
      return err(`cannot remove ${name}: ${strerror(outcome.code)}`);
    case 'interrupted':
      return undefined;
    case 'stranded':
      return err(`cannot put ${name} back from ${quote(outcome.temporary)}: ${strerror(outcome.code)}`);
  }
}

const CHANGES = { vanished: 'vanished', replaced: 'was replaced', modified: 'was modified' } as const;

function describeUnknown(outcome: Extract<Outcome, { kind: 'unknown' }>): string {
  switch (outcome.cause) {
    case 'uninspectable': {
      const pids = outcome.uninspectable;
      const shown =
        pids.length > 5 ? `${pids.slice(0, 5).join(', ')} and ${pids.length - 5} more` : pids.join(', ');
      return `${pids.length === 1 ? 'process' : 'processes'} ${shown} cannot be inspected`;
    }
    case 'hidden':
      return "/proc hides processes (hidepid, or another pid namespace's /proc)";
    case 'opener':
      return 'a process keeps opening a FIFO by a name that no longer exists';
  }
}
