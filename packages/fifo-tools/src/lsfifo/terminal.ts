/**
 * lsfifo on a terminal: the boxed, coloured table when the terminal can show it; otherwise the
 * plain columns a pipe gets, without colour and cut to the terminal's width (as lsipc fits its
 * output): NO_COLOR, TERM=dumb, or a table wider than the terminal.
 */
import { stripVTControlCharacters } from 'node:util';
import type { FifoRecord } from './collect.js';
import { COLUMNS } from './columns.js';
import type { FormatOptions } from './format.js';

/** Whether the terminal gets the boxed table (before knowing whether it fits). */
export function wantsTable(env: Readonly<Record<string, string | undefined>>): boolean {
  return !env.NO_COLOR && env.TERM !== 'dumb';
}

/** Columns the widest line of `text` takes on screen (escape sequences take none). */
export function textWidth(text: string): number {
  let widest = 0;
  for (const line of stripVTControlCharacters(text).split('\n')) widest = Math.max(widest, [...line].length);
  return widest;
}

/** Each line cut to `width` columns, the cut marked with … (or nothing outside UTF-8). */
export function fitToWidth(text: string, width: number, utf8: boolean): string {
  return text
    .split('\n')
    .map((line) => {
      const chars = [...line];
      if (chars.length <= width) return line;
      return utf8 ? `${chars.slice(0, width - 1).join('')}…` : chars.slice(0, width).join('');
    })
    .join('\n');
}

/**
 * The plain columns fitted to `width`: the widest columns are narrowed first (to no less than
 * their heading), their cells cut with … (or nothing outside UTF-8); a line still too wide is cut.
 */
export function fitColumns(
  records: readonly FifoRecord[],
  options: FormatOptions,
  width: number,
  utf8: boolean,
): string {
  const rows = records.map((record) =>
    options.columns.map((id) => COLUMNS[id].text(record, options.localTime)),
  );
  const all = options.headings ? [[...options.columns] as string[], ...rows] : rows;
  const widths = options.columns.map((_, i) => Math.max(0, ...all.map((row) => [...row[i]!].length)));
  const floors = options.columns.map((id) => Math.max(id.length, 4));
  let excess = widths.reduce((sum, w) => sum + w, widths.length - 1) - width;
  while (excess > 0) {
    const widest = widths.reduce(
      (best, w, i) => (w - floors[i]! > widths[best]! - floors[best]! ? i : best),
      0,
    );
    const room = widths[widest]! - floors[widest]!;
    if (room <= 0) break;
    const cut = Math.min(room, excess, Math.max(1, Math.ceil(room / 2)));
    widths[widest]! -= cut;
    excess -= cut;
  }
  const cell = (text: string, i: number) => {
    const chars = [...text];
    const shown =
      chars.length <= widths[i]!
        ? text
        : utf8
          ? `${chars.slice(0, widths[i]! - 1).join('')}…`
          : chars.slice(0, widths[i]!).join('');
    const padding = ' '.repeat(widths[i]! - [...shown].length);
    if (COLUMNS[options.columns[i]!].numeric) return padding + shown;
    return i === widths.length - 1 ? shown : shown + padding;
  };
  const lines = all.map((row) => row.map(cell).join(' '));
  return lines.length === 0 ? '' : fitToWidth(`${lines.join('\n')}\n`, width, utf8);
}
