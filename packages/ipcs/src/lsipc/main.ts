/**
 * lsipc: argv → typed options → rows from the core → text. Exit status and messages are decided
 * here: 0 (also for "not found"), 1 for usage errors.
 */
import {
  type Context,
  describeDoubt,
  Failure,
  failure,
  isUtf8Locale,
  printed,
  type Result,
  Transcript,
  usageFailure,
} from '@ipcutils/cli';
import {
  jsonLayout,
  type RenderOptions,
  renderJsonLayout,
  renderTable,
  type TableFormat,
} from '@ipcutils/cli/smartcols';
import { type JudgedObject, localTimeFor } from '@ipcutils/core';
import { applyCleanup } from './cleanup.js';
import { collectEntries, elementsTable } from './collect.js';
import { COLUMNS, toTableColumn } from './columns.js';
import { formatHelp, formatVersion } from './help.js';
import { type LsipcOptions, type OutputMode, parseCommand } from './options.js';
import { renderPretty } from './pretty.js';
import { globalRow, objectRow, RowContext } from './rows.js';
import { type LsipcSources, systemSources } from './sources.js';
import { renderTypedJson } from './typed.js';

export function main(argv: readonly string[], context: Context): Result {
  return runLsipc(argv, context, systemSources);
}

/** main() with the system readers replaced (tests: fixtures, races). */
export function runLsipc(argv: readonly string[], context: Context, sources: LsipcSources): Result {
  const command = parseCommand(argv, context.argv0);
  switch (command.kind) {
    case 'help':
      return printed(formatHelp(context.programName));
    case 'version':
      return printed(formatVersion(context.programName));
    case 'error':
      return usageFailure(command.error, context.programName);
    case 'run': {
      // Warnings about what could not be read come first, on standard error.
      const transcript = new Transcript();
      try {
        const report = renderReport(command.options, context, sources, (message) =>
          transcript.err(`${context.programName}: ${message}\n`),
        );
        transcript.out(report);
      } catch (error) {
        if (!(error instanceof Failure)) throw error;
        transcript.append(failure(error, context.programName).events);
        return transcript.result(1);
      }
      return transcript.result(0);
    }
  }
}

const FORMATS: Record<Exclude<OutputMode, 'typed-json'>, TableFormat> = {
  table: 'human',
  list: 'human',
  pretty: 'human',
  raw: 'raw',
  export: 'export',
  newline: 'export',
  json: 'json',
};

/** The one place the output mode is chosen. */
function renderReport(
  options: LsipcOptions,
  io: Context,
  sources: LsipcSources,
  warn: (message: string) => void,
): string {
  const now = sources.now();
  const collected = collectEntries({ options, sources }, warn);
  const { entries, holders, undetermined } = applyCleanup({ options, sources, now }, collected.entries);
  for (const line of describeUndetermined(undetermined)) warn(line);
  const context = new RowContext(options, sources, localTimeFor(io.env.TZ), { now, holders });
  if (options.mode === 'typed-json') {
    const { filter } = options;
    return renderTypedJson(collected.name ?? collected.kindName, entries, context, {
      elements: collected.elements,
      undetermined: filter.orphaned || filter.unattached ? undetermined : undefined,
    });
  }
  const rows = entries.map((entry) =>
    entry.kind === 'global' ? globalRow(context, entry.row) : objectRow(context, entry),
  );
  const render: RenderOptions = {
    format: FORMATS[options.mode],
    newline: options.mode === 'newline',
    noHeadings: options.noHeadings,
    shellVar: options.shellVar,
    terminalWidth: io.isTerminal ? terminalWidth(io) : undefined,
    utf8: isUtf8Locale(io.env),
  };
  if (options.mode === 'pretty') {
    const first = entries[0];
    const elements = first && first.kind !== 'global' ? collected.elements.get(first.record) : undefined;
    return renderPretty(options.columns, rows[0], elements && elementsTable(context, elements), render);
  }
  const columns = options.columns.map((id) => toTableColumn(COLUMNS[id], options.noTruncate));
  const layout = options.mode === 'json' ? jsonLayout(io.env) : undefined;
  if (layout) return renderJsonLayout({ name: collected.name, columns, rows }, layout, render);
  return renderTable({ name: collected.name, columns, rows }, render);
}

/** "could not judge 2 objects (not listed): processes we may not inspect could use it", one line per reason. */
function describeUndetermined(undetermined: readonly JudgedObject[]): string[] {
  const counts = new Map<string, number>();
  for (const { judgement } of undetermined) {
    const doubt = describeDoubt(judgement);
    counts.set(doubt, (counts.get(doubt) ?? 0) + 1);
  }
  return [...counts].map(
    ([doubt, count]) =>
      `could not judge ${count} ${count === 1 ? 'object' : 'objects'} (not listed): ${doubt}`,
  );
}

/** get_terminal_width(80): the terminal's size, else $COLUMNS, else 80. */
function terminalWidth(io: Context): number {
  if (io.columns !== undefined && io.columns > 0) return io.columns;
  const fromEnv = Number(io.env.COLUMNS);
  return Number.isInteger(fromEnv) && fromEnv > 0 ? fromEnv : 80;
}
