/** lsfifo's three outputs: a boxed table on a terminal, aligned columns in a pipe, typed JSON. */
import type { LocalTime } from '@ipcutils/core';
import type { ChalkInstance } from 'chalk';
import type TableConstructor from 'cli-table3';
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

/** Columns padded to their widest cell, one space apart, no trailing blanks; numbers right-aligned. */
export function formatPlain(
  records: readonly FifoRecord[],
  options: FormatOptions,
  chalk: ChalkInstance,
): string {
  const rows = records.map((record) =>
    options.columns.map((id) => COLUMNS[id].text(record, options.localTime)),
  );
  const header = [...options.columns];
  const all = options.headings ? [header, ...rows] : rows;
  const widths = options.columns.map((_, i) => Math.max(...all.map((row) => displayWidth(row[i]!))));
  const lines = all.map((row, rowIndex) => {
    const cells = row.map((cell, i) => {
      const last = i === row.length - 1;
      const padding = ' '.repeat(widths[i]! - displayWidth(cell));
      const padded = COLUMNS[options.columns[i]!].numeric ? padding + cell : last ? cell : cell + padding;
      return options.headings && rowIndex === 0
        ? chalk.bold(padded)
        : colorCell(options.columns[i]!, padded, chalk);
    });
    return cells.join(' ');
  });
  return lines.length === 0 ? '' : `${lines.join('\n')}\n`;
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
      options.columns.map((id) => colorCell(id, COLUMNS[id].text(record, options.localTime), chalk)),
    );
  }
  return `${table.toString()}\n`;
}

function colorCell(id: ColumnId, text: string, chalk: ChalkInstance): string {
  if (id !== 'HOLDERS') return text;
  if (text.trim() === 'none') return chalk.dim(text);
  return text.replace(/\bunknown\b/, (word) => chalk.yellow(word));
}

/** Columns a string takes: one per code point (names are rarely East Asian wide). */
function displayWidth(text: string): number {
  let width = 0;
  for (const _ of text) width++;
  return width;
}
