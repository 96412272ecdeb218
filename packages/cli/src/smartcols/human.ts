/**
 * The human-readable table (SCOLS_FMT_HUMAN): one space between columns, each as wide as its widest
 * cell (and header), right-aligned columns padded on the left, the last column never padded on the
 * right. On a terminal the columns are first fitted to its width (./fit.ts).
 */
import { encodeSafe, toShellVarName } from './encode.js';
import { type FitColumn, fitToTerminal } from './fit.js';
import { TextOutput } from './output.js';
import type { RenderOptions, Table } from './types.js';
import { shownWidth } from './wcwidth.js';

/** Cells ready to print, row by row in one flat array: safe-encoded text and its width. */
interface Printable {
  texts: string[];
  widths: Int32Array;
}

interface Layout {
  widths: number[];
  hidden: boolean[];
  /** Index of the last visible column (libsmartcols' is_last_column). */
  last: number;
}

/**
 * Encodes `count` cells per row from `rows` into `cells` (null cells become ""); the cells of
 * `plain` columns are taken as they are.
 */
function encodeCells(
  rows: readonly (readonly (string | null | undefined)[])[],
  count: number,
  utf8: boolean,
  cells: Printable,
  plainColumns?: readonly boolean[],
): void {
  const { texts, widths } = cells;
  let i = 0;
  for (let r = 0; r < rows.length; r++) {
    const row = rows[r]!;
    for (let c = 0; c < count; c++, i++) {
      const data = row[c];
      if (!data) {
        texts[i] = '';
        continue;
      }
      if (plainColumns?.[c]) {
        texts[i] = data;
        widths[i] = data.length;
        continue;
      }
      // Printable ASCII without a backslash (nearly every cell) is its own encoding, as wide as long.
      let plain = true;
      for (let k = 0; k < data.length; k++) {
        const code = data.charCodeAt(k);
        if (code < 0x20 || code > 0x7e || code === 0x5c) {
          plain = false;
          break;
        }
      }
      if (plain) {
        texts[i] = data;
        widths[i] = data.length;
      } else {
        const safe = encodeSafe(data, utf8);
        texts[i] = safe.text;
        widths[i] = safe.width;
      }
    }
  }
}

function printable(cells: number): Printable {
  return { texts: new Array<string>(cells), widths: new Int32Array(cells) };
}

export function renderHuman(table: Table, options: RenderOptions): string {
  const { columns, rows } = table;
  const ncols = columns.length;
  const utf8 = options.utf8 === true;
  const headings = options.noHeadings !== true;
  const names = columns.map((column) => (options.shellVar ? toShellVarName(column.name) : column.name));
  const header = printable(ncols);
  encodeCells([names], ncols, utf8, header);
  const cells = printable(rows.length * ncols);
  encodeCells(
    rows,
    ncols,
    utf8,
    cells,
    columns.map((column) => column.plain === true),
  );
  const layout = computeLayout(table, cells, { header, headings, terminalWidth: options.terminalWidth });
  if (options.terminalWidth !== undefined) {
    // Fitted to a terminal: cells may be truncated or wrapped, line by line as libsmartcols does.
    const lines = new Array<string>(rows.length + (headings ? 1 : 0));
    let n = 0;
    if (headings) lines[n++] = printLine(table, header, 0, layout);
    for (let r = 0; r < rows.length; r++) lines[n++] = printLine(table, cells, r * ncols, layout);
    return `${lines.join('\n')}\n`;
  }
  // Not fitted: every column is at least as wide as its cells, none hidden, nothing wraps.
  const right = columns.map((column) => column.right === true);
  // Every line is at most as long as the columns with their separators.
  const lineBytes = layout.widths.reduce((sum, width) => sum + width + 1, 0);
  const out = new TextOutput((rows.length + 1) * lineBytes);
  if (headings) printPlainLine(out, header, 0, layout.widths, right);
  for (let r = 0; r < rows.length; r++) printPlainLine(out, cells, r * ncols, layout.widths, right);
  return out.toString();
}

/**
 * printLine() when no cell is wider than its column: the blanks between two cells (the padding
 * of both and the separator) go out with the next cell's text, in one call.
 */
function printPlainLine(
  out: TextOutput,
  cells: Printable,
  offset: number,
  widths: readonly number[],
  right: readonly boolean[],
): void {
  const { texts, widths: lengths } = cells;
  const last = widths.length - 1;
  let blanks = 0;
  for (let c = 0; c <= last; c++) {
    const length = lengths[offset + c]!;
    const pad = widths[c]! - length;
    // The last column is never padded on the right; a right-aligned one only on its left.
    if (right[c] && (c < last || length > 0)) blanks += pad;
    out.writeAfterSpaces(blanks, texts[offset + c]!);
    blanks = right[c] ? 1 : pad + 1;
  }
  out.write('\n');
}

