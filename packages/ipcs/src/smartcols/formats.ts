/**
 * The machine-readable formats: raw (space-separated, escaped), export (NAME="value"), and JSON
 * as libsmartcols' ul_jsonwrt writes it (3-space indent, every value a string, `},{` between rows).
 */
import { escapeRaw, quoteExport, quoteJson, toShellVarName } from './encode.js';
import type { RenderOptions, Table } from './types.js';

function columnNames(table: Table, options: RenderOptions): string[] {
  return table.columns.map((column) => (options.shellVar ? toShellVarName(column.name) : column.name));
}

export function renderRaw(table: Table, options: RenderOptions): string {
  const lines: string[] = [];
  if (options.noHeadings !== true) lines.push(columnNames(table, options).map(escapeRaw).join(' '));
  const width = table.columns.length;
  for (const row of table.rows) {
    const fields = new Array<string>(width);
    for (let c = 0; c < width; c++) {
      const data = row[c];
      fields[c] = data ? escapeRaw(data) : '';
    }
    lines.push(fields.join(' '));
  }
  return `${lines.join('\n')}\n`;
}

/** Export and --newline: no header; fields separated by a space or a newline. */
export function renderExport(table: Table, options: RenderOptions): string {
  const names = columnNames(table, options).map((name) => `${name}=`);
  const separator = options.newline ? '\n' : ' ';
  const width = names.length;
  const lines = table.rows.map((row) => {
    const fields = new Array<string>(width);
    for (let c = 0; c < width; c++) fields[c] = names[c]! + quoteExport(row[c] ?? '');
    return fields.join(separator);
  });
  return `${lines.join('\n')}\n`;
}

/** Printed even for an empty table: `{"NAME": []}` with libsmartcols' blank line inside. */
export function renderJson(table: Table, options: RenderOptions): string {
  const keys = columnNames(table, options).map((name) => `         ${quoteJson(asciiLowercase(name))}: `);
  const width = keys.length;
  const objects = table.rows.map((row) => {
    const fields = new Array<string>(width);
    for (let c = 0; c < width; c++) {
      const data = row[c];
      fields[c] = keys[c]! + (data ? quoteJson(data) : 'null');
    }
    return `{\n${fields.join(',\n')}\n      }`;
  });
  const body = objects.length === 0 ? '' : `      ${objects.join(',')}`;
  return `{\n   ${quoteJson(table.name ?? '')}: [\n${body}\n   ]\n}\n`;
}

/** JSON keys are lower-cased with c_tolower(): ASCII only, whatever the locale. */
function asciiLowercase(name: string): string {
  return name.replace(/[A-Z]+/g, (letters) => letters.toLowerCase());
}
