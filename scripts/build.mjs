#!/usr/bin/env node
// Builds what runs: every bin declared in packages/*/package.json is bundled by esbuild from
// packages/<pkg>/src/bin/<name>.ts into the declared file (ffi-rs stays external: it is native
// and loaded on first libc call); packages/core is compiled by tsc for library users.
import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = dirname(dirname(fileURLToPath(import.meta.url)));
const packagesDir = join(root, 'packages');

const entries = [];
for (const name of readdirSync(packagesDir)) {
  const dir = join(packagesDir, name);
  const manifest = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
  for (const [bin, target] of Object.entries(manifest.bin ?? {})) {
    const source = join(dir, 'src', 'bin', `${bin}.ts`);
    if (!existsSync(source)) throw new Error(`${manifest.name}: bin ${bin} has no source ${source}`);
    entries.push({ source, outfile: join(dir, target) });
  }
}

await Promise.all(
  entries.map(({ source, outfile }) =>
    build({
      entryPoints: [source],
      outfile,
      bundle: true,
      platform: 'node',
      format: 'esm',
      target: 'node20',
      conditions: ['source'],
      external: ['ffi-rs'],
      minify: true,
      legalComments: 'none',
      banner: { js: '#!/usr/bin/env node' },
      logLevel: 'warning',
    }).then(() => chmodSync(outfile, 0o755)),
  ),
);

execFileSync(process.execPath, [join(root, 'node_modules/typescript/bin/tsc'), '-p', join(packagesDir, 'core/tsconfig.build.json')], {
  stdio: 'inherit',
});
console.log(`built ${entries.length} bins and @ipcutils/core`);
