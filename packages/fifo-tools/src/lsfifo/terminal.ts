/**
 * lsfifo on a terminal: the boxed, coloured table when the terminal can show it; otherwise the
 * plain columns a pipe gets, without colour and fitted to the terminal's width as lsipc fits its
 * output: NO_COLOR, TERM=dumb, or a table wider than the terminal.
 */
import { stripVTControlCharacters } from 'node:util';

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
