import { localTimeFor } from '@ipcutils/core';
/**
 * lsipc: argv → typed options → rows from the core → text. Exit status and messages are decided
 * here: 0 (also for "not found"), 1 for usage errors.
 */
import type { Io } from '@ipcutils/core/cli';
import { isUtf8Locale, type RenderOptions, renderTable, type TableFormat } from '../smartcols/index.js';
import { applyCleanup } from './cleanup.js';
import { collectEntries, elementsTable } from './collect.js';
import { COLUMNS, toTableColumn } from './columns.js';
import { formatHelp, formatVersion } from './help.js';
import { jsonLayout, renderJsonLayout } from './json-layout.js';
import { type LsipcOptions, type OutputMode, parseCommand } from './options.js';
import { renderPretty } from './pretty.js';
import { globalRow, objectRow, RowContext } from './rows.js';
import { type LsipcSources, systemSources } from './sources.js';
import { renderTypedJson } from './typed.js';

export function main(argv: readonly string[], io: Io): number {
  return runLsipc(argv, io, systemSources);
}

/** main() with the system readers replaced (tests: fixtures, races). */
export function runLsipc(argv: readonly string[], io: Io, sources: LsipcSources): number {
  const command = parseCommand(argv, io.argv0);
  switch (command.kind) {
    case 'help':
      io.out(formatHelp(io.programName));
      return 0;
    case 'version':
      io.out(formatVersion(io.programName));
      return 0;
    case 'error':
      // Only getopt's errors ask for the try-help line, and their text already names the program.
      if (command.tryHelp)
        io.err(`${command.message}\nTry '${io.programName} --help' for more information.\n`);
      else if (command.message !== undefined) io.err(`${io.programName}: ${command.message}\n`);
      return 1;
    case 'run':
      io.out(renderReport(command.options, io, sources));
      return 0;
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
function renderReport(options: LsipcOptions, io: Io, sources: LsipcSources): string {
  const context = new RowContext(options, sources, localTimeFor(io.env.TZ));
  const collected = collectEntries(context, (message) => io.err(`${io.programName}: ${message}\n`));
  const entries = applyCleanup(context, collected.entries);
  if (options.mode === 'typed-json')
    return renderTypedJson(collected.name, entries, context, collected.elements);
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

/** get_terminal_width(80): the terminal's size, else $COLUMNS, else 80. */
function terminalWidth(io: Io): number {
  if (io.columns !== undefined && io.columns > 0) return io.columns;
  const fromEnv = Number(io.env.COLUMNS);
  return Number.isInteger(fromEnv) && fromEnv > 0 ? fromEnv : 80;
}
