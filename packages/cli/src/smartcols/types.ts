/**
 * The table model of the libsmartcols emulation: columns described as data, rows of string cells.
 * A null cell is one libsmartcols never received data for (printed as nothing, or `null` in JSON).
 */

export interface Column {
  /** Header text, export/JSON key. */
  name: string;
  /** SCOLS_FL_RIGHT: right-aligned. */
  right?: boolean;
  /** SCOLS_FL_TRUNC: may be truncated to fit a terminal. */
  trunc?: boolean;
  /** SCOLS_FL_NOEXTREMES: a few very wide cells may be shrunk first on a terminal. */
  noextremes?: boolean;
  /** libsmartcols width hint: at least 1 is absolute, below 1 a fraction of the terminal (default 1). */
  widthHint?: number;
  /** Every cell is printable ASCII without a backslash (numbers, keys, modes): never escaped. */
  plain?: boolean;
}

export type Cell = string | null;

export type Row = readonly Cell[];

export interface Table {
  /** The JSON top-level key; null when the program never named the table (printed as ""). */
  name: string | null;
  columns: readonly Column[];
  rows: readonly Row[];
}

export type TableFormat = 'human' | 'raw' | 'export' | 'json';

export interface RenderOptions {
  format: TableFormat;
  /** Export format with one NAME="value" per line (the column separator is a newline). */
  newline?: boolean;
  noHeadings?: boolean;
  /** Column names as shell variable names ("USE%" → "USE_PCT") in headers, export and JSON keys. */
  shellVar?: boolean;
  /** Width of the terminal standard output is; undefined when it is not a terminal. */
  terminalWidth?: number;
  /** The locale's charset is UTF-8, so printable non-ASCII text is shown as is (else \x-escaped). */
  utf8?: boolean;
}
