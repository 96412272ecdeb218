/**
 * ipcctl: parses the command line with yargs (a group such as `msg`, an action such as `send`,
 * then that action's options), runs the command, and writes what it returns. Exit statuses and
 * the messages of failures are decided here, for every command.
 */
import {
  type Context,
  describeYargsFailure,
  formatUtilLinuxVersion,
  normaliseOptions,
  type OutputEvent,
  type Run,
  UsageError as SuiteUsageError,
  usageFailure,
} from '@ipcutils/cli';
import { escapeInvalidBytes } from '@ipcutils/cli/smartcols';
import yargs, { type Argv, type YargsArguments } from 'yargs';
import { type Args, type Command, type CommandTree, type Host, isGroup } from './command.js';
import { formatCommandHelp, formatGroupHelp, formatHelp } from './help.js';
import { Failure, Interrupted, UsageError } from './result.js';
import { COMMANDS } from './tree.js';

/** What the bin provides besides the Context: the Host of the commands. */
export interface ProcessSide extends Host {
  /** Signal numbers by name, for 128 + N. */
  signalNumber(name: string): number;
}

const GLOBAL_OPTIONS = { json: { type: 'boolean', alias: 'J' } } as const;

/**
 * ipcctl as the suite's tools run: a Run that yields its output as it comes (bytes as they are;
 * `mq follow` until interrupted) and returns the exit status; runMain writes it.
 */
export async function* main(
  argv: readonly string[],
  context: Context,
  side: ProcessSide,
  tree: CommandTree = COMMANDS,
): Run {
  const program = context.programName;
  try {
    const before = argv.includes('--') ? argv.slice(0, argv.indexOf('--')) : argv;
    const words = before.filter((arg) => !arg.startsWith('-'));
    if (before.includes('--help') || before.includes('-h')) {
      const entry = tree[words[0] ?? ''];
      yield out(
        entry && isGroup(entry)
          ? formatGroupHelp(program, words[0]!, entry)
          : entry?.help !== undefined
            ? formatCommandHelp(program, words[0]!, entry, entry.help)
            : formatHelp(program, tree),
      );
      return 0;
    }
    if (before.includes('--version') || before.includes('-V')) {
      yield out(formatUtilLinuxVersion(program));
      return 0;
    }
    const { command, args } = parse(argv, tree);
    const result = await command.run(args, { json: args.options.json === true, host: side });
    for (const chunk of result.out) yield out(chunk);
    for (const chunk of result.err ?? []) yield { fd: 2, text: chunk };
    if (result.stream) for await (const chunk of result.stream) yield out(chunk);
    return result.status;
  } catch (error) {
    const { events, status } = report(error, program, side);
    yield* events;
    return status;
  }
}

function out(text: string | Uint8Array): OutputEvent {
  return { fd: 1, text };
}

/** The command named on the line and its arguments; a UsageError for anything yargs refuses. */
function parse(argv: readonly string[], tree: CommandTree): { command: Command; args: Args } {
  const [name, action] = commandWords(argv);
  const entry = name === undefined ? undefined : tree[name];
  if (entry === undefined) {
    throw new UsageError(name === undefined ? 'missing command' : `unknown command: '${name}'`);
  }
  let command: Command;
  if (isGroup(entry)) {
    const found = action === undefined ? undefined : entry.actions[action];
    if (found === undefined) {
      throw new UsageError(
        action === undefined ? `missing ${name} command` : `unknown ${name} command: '${action}'`,
      );
    }
    command = found;
  } else {
    command = entry;
  }
  const leaf = (y: Argv) => y.options(command.options);
  const parsed = parser()
    .command(
      isGroup(entry) ? name! : `${name} [operands..]`,
      false,
      isGroup(entry) ? (y) => y.command(`${action} [operands..]`, false, leaf) : leaf,
    )
    .parseSync(normaliseOptions(argv, { ...GLOBAL_OPTIONS, ...command.options }));
  return { command, args: argsOf(parsed, command) };
}

/**
 * The group and action words: the first two operands. Only the global options may come before
 * the first (a command's options follow it).
 */
function commandWords(argv: readonly string[]): (string | undefined)[] {
  const words: string[] = [];
  for (const arg of argv) {
    if (arg === '--' || words.length === 2) break;
    if (!arg.startsWith('-')) words.push(arg);
    else if (words.length === 0 && arg !== '--json' && arg !== '-J')
      throw new UsageError(`unrecognized option '${arg}'`);
  }
  return words;
}

function parser(): Argv {
  // help(false) and version(false) first: later they would drop --help and --version.
  return yargs()
    .help(false)
    .version(false)
    .options(GLOBAL_OPTIONS)
    .parserConfiguration({
      'boolean-negation': false,
      'camel-case-expansion': false,
      'dot-notation': false,
      'parse-numbers': false,
      'parse-positional-numbers': false,
      'populate--': true,
    })
    .strict()
    .exitProcess(false)
    .locale('en')
    .fail((message, error) => {
      throw new UsageError(describeYargsFailure(message ?? error?.message ?? 'invalid arguments'));
    });
}

function argsOf(parsed: YargsArguments, command: Command): Args {
  const { _: _words, '--': after, operands, ...options } = parsed;
  const before = Array.isArray(operands) ? operands.map(String) : [];
  const rest = Array.isArray(after) ? after.map(String) : [];
  // `--` ends the options: what follows is CMD for `run` and `leakcheck`, else more operands (DATA `-x`).
  return command.runsCommand
    ? { operands: before, command: rest, options }
    : { operands: [...before, ...rest], command: [], options };
}

/**
 * The one place where failures become messages and exit statuses. A name's bytes that are not
 * UTF-8 are shown as `\xNN`, as lsipc shows them.
 */
function report(
  error: unknown,
  program: string,
  side: ProcessSide,
): { events: readonly OutputEvent[]; status: number } {
  if (error instanceof SuiteUsageError) {
    const { events, status } = usageFailure(error, program);
    return {
      events: events.map((event) => ({ fd: event.fd, text: escapeInvalidBytes(String(event.text)) })),
      status,
    };
  }
  const line = (text: string, status: number) => ({
    events: [{ fd: 2 as const, text: `${program}: ${escapeInvalidBytes(text)}\n` }],
    status,
  });
  if (error instanceof Failure) return line(error.message, error.status);
  if (error instanceof Interrupted) return { events: [], status: 128 + side.signalNumber(error.signal) };
  throw error;
}
