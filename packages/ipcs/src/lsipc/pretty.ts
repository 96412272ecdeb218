/**
 * The -i/-N view (print_pretty()): one `Label:<pad>value` line per column that has data, from the
 * table's first row only, then for a semaphore set its elements as a table.
 */
import { type Cell, type RenderOptions, renderTable, type Table } from '@ipcutils/cli/smartcols';
import { COLUMNS, type ColumnId } from './columns.js';

/** printf("%s:%*c%-36s\n", label, 35 - strlen(label), ' ', value): trailing blanks included. */
export function formatPrettyLine(label: string, value: string): string {
  return `${label}:${' '.repeat(Math.max(1, 35 - label.length))}${value.padEnd(36, ' ')}\n`;
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
