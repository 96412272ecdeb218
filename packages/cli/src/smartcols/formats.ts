/**
 * The machine-readable formats: raw (space-separated, escaped), export (NAME="value"), and JSON
 * as libsmartcols' ul_jsonwrt writes it (3-space indent, every value a string, `},{` between rows).
 *
 * A listing can have 10,000 rows of a dozen cells, so each format writes its cells and the constant
 * text between them into one TextOutput (./output.ts): no string per cell or per row.
 */
import { escapeRaw, jsonEscapeInner, quoteExport, quoteJson, toShellVarName } from './encode.js';
import { type EncodedText, encodeText, specialCharacters, TextOutput } from './output.js';
import type { RenderOptions, Table } from './types.js';

function columnNames(table: Table, options: RenderOptions): string[] {
  return table.columns.map((column) => (options.shellVar ? toShellVarName(column.name) : column.name));
}

export function renderRaw(table: Table, options: RenderOptions): string {
  const width = table.columns.length;
  const out = new TextOutput(table.rows.length * width * 12);
  if (options.noHeadings !== true) out.write(`${columnNames(table, options).map(escapeRaw).join(' ')}\n`);
  for (const row of table.rows) {
    for (let c = 0; c < width; c++) {
      const data = row[c];
      if (c > 0) out.write(' ');
      if (data && !out.writePlain(data, RAW_SPECIALS)) out.write(escapeRaw(data));
    }
    out.write('\n');
  }
  return out.toString();
}

/** Export and --newline: no header; fields separated by a space or a newline. */
export function renderExport(table: Table, options: RenderOptions): string {
  const separator = options.newline ? '\n' : ' ';
  // What precedes each field: the separator (none before the first) and NAME=".
  const before = columnNames(table, options).map((name, c) =>
    encodeText(c === 0 ? `${name}="` : `${separator}${name}="`),
  );
  const width = before.length;
  const out = new TextOutput(table.rows.length * width * 24);
  for (const row of table.rows) {
    for (let c = 0; c < width; c++) {
      const data = row[c] ?? '';
      out.writeEncoded(before[c]!);
      // quoteExport() of a cell with nothing to escape is the cell in quotes.
      if (out.writePlain(data, EXPORT_SPECIALS)) out.write('"');
      else out.write(quoteExport(data).slice(1));
    }
    out.write('\n');
  }
  return out.toString();
}

/** What escapeRaw() and quoteExport() would change. */
const RAW_SPECIALS = specialCharacters(' \\');
const EXPORT_SPECIALS = specialCharacters('"$\\`');

/** Printed even for an empty table: `{"NAME": []}` with libsmartcols' blank line inside. */
export function renderJson(table: Table, options: RenderOptions): string {
  const { rows } = table;
  const head = `{\n   ${quoteJson(table.name ?? '')}: [\n`;
  const keys = columnNames(table, options).map((name) => `         ${quoteJson(asciiLowercase(name))}: `);
  const width = keys.length;
  if (rows.length === 0) return `${head}\n   ]\n}\n`;
  if (width === 0)
    return `${head}      ${new Array<string>(rows.length).fill('{\n\n      }').join(',')}\n   ]\n}\n`;

  // A cell with data is `"text"`, one without is `null` (an empty string has no data either). The
  // quotes and `null` are folded into the constant text around the cells, which depends on
  // whether the cell before (in the row, or the last of the previous row) was quoted:
  // separators[c * 4 + 2 * previousQuoted + quoted] precedes cell c (with `null` when unquoted).
  const separators = new Array<EncodedText>(width * 4);
  const quote = ['', '"'];
  for (let c = 0; c < width; c++) {
    for (let previous = 0; previous < 2; previous++) {
      const opening = c === 0 ? `${quote[previous]}\n      },{\n` : `${quote[previous]},\n`;
      separators[c * 4 + previous * 2] = encodeText(`${opening}${keys[c]}null`);
      separators[c * 4 + previous * 2 + 1] = encodeText(`${opening}${keys[c]}"`);
    }
  }
  // The constant text of a row, and some room for its cells.
  let rowBytes = 0;
  for (let c = 0; c < width; c++) rowBytes += separators[c * 4 + 3]!.text.length + 16;
  const out = new TextOutput(head.length + 64 + rows.length * rowBytes);
  // The first row opens the array instead of closing a previous object.
  const firstData = rows[0]![0];
  out.write(`${head}      {\n${keys[0]}${firstData ? '"' : 'null'}`);
  if (firstData && !out.writePlain(firstData, JSON_SPECIALS)) out.write(jsonEscapeInner(firstData));
  let quoted = firstData ? 1 : 0;
  for (let r = 0, c = 1; r < rows.length; r++, c = 0) {
    const row = rows[r]!;
    for (; c < width; c++) {
      const data = row[c];
      const has = data ? 1 : 0;
      out.writeEncoded(separators[c * 4 + quoted * 2 + has]!);
      if (data && !out.writePlain(data, JSON_SPECIALS)) out.write(jsonEscapeInner(data));
      quoted = has;
    }
  }
  out.write(quoted ? '"\n      }\n   ]\n}\n' : '\n      }\n   ]\n}\n');
  return out.toString();
}

/** What jsonEscapeInner() would change (DEL is not one, but rare enough to take the slow path). */
const JSON_SPECIALS = specialCharacters('"\\');

/** JSON keys are lower-cased with c_tolower(): ASCII only, whatever the locale. */
function asciiLowercase(name: string): string {
  return name.replace(/[A-Z]+/g, (letters) => letters.toLowerCase());
}
