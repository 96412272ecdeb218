/**
 * lsipc --json under LIBSMARTCOLS_JSON=compact|lines, as libsmartcols 2.42+ writes it (ul_jsonwrt's
 * UL_JSON_COMPACT and UL_JSON_LINE): compact is `{"name":[` then each row `{"key":"value",…}` on
 * its own line (rows joined by `,`), then `]}`; lines is one row object a line, with no enclosing
 * object and nothing at all for an empty table. Any other value keeps the indented layout.
 */
import { quoteJson, toShellVarName } from './encode.js';
import type { RenderOptions, Table } from './types.js';

export type JsonLayout = 'compact' | 'lines';

/** The layout LIBSMARTCOLS_JSON asks for, or undefined for libsmartcols' indented default. */
export function jsonLayout(env: Readonly<Record<string, string | undefined>>): JsonLayout | undefined {
  const value = env.LIBSMARTCOLS_JSON;
  return value === 'compact' || value === 'lines' ? value : undefined;
}

export function renderJsonLayout(table: Table, layout: JsonLayout, options: RenderOptions): string {
  // Keys are lower-cased with c_tolower(): ASCII only, whatever the locale.
  const keys = table.columns.map((column) =>
    quoteJson(
      (options.shellVar ? toShellVarName(column.name) : column.name).replace(/[A-Z]+/g, (s) =>
        s.toLowerCase(),
      ),
    ),
  );
  const objects = table.rows.map(
    (row) => `{${keys.map((key, c) => `${key}:${row[c] ? quoteJson(row[c]) : 'null'}`).join(',')}}`,
  );
  if (layout === 'lines') return objects.length === 0 ? '' : `${objects.join('\n')}\n`;
  const rows = objects.map((object) => `\n${object}`).join(',');
  return `{${quoteJson(table.name ?? '')}:[${rows}\n]}\n`;
}
