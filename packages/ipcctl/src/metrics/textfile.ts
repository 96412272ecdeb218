/**
 * --textfile FILE: the metrics written for node_exporter's textfile collector, which may read the
 * file at any moment: written whole to a temporary file in the same directory (a name the
 * collector ignores: it reads only *.prom), then renamed over FILE, which rename(2) does atomically.
 */
import { chmodSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';

export function writeTextfile(file: string, text: string): void {
  const temporary = join(dirname(file), `.${basename(file)}.${Math.random().toString(36).slice(2)}.tmp`);
  try {
    writeFileSync(temporary, text, { flag: 'wx', mode: 0o644 });
    // The umask may have taken bits from the mode: node_exporter runs as another user.
    chmodSync(temporary, 0o644);
    renameSync(temporary, file);
  } catch (error) {
    rmSync(temporary, { force: true });
    throw error;
  }
}
