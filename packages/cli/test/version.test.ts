import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { formatUtilLinuxVersion, IPCUTILS_VERSION } from '../src/index.js';

const root = join(import.meta.dirname, '..', '..', '..');

it('is the version of every package manifest', () => {
  const manifests = readdirSync(join(root, 'packages')).map(
    (dir) =>
      JSON.parse(readFileSync(join(root, 'packages', dir, 'package.json'), 'utf8')) as { version: string },
  );
  expect(manifests.length).toBeGreaterThanOrEqual(5);
  for (const manifest of manifests) expect(manifest.version).toBe(IPCUTILS_VERSION);
});

it('words --version as util-linux does, naming this project', () => {
  expect(formatUtilLinuxVersion('ipcs')).toBe(`ipcs from ipcutils ${IPCUTILS_VERSION}\n`);
});
