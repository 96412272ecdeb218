/** The Prometheus text exposition as data, for the metrics tests. */

/** `name{labels} value` lines of the exposition, by series (comments and blank lines skipped). */
export function samples(text: string): Map<string, number> {
  const series = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const space = line.lastIndexOf(' ');
    series.set(line.slice(0, space), Number(line.slice(space + 1)));
  }
  return series;
}
