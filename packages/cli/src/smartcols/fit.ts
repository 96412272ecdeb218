/**
 * libsmartcols' terminal fitting (libsmartcols/src/calculate.c): when a table is wider than the
 * terminal, columns are shrunk stage by stage, the columns whose cell widths vary most first
 * ("68-95-99 rule": average + deviation), TRUNC and NOEXTREMES columns before the others.
 */

/** A column's measured widths; `width` and `hidden` are what fitting changes. */
export interface FitColumn {
  width: number;
  /** Never shrunk below this (the header width, or 1). */
  widthMin: number;
  /** The widest cell. */
  widthMax: number;
  /** Width of each cell, for the average and deviation. */
  cellWidths: readonly number[];
  trunc: boolean;
  noextremes: boolean;
  right: boolean;
  widthHint: number;
  hidden: boolean;
}

interface Stats {
  avg: number;
  deviation: number;
}

/** Shrinks (or widens) `columns` in place so the table fits `termWidth`, as far as libsmartcols can. */
export function fitToTerminal(columns: FitColumn[], termWidth: number): void {
  let width = totalWidth(columns);
  const stats = new Map<FitColumn, Stats>(columns.map((column) => [column, measureDeviation(column)]));
  // Columns are visited worst first: sorted by avg + 3 * deviation, walked from the end (a stable sort).
  const order = columns
    .map((column, index) => ({ column, index }))
    .sort((a, b) => spread(stats.get(a.column)!) - spread(stats.get(b.column)!) || a.index - b.index)
    .map(({ column }) => column)
    .reverse();

  let stage = 0;
  while (width > termWidth && stage <= 6) {
    const before = width;
    let nth = 0;
    for (const column of order) {
      if (width <= termWidth) break;
      width -= reduceColumn(column, stats.get(column)!, {
        stage,
        nth: nth++,
        wanted: width - termWidth,
        termWidth,
      });
    }
    if (before === width) stage++;
  }

  if (width < termWidth) width = enlargeExtremes(order, width, termWidth);
  const last = columns[columns.length - 1];
  if (width < termWidth && last && !last.right) last.width += termWidth - width;
}

function totalWidth(columns: readonly FitColumn[]): number {
  const visible = columns.filter((column) => !column.hidden);
  return visible.reduce((sum, column) => sum + column.width, 0) + Math.max(0, visible.length - 1);
}

function spread(stats: Stats): number {
  return stats.avg + 3 * stats.deviation;
}

/** The average cell width (an integer division in C) and the sample standard deviation. */
function measureDeviation(column: FitColumn): Stats {
  const n = column.cellWidths.length;
  if (n === 0) return { avg: 0, deviation: 0 };
  const avg = Math.floor(column.cellWidths.reduce((sum, w) => sum + w, 0) / n);
  if (n === 1) return { avg, deviation: 0 };
  const squares = column.cellWidths.reduce((sum, w) => sum + (w - avg) * (w - avg), 0);
  return { avg, deviation: newtonSqrt(squares / (n - 1)) };
}

/** libsmartcols' own square root (Newton's method), so thresholds compare exactly as in C. */
function newtonSqrt(num: number): number {
  let previous = 0;
  let root = num / 2;
  for (let i = 0; root !== previous && i < 200; i++) {
    previous = root;
    root = (num / previous + previous) / 2;
  }
  return root;
}

interface ReduceStep {
  stage: number;
  nth: number;
  wanted: number;
  termWidth: number;
}

/** One stage of reduce_column(); returns how much narrower the column became. */
function reduceColumn(column: FitColumn, stats: Stats, step: ReduceStep): number {
  if (column.hidden || column.width === column.widthMin || column.width === 0) return 0;
  const before = column.width;
  const { stage, nth, wanted } = step;
  const relativeTrunc =
    column.trunc &&
    column.widthHint > 0 &&
    column.widthHint < 1 &&
    column.width >= Math.floor(column.widthHint * step.termWidth);
  const wide = stats.deviation >= stats.avg / 2.0;
  switch (stage) {
    case 0:
      if ((column.trunc || column.noextremes) && nth === 0) reduceTo68(column, stats, wanted);
      break;
    case 1:
    case 2:
      if ((stage === 2 || wide) && column.noextremes) reduceTo68(column, stats, wanted);
      break;
    case 3:
    case 4:
      if ((stage === 4 || wide) && relativeTrunc) reduceTo68(column, stats, wanted);
      break;
    case 5:
    case 6: {
      if (stage === 5 && stats.deviation < stats.avg / 2.2) break;
      if (!column.trunc && !column.noextremes) break;
      // The worst column is cut harder.
      const reduce = Math.min(nth === 0 ? 3 : 1, column.width - column.widthMin);
      column.width -= reduce;
      break;
    }
  }
  if (column.width === 0) column.hidden = true;
  return before - column.width;
}

/** reduce_to_68(): down to average + deviation (covers 68% of cells), or by `wanted` if that is less. */
function reduceTo68(column: FitColumn, stats: Stats, wanted: number): void {
  if (stats.deviation < 1.0) return;
  const target = Math.max(Math.trunc(stats.avg + stats.deviation), column.widthMin);
  const excess = column.width - target;
  column.width = excess < 0 || excess > wanted ? Math.max(0, column.width - wanted) : target;
}

/** Gives room back to NOEXTREMES columns that were shrunk, up to their widest cell. */
function enlargeExtremes(order: readonly FitColumn[], width: number, termWidth: number): number {
  let total = width;
  for (const column of order) {
    if (!column.noextremes || column.hidden || column.width >= column.widthMax) continue;
    const add = Math.min(termWidth - total, column.widthMax - column.width);
    column.width += add;
    total += add;
    if (total === termWidth) break;
  }
  return total;
}
