/**
 * ipcctl: parses the command line with yargs (a group such as `msg`, an action such as `send`,
 * then that action's options), runs the command, and writes what it returns. Exit statuses and
 * the messages of failures are decided here, for every command.
 */
import { formatUtilLinuxVersion, type Io } from '@ipcutils/core/cli';
import yargs, { type Argv, type YargsArguments } from 'yargs';
import { type Args, type Command, type CommandTree, type Host, isGroup } from './command.js';
import { formatGroupHelp, formatHelp } from './help.js';
import { EXIT_FAILURE, Failure, Interrupted, type Result, UsageError } from './result.js';
import { COMMANDS } from './tree.js';

/** What the bin provides besides Io: the Host of the commands, and a byte-exact standard output. */
export interface ProcessSide extends Host {
  /** Writes bytes to standard output as they are; throws EPIPE when the reader is gone. */
  writeOut(chunk: Uint8Array): void;
  /** Signal numbers by name, for 128 + N. */
  signalNumber(name: string): number;
}

const GLOBAL_OPTIONS = { json: { type: 'boolean', alias: 'J' } } as const;

export async function main(
  argv: readonly string[],
  io: Io,
  side: ProcessSide,
  tree: CommandTree = COMMANDS,
): Promise<number> {
  const program = io.programName;
  try {
    const before = argv.includes('--') ? argv.slice(0, argv.indexOf('--')) : argv;
    const words = before.filter((arg) => !arg.startsWith('-'));
    if (before.includes('--help') || before.includes('-h')) {
      const entry = tree[words[0] ?? ''];
      io.out(
        entry && isGroup(entry) ? formatGroupHelp(program, words[0]!, entry) : formatHelp(program, tree),
      );
      return 0;
    }
    if (before.includes('--version') || before.includes('-V')) {
      io.out(formatUtilLinuxVersion(program));
      return 0;
    }
    const { command, args } = parse(argv, tree);
    const result = await command.run(args, { json: args.options.json === true, host: side });
    return await write(result, side);
  } catch (error) {
    return report(error, program, io, side);
  }
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
    .parseSync(argv);
  return { command, args: argsOf(parsed) };
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
      throw new UsageError(describeFailure(message ?? error?.message ?? 'invalid arguments'));
    });
}

function argsOf(parsed: YargsArguments): Args {
  const { _: _words, '--': command, operands, ...options } = parsed;
  return {
    operands: Array.isArray(operands) ? operands.map(String) : [],
    command: Array.isArray(command) ? command.map(String) : [],
    options,
  };
}

/** yargs' English messages in glibc's words. */
function describeFailure(message: string): string {
  const unknown = /^Unknown arguments?: (.*)$/.exec(message);
  if (unknown) {
    const first = unknown[1]!.split(', ')[0]!;
    return `unrecognized option '${first.length === 1 ? '-' : '--'}${first}'`;
  }
  const missing = /^Not enough arguments following: (.*)$/.exec(message);
  if (missing) {
    const name = missing[1]!;
    return `option '${name.length === 1 ? '-' : '--'}${name}' requires an argument`;
  }
  return message;
}

async function write(result: Result, side: ProcessSide): Promise<number> {
  for (const chunk of result.out) side.writeOut(bytesOf(chunk));
  if (result.stream) for await (const chunk of result.stream) side.writeOut(bytesOf(chunk));
  return result.status;
}

function bytesOf(chunk: string | Uint8Array): Uint8Array {
  return typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
}

/** The one place where failures become messages and exit statuses. */
function report(error: unknown, program: string, io: Io, side: ProcessSide): number {
  if (error instanceof UsageError) {
    io.err(`${program}: ${error.message}\nTry '${program} --help' for more information.\n`);
    return EXIT_FAILURE;
  }
  if (error instanceof Failure) {
    io.err(`${program}: ${error.message}\n`);
    return error.status;
  }
  if (error instanceof Interrupted) return 128 + side.signalNumber(error.signal);
  // A reader that went away (ipcctl mq follow | head -1): stop quietly, as SIGPIPE would.
  if ((error as NodeJS.ErrnoException).code === 'EPIPE') return 141;
  io.err(`${program}: ${error instanceof Error ? error.message : String(error)}\n`);
  return EXIT_FAILURE;
}
