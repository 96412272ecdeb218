/**
 * A small libsmartcols emulation: pure functions from a table (columns as data, rows of cells)
 * to the text util-linux tools print. The output format is chosen here, in one place.
 */
import { renderExport, renderJson, renderRaw } from './formats.js';
import { renderHuman } from './human.js';
import type { RenderOptions, Table } from './types.js';

export { encodeSafe, escapeInvalidBytes, toShellVarName } from './encode.js';
export type { Cell, Column, RenderOptions, Row, Table, TableFormat } from './types.js';
export { shownWidth } from './wcwidth.js';

/** scols_print_table(): an empty table prints nothing at all, except the JSON skeleton. */
export function renderTable(table: Table, options: RenderOptions): string {
  if (options.format === 'json') return renderJson(table, options);
  if (table.rows.length === 0 || table.columns.length === 0) return '';
  switch (options.format) {
    case 'raw':
      return renderRaw(table, options);
    case 'export':
      return renderExport(table, options);
    case 'human':
      return renderHuman(table, options);
  }
}

export { type JsonLayout, jsonLayout, renderJsonLayout } from './json-layout.js';
export { HEX32, STRING, TextOutput } from './output.js';
