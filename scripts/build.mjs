#!/usr/bin/env node
// Builds what runs: every bin declared in packages/*/package.json is bundled by esbuild from
// packages/<pkg>/src/bin/<name>.ts into the declared file (ffi-rs stays external: it is native
// and loaded on first libc call); packages/core is compiled by tsc for library users.
import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
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
    entries.push({ bin, source, outfile: join(dir, target) });
  }
}

// Bins are CommonJS: an ESM entry costs Node 20 its ESM loader (~5 ms of a ~20 ms start-up) and
// an ESM facade per builtin (node:fs's evaluates fs.promises and loads the streams stack).
// dist/package.json marks the directory as CommonJS; import.meta.url comes from __filename.
//
// The bin itself is a loader: it compiles <bin>.bundle.js with the V8 code cache made at build
// time (<bin>.bundle.cache), which saves parsing the bundle and compiling the functions a run
// calls (~1.5 ms of a ~20 ms start-up). V8 ignores a cache made by another node or with other
// flags, and the loader then compiles as node would.
//
// The shebang starts node without NODE_EXTRA_CA_CERTS: when it is set, node parses that file and
// its own root certificates before running a line (~30 ms for Debian's bundle, more than a whole
// start-up without it), and these tools make no TLS connections and start no processes.
//
// In the bundle, import.meta.url is made on first use (a URL costs ~0.3 ms and few runs need one)
// and __ffiBinding is the path of the ffi-rs binding found below.
function banner(outfile) {
  const ffiPath =
    binding === undefined
      ? 'undefined'
      : `require('node:path').join(__dirname, ${JSON.stringify(relative(dirname(outfile), binding))})`;
  return [
    "const __importMeta = { get url() { return require('node:url').pathToFileURL(__filename).href; } };",
    `const __ffiBinding = ${ffiPath};`,
  ].join('\n');
}

/** Bundles import node:module through scripts/shims/module.cjs, which loads it on first use. */
const moduleShim = join(root, 'scripts/shims/module.cjs');
const lazyModule = {
  name: 'lazy-node-module',
  setup(build) {
    build.onResolve({ filter: /^node:module$/ }, (args) =>
      args.importer === moduleShim ? { path: 'node:module', external: true } : { path: moduleShim },
    );
  },
};

function loader(name) {
  return `#!/usr/bin/env -S -u NODE_EXTRA_CA_CERTS node
'use strict';
// Built by scripts/build.mjs: runs ${name}.bundle.js, compiled with the code cache made at build time.
const { readFileSync } = require('node:fs');
const { Script } = require('node:vm');
const bundle = \`\${__dirname}/${name}.bundle.js\`;
let cachedData;
try {
  cachedData = readFileSync(\`\${__dirname}/${name}.bundle.cache\`);
} catch {}
const script = new Script(readFileSync(bundle, 'utf8'), { filename: bundle, cachedData });
script.runInThisContext()(exports, require, module, bundle, __dirname);
`;
}

/**
 * What each bin runs at build time before its code cache is written: read-only listings (of
 * this machine's objects, output discarded) where a run touches nothing, --version elsewhere.
 */
const WARM_UP = { ipcs: ['-a'], lsipc: ['-m'] };
// As a bin's shebang starts node; V8 options in NODE_OPTIONS would make a cache plain runs reject.
const { NODE_EXTRA_CA_CERTS, NODE_OPTIONS, ...warmUpEnv } = process.env;

/**
 * The ffi-rs binding for this machine, found by core/src/ffi/native.ts's ffiBindingPath() (the one
 * module that knows ffi-rs's layout), bundled and run here. Each bundle is told where it is,
 * relative to itself: resolving it through ffi-rs's package costs a millisecond of every start-up
 * that calls libc (the bundle falls back to that when it is gone).
 */
async function ffiBinding() {
  const outfile = join(packagesDir, 'core', 'dist', 'native-for-build.mjs');
  await build({
    entryPoints: [join(packagesDir, 'core', 'src', 'ffi', 'native.ts')],
    outfile,
    bundle: true,
    platform: 'node',
    format: 'esm',
    logLevel: 'warning',
  });
  try {
    return (await import(pathToFileURL(outfile).href)).ffiBindingPath();
  } finally {
    rmSync(outfile, { force: true });
  }
}
const binding = await ffiBinding();

await Promise.all(
  entries.map(({ bin, source, outfile }) =>
    build({
      entryPoints: [source],
      outfile,
      write: false,
      bundle: true,
      platform: 'node',
      format: 'cjs',
      define: {
        'import.meta.url': '__importMeta.url',
        IPCUTILS_FFI_BINDING: '__ffiBinding',
      },
      target: 'node20',
      conditions: ['source'],
      external: ['ffi-rs'],
      plugins: [lazyModule],
      minify: true,
      legalComments: 'none',
      banner: { js: banner(outfile) },
      logLevel: 'warning',
    }).then((result) => {
      const dir = dirname(outfile);
      mkdirSync(dir, { recursive: true });
      const bundle = join(dir, `${bin}.bundle.js`);
      const code = result.outputFiles[0].text;
      writeFileSync(bundle, `(function (exports, require, module, __filename, __dirname) {${code}\n})`);
      writeFileSync(outfile, loader(bin));
      chmodSync(outfile, 0o755);
      writeFileSync(join(dir, 'package.json'), '{ "type": "commonjs" }\n');
      const cache = join(dir, `${bin}.bundle.cache`);
      rmSync(cache, { force: true });
      spawnSync(
        process.execPath,
        [join(root, 'scripts/code-cache.cjs'), bundle, cache, outfile, ...(WARM_UP[bin] ?? ['--version'])],
        { stdio: 'ignore', env: { ...warmUpEnv, LC_ALL: 'C' } },
      );
      if (!existsSync(cache)) throw new Error(`${bin}: no code cache made`);
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
