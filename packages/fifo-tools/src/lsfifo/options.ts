import { UsageError } from '@ipcutils/cli';
import { type Parsed, parseCommandLine } from '../common/cli.js';
import { type ColumnId, DEFAULT_COLUMNS, parseColumnList } from './columns.js';
import { formatHelp } from './help.js';

export interface LsfifoOptions {
  paths: string[];
  /** find -maxdepth; undefined walks the whole tree. */
  maxDepth: number | undefined;
  /** -x, --one-file-system: do not enter other filesystems than each path's. */
  oneFileSystem: boolean;
  allProcesses: boolean;
  pipes: boolean;
  json: boolean;
  headings: boolean;
  columns: ColumnId[];
}

/** The typed options, or the text of --help or --version; throws UsageError. */
export function parseOptions(argv: readonly string[], program: string): Parsed<LsfifoOptions> {
  const line = parseCommandLine(argv, program, {
    options: {
      'all-processes': { type: 'boolean', alias: 'a' },
      pipes: { type: 'boolean', alias: 'p' },
      depth: { type: 'string', alias: 'd', requiresArg: true },
      'one-file-system': { type: 'boolean', alias: 'x' },
      json: { type: 'boolean', alias: 'J' },
      noheadings: { type: 'boolean', alias: 'n' },
      output: { type: 'string', alias: 'o', requiresArg: true },
    },
    help: formatHelp,
  });
  if (line.kind === 'print') return line;
  const { args, operands } = line;
  const allProcesses = args['all-processes'] === true;
  if (allProcesses && operands.length > 0) {
    throw new UsageError('--all-processes takes no <path>', { tryHelp: true });
  }
  let maxDepth: number | undefined;
  if (typeof args.depth === 'string') {
    if (!/^[0-9]+$/.test(args.depth)) {
      throw new UsageError(`invalid depth: '${args.depth}'`, { tryHelp: true });
    }
    maxDepth = Number(args.depth);
  }
  let columns: ColumnId[] = [...DEFAULT_COLUMNS];
  if (args.pipes === true) columns.splice(1, 0, 'TYPE');
  if (typeof args.output === 'string') {
    const parsed = parseColumnList(args.output);
    if (!Array.isArray(parsed)) throw new UsageError(`unknown column: ${parsed.unknown}`);
    columns = parsed;
  }
  const options: LsfifoOptions = {
    paths: operands.length > 0 ? operands : ['.'],
    maxDepth,
    oneFileSystem: args['one-file-system'] === true,
    allProcesses,
    pipes: args.pipes === true,
    json: args.json === true,
    headings: args.noheadings !== true,
    columns,
  };
  return { kind: 'run', options };
}
