/**
 * lsfifo on a terminal: the boxed, coloured table when the terminal can show it; otherwise the
 * plain columns a pipe gets, without colour and fitted to the terminal's width as lsipc fits its
 * output: NO_COLOR, TERM=dumb, or a table wider than the terminal.
 */
import { stripVTControlCharacters } from 'node:util';
import { shownWidth } from '@ipcutils/cli/smartcols';

/** Whether the terminal gets the boxed table (before knowing whether it fits). */
export function wantsTable(env: Readonly<Record<string, string | undefined>>): boolean {
  return !env.NO_COLOR && env.TERM !== 'dumb';
}

/**
 * Columns the widest line of `text` takes on screen: escape sequences none, a CJK character or an
 * emoji two, a combining mark none (glibc's wcwidth(); one for what it would not print).
 */
export function textWidth(text: string): number {
  let widest = 0;
  for (const line of stripVTControlCharacters(text).split('\n')) {
    let width = 0;
    for (const char of line) width += shownWidth(char.codePointAt(0)!);
    widest = Math.max(widest, width);
  }
  return widest;
}
