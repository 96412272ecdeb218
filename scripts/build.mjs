#!/usr/bin/env node
// Builds what runs: every bin declared in packages/*/package.json is bundled by esbuild from
// packages/<pkg>/src/bin/<name>.ts into the declared file (ffi-rs stays external: it is native
// and loaded on first libc call); packages/core is compiled by tsc for library users.
import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
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

// Bins are CommonJS: an ESM entry costs Node 20 its ESM loader (~5 ms of a ~55 ms start-up) and
// an ESM facade per builtin (node:fs's evaluates fs.promises and loads the streams stack).
// dist/package.json marks the directory as CommonJS; import.meta.url comes from __filename.
const banner = [
  '#!/usr/bin/env node',
  "const __importMetaUrl = require('node:url').pathToFileURL(__filename).href;",
].join('\n');

await Promise.all(
  entries.map(({ source, outfile }) =>
    build({
      entryPoints: [source],
      outfile,
      bundle: true,
      platform: 'node',
      format: 'cjs',
      define: { 'import.meta.url': '__importMetaUrl' },
      target: 'node20',
      conditions: ['source'],
      external: ['ffi-rs'],
      minify: true,
      legalComments: 'none',
      banner: { js: banner },
      logLevel: 'warning',
    }).then(() => {
      chmodSync(outfile, 0o755);
      writeFileSync(join(dirname(outfile), 'package.json'), '{ "type": "commonjs" }\n');
    }),
  ),
);

execFileSync(
  process.execPath,
  [join(root, 'node_modules/typescript/bin/tsc'), '-p', join(packagesDir, 'core/tsconfig.build.json')],
  {
    stdio: 'inherit',
  },
);
console.log(`built ${entries.length} bins and @ipcutils/core`);
