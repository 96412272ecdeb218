/**
 * lsfifo's three outputs: a boxed table on a terminal, aligned columns (the libsmartcols renderer
 * lsipc uses: in a pipe, or fitted to a terminal the table does not suit), typed JSON.
 */
import { renderTable, type Table } from '@ipcutils/cli/smartcols';
import type { LocalTime } from '@ipcutils/core';
import type { ChalkInstance } from 'chalk';
import type TableConstructor from 'cli-table3';
import { escapeControlCharacters } from '../common/escape.js';
import type { FifoRecord } from './collect.js';
import { COLUMNS, type ColumnId } from './columns.js';

export interface FormatOptions {
  columns: readonly ColumnId[];
  headings: boolean;
  /** localtime() of the TZ the tool runs under, for MTIME. */
  localTime: LocalTime;
}

/** `{"fifos": [...]}`: numbers as numbers, times in ISO 8601, holders as an array. */
export function formatJson(records: readonly FifoRecord[], options: FormatOptions): string {
  const fifos = records.map((record) =>
    Object.assign({}, ...options.columns.map((id) => COLUMNS[id].json(record))),
  );
  return `${JSON.stringify({ fifos }, null, 2)}\n`;
}

export interface ColumnsLayout {
  /** The locale's charset is UTF-8: printable non-ASCII text is shown as is, else \x-escaped. */
  utf8: boolean;
  /** Fit to this many terminal columns (cells truncated as lsipc truncates them); none in a pipe. */
  terminalWidth?: number;
}

/**
 * Columns padded to their widest cell, one space apart, numbers right-aligned, control characters
 * and (outside UTF-8) non-ASCII bytes as `\xNN`: libsmartcols' human output, as lsipc prints it.
 */
export function formatColumns(
  records: readonly FifoRecord[],
  options: FormatOptions,
  layout: ColumnsLayout,
): string {
  if (records.length === 0 && !options.headings) return '';
  const table: Table = {
    name: null,
    columns: options.columns.map((id) => ({
      name: id,
      right: COLUMNS[id].numeric,
      trunc: COLUMNS[id].trunc,
    })),
    rows: records.map((record) => options.columns.map((id) => COLUMNS[id].text(record, options.localTime))),
  };
  return renderTable(table, {
    format: 'human',
    noHeadings: !options.headings,
    utf8: layout.utf8,
    ...(layout.terminalWidth === undefined ? {} : { terminalWidth: layout.terminalWidth }),
  });
}

/** A cli-table3 table for a terminal. */
export async function formatTable(
  records: readonly FifoRecord[],
  options: FormatOptions,
  chalk: ChalkInstance,
): Promise<string> {
  // Loaded only for people at a terminal: scripts reading the plain output do not pay for it.
  // A CommonJS module (export =): import() gives it as the default export.
  const { default: Table } = (await import('cli-table3')) as unknown as { default: typeof TableConstructor };
  const table = new Table({
    ...(options.headings ? { head: options.columns.map((id) => chalk.bold(id)) } : {}),
    style: { head: [], border: [] },
    // No rule between rows: one line per FIFO, as in a plain listing.
    chars: { mid: '', 'left-mid': '', 'mid-mid': '', 'right-mid': '' },
    colAligns: options.columns.map((id) => (COLUMNS[id].numeric ? 'right' : 'left')),
  });
  for (const record of records) {
    table.push(
      options.columns.map((id) =>
        colorCell(id, escapeControlCharacters(COLUMNS[id].text(record, options.localTime)), chalk),
      ),
    );
  }
  return `${table.toString()}\n`;
}

function colorCell(id: ColumnId, text: string, chalk: ChalkInstance): string {
  if (id !== 'HOLDERS') return text;
  if (text.trim() === 'none') return chalk.dim(text);
  return text.replace(/\bunknown\b/, (word) => chalk.yellow(word));
}
