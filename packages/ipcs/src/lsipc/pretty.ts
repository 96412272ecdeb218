/**
 * The -i/-N view (print_pretty()): one `Label:<pad>value` line per column that has data, from the
 * table's first row only, then for a semaphore set its elements as a table.
 */
import { type Cell, type RenderOptions, renderTable, type Table } from '@ipcutils/cli/smartcols';
import { nameToBytes } from '@ipcutils/core';
import { COLUMNS, type ColumnId } from './columns.js';

/**
 * printf("%s:%*c%-36s\n", label, 35 - strlen(label), ' ', value): trailing blanks included. The
 * value is printed as its bytes (a name's bytes that are not UTF-8 too) and padded to 36 bytes.
 */
export function formatPrettyLine(label: string, value: string): string {
  const pad = isAscii(value) ? 36 - value.length : 36 - nameToBytes(value).length;
  return `${label}:${' '.repeat(Math.max(1, 35 - label.length))}${value}${' '.repeat(Math.max(0, pad))}\n`;
}

function isAscii(text: string): boolean {
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) > 0x7f) return false;
  return true;
}

export function renderPretty(
  columns: readonly ColumnId[],
  row: readonly Cell[] | undefined,
  elements: Table | undefined,
  options: RenderOptions,
): string {
  if (row === undefined) return '';
  const parts: string[] = [];
  columns.forEach((id, n) => {
    const value = row[n];
    if (value !== null && value !== undefined) parts.push(formatPrettyLine(COLUMNS[id].pretty, value));
  });
  if (elements !== undefined) {
    parts.push('Elements:\n\n');
    parts.push(renderTable(elements, { ...options, format: 'human', noHeadings: false }));
  }
  return parts.join('');
}
