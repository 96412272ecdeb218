import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

export const root = join(import.meta.dirname, '..', '..');

/** Every bin declared in packages/*\/package.json: its name, built file and package directory. */
export const bins = readdirSync(join(root, 'packages')).flatMap((dir) => {
  const manifest = JSON.parse(readFileSync(join(root, 'packages', dir, 'package.json'), 'utf8'));
  return Object.entries<string>(manifest.bin ?? {}).map(([name, file]) => ({
    name,
    file: join(root, 'packages', dir, file),
    packageDir: join(root, 'packages', dir),
  }));
});