interface LayoutInput {
  header: Printable;
  headings: boolean;
  terminalWidth: number | undefined;
}

/**
 * count_column_width(): at least the header (libsmartcols newer than 2.38 ignores the header with
 * --noheadings, so a column with neither header nor data is then 0 wide), at least the width hint.
 */
function computeLayout(table: Table, cells: Printable, input: LayoutInput): Layout {
  const ncols = table.columns.length;
  const nrows = table.rows.length;
  const widest = widestCells(cells.widths, ncols);
  const fit: FitColumn[] = table.columns.map((column, c) => {
    const headerWidth = input.headings ? input.header.widths[c]! : 0;
    const widthMin = Math.max(headerWidth, 1);
    const widthMax = widest[c]!;
    // Terminal fitting needs every width of the column, for its average and deviation.
    const cellWidths: number[] = [];
    if (input.terminalWidth !== undefined) {
      for (let r = 0; r < nrows; r++) cellWidths.push(cells.widths[r * ncols + c]!);
    }
    const hint = column.widthHint ?? 1;
    let width = widthMax;
    if (width < widthMin) width = widthMin;
    else if (hint >= 1 && width < Math.trunc(hint) && widthMin < Math.trunc(hint)) width = Math.trunc(hint);
    const noHeader = !input.headings;
    if (widthMax === 0 && noHeader && widthMin === 1 && width <= 1) width = 0;
    return {
      width,
      widthMin: noHeader && width === 0 ? 0 : widthMin,
      widthMax,
      cellWidths,
      trunc: column.trunc === true,
      noextremes: column.noextremes === true,
      right: column.right === true,
      widthHint: hint,
      hidden: false,
    };
  });
  if (input.terminalWidth !== undefined) fitToTerminal(fit, input.terminalWidth);
  const hidden = fit.map((column) => column.hidden);
  return { widths: fit.map((column) => column.width), hidden, last: hidden.lastIndexOf(false) };
}

/** The widest cell of each column, in one pass over the cells (row by row). */
function widestCells(widths: Int32Array, ncols: number): Int32Array {
  const widest = new Int32Array(ncols);
  for (let i = 0, c = 0; i < widths.length; i++, c = c + 1 === ncols ? 0 : c + 1) {
    if (widths[i]! > widest[c]!) widest[c] = widths[i]!;
  }
  return widest;
}

/** print_line() + print_data() of one row (or the header), its cells from `offset` in `cells`. */
function printLine(table: Table, cells: Printable, offset: number, layout: Layout): string {
  const { widths, hidden, last } = layout;
  const { columns } = table;
  const fields: string[] = [];
  for (let c = 0; c < columns.length; c++) {
    if (hidden[c]) continue;
    const right = columns[c]!.right === true;
    let text = cells.texts[offset + c]!;
    let len = cells.widths[offset + c]!;
    const width = widths[c]!;
    if (len > width && columns[c]!.trunc) {
      ({ text, width: len } = truncate(text, width));
    }
    if (c === last) {
      // The last column is never padded on the right; a right-aligned one only on its left.
      fields.push(right && text !== '' && len < width ? padding(width - len) + text : text);
      break;
    }
    if (len > width && !right) {
      // A cell wider than its column pushes the next columns to a new line, re-indented.
      let indent = '';
      for (let p = 0; p <= c; p++) indent += padding(widths[p]!) + (p === last ? '' : ' ');
      fields.push(`${text}\n${indent.slice(0, -1)}`);
    } else if (len >= width) {
      fields.push(text);
    } else {
      fields.push(right ? padding(width - len) + text : text + padding(width - len));
    }
  }
  return fields.join(' ');
}

/**
 * mbs_truncate() on already-encoded text: the characters that fit in `width` columns, each as wide
 * as wcwidth() says (a CJK character that would straddle the edge is left out), and their width.
 */
function truncate(text: string, width: number): { text: string; width: number } {
  let kept = 0;
  let cells = 0;
  for (const char of text) {
    const columns = shownWidth(char.codePointAt(0)!);
    if (cells + columns > width) break;
    cells += columns;
    kept += char.length;
  }
  return { text: text.slice(0, kept), width: cells };
}

const PADDING: string[] = [];

function padding(n: number): string {
  if (n <= 0) return '';
  let pad = PADDING[n];
  if (pad === undefined) {
    pad = ' '.repeat(n);
    if (n < 256) PADDING[n] = pad;
  }
  return pad;
}
