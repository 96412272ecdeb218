#!/usr/bin/env node
// Builds what runs: every bin declared in packages/*/package.json is bundled by esbuild from
// packages/<pkg>/src/bin/<name>.ts into the declared file (ffi-rs stays external: it is native
// and loaded on first libc call); packages/core is compiled by tsc for library users.
//
// `--without MECHANISM --subdir NAME` builds the bins without one speed mechanism into
// packages/<pkg>/dist/NAME/ (where they resolve packages as the product's bins do), for
// scripts/bench.mjs to measure what it gains (see WITHOUT below); the product build never does.
import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { build } from 'esbuild';

const root = dirname(dirname(fileURLToPath(import.meta.url)));
const packagesDir = join(root, 'packages');
const { values: flags } = parseArgs({ options: { without: { type: 'string' }, subdir: { type: 'string' } } });

const entries = [];
for (const name of readdirSync(packagesDir)) {
  const dir = join(packagesDir, name);
  const manifest = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
  for (const [bin, target] of Object.entries(manifest.bin ?? {})) {
    const source = join(dir, 'src', 'bin', `${bin}.ts`);
    if (!existsSync(source)) throw new Error(`${manifest.name}: bin ${bin} has no source ${source}`);
    const outfile =
      flags.subdir === undefined ? join(dir, target) : join(dir, dirname(target), flags.subdir, `${bin}.js`);
    entries.push({ bin, source, outfile });
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
    binding === undefined || without.noBinding
      ? 'undefined'
      : `require('node:path').join(__dirname, ${JSON.stringify(relative(dirname(outfile), binding))})`;
  return [
    "const __importMeta = { get url() { return require('node:url').pathToFileURL(__filename).href; } };",
    `const __ffiBinding = ${ffiPath};`,
  ].join('\n');
}

/** Bundles import node:module through scripts/shims/module.cjs, which loads it on first use. */
const moduleShim = join(root, 'scripts/shims/module.cjs');
/** node:worker_threads, through scripts/shims/worker_threads.cjs: loaded when a thread is first started. */
const workerShim = join(root, 'scripts/shims/worker_threads.cjs');
/** yargs' node:assert, through scripts/shims/assert.cjs: the two functions it imports, loaded on first call. */
const assertShim = join(root, 'scripts/shims/assert.cjs');
const lazyModule = {
  name: 'lazy-node-module',
  setup(build) {
    build.onResolve({ filter: /^node:module$/ }, (args) =>
      args.importer === moduleShim ? { path: 'node:module', external: true } : { path: moduleShim },
    );
    build.onResolve({ filter: /^node:worker_threads$/ }, (args) =>
      args.importer === workerShim ? { path: 'node:worker_threads', external: true } : { path: workerShim },
    );
    build.onResolve({ filter: /^(node:)?assert$/ }, (args) => {
      if (args.importer === assertShim) return { path: 'node:assert', external: true };
      return /[/\\]yargs[/\\]/.test(args.importer) ? { path: assertShim } : undefined;
    });
    // string-width (yargs' cliui and wrap-ansi use two versions) makes an Intl.Segmenter and a
    // RegExp of Unicode properties as it loads: 10 to 15 ms of ICU data each, in every run of
    // ipcctl, lsfifo and rmfifo, where only yargs' help text (made for a command, never printed)
    // measures a string. Each import gets a module that loads the real one on its first call.
    build.onResolve({ filter: /^string-width$/ }, async (args) => {
      if (args.pluginData?.real) return undefined;
      const { path, errors } = await build.resolve(args.path, {
        kind: args.kind,
        importer: args.importer,
        resolveDir: args.resolveDir,
        pluginData: { real: true },
      });
      return errors.length > 0 ? { errors } : { path, namespace: 'lazy-string-width' };
    });
    build.onLoad({ filter: /.*/, namespace: 'lazy-string-width' }, (args) => ({
      contents: `'use strict';
let stringWidth;
module.exports = (string, options) => {
  if (stringWidth === undefined) {
    const loaded = require(${JSON.stringify(args.path)});
    stringWidth = typeof loaded === 'function' ? loaded : loaded.default;
  }
  return stringWidth(string, options);
};`,
      resolveDir: dirname(args.path),
      loader: 'js',
    }));
    // Edits of yargs' start-up (YARGS_EDITS), each checked to still apply.
    build.onLoad({ filter: /[/\\]yargs[/\\].*\.m?js$/ }, (args) => {
      const edits = YARGS_EDITS.filter(({ file }) => file.test(args.path));
      if (edits.length === 0) return undefined;
      let source = readFileSync(args.path, 'utf8');
      for (const { from, to } of edits) {
        if (!source.includes(from)) throw new Error(`${args.path} no longer has ${from}`);
        source = source.replace(from, to);
      }
      return { contents: source };
    });
  },
};

/**
 * What yargs does as it loads and as yargs() makes an instance that ipcctl, lsfifo and rmfifo
 * never use, and that costs each of their runs node modules it would not otherwise load:
 * - its platform shim reads process.stdout.columns as it loads, so node builds process.stdout
 *   (its stream modules, and for a pipe the net stack); only yargs' own help uses the width;
 * - yargs() calls version(), which looks for the version in the package.json files above the
 *   bundle (there is none: "unknown") through assert, and node:assert loads with process.stderr;
 * - before it runs a command (ipcctl's), yargs makes that command's help text and keeps it for a
 *   failure message or showHelp() to come, neither of which our tools print: every cell measured
 *   by string-width, and the terminal's width read from process.stdout.
 */
const YARGS_EDITS = [
  {
    file: /[/\\]platform-shims[/\\]esm\.mjs$/,
    from: "stdColumns: typeof process.stdout.columns !== 'undefined' ? process.stdout.columns : null",
    to: "get stdColumns() { return typeof process.stdout.columns !== 'undefined' ? process.stdout.columns : null; }",
  },
  {
    file: /[/\\]build[/\\]lib[/\\]yargs-factory\.js$/,
    from: 'yargs.help();\n        yargs.version();',
    to: "yargs.help();\n        yargs.version('unknown');",
  },
  {
    file: /[/\\]build[/\\]lib[/\\]usage\.js$/,
    from: 'self.cacheHelpMessage = function () {\n        cachedHelpMessage = this.help();\n    };',
    to: 'self.cacheHelpMessage = function () {};',
  },
];

/**
 * V8 options a bin's shebang gives node (the code cache is made with the same, or V8 rejects it).
 * ipcctl: `metrics --listen` is a server, and V8 lets the young generation grow to 2 × 16 MiB
 * semi-spaces when each scrape's objects of one kind (10,000 records) survive a scavenge, and
 * keeps them: 4 MiB semi-spaces keep it some 25 MiB smaller for as much CPU per scrape
 * (issue 15: a scrape of 30,000 objects in under 100 MiB; `pnpm bench --only metrics`). With any
 * V8 option, V8 rejects the code cache node ships for its own modules, so each node module a run
 * loads is compiled: 3 to 6 ms of every ipcctl run while it loaded node's stream modules at
 * start-up, none measurable since it does not (`ipcctl sem get`, 30 runs: 92.8 / 91.9 ms first
 * quartile without / with the option, 2026-12-03).
 */
const NODE_FLAGS = { ipcctl: ['--max-semi-space-size=4'] };

// With IPCUTILS_DEBUG set, and not to 0 (as runMain reads it: a run that prints the stack of an unexpected error), the loader
// compiles the bundle as a CommonJS module with node's source maps on, so the trace names the
// TypeScript files and lines (<bin>.bundle.js.map); other runs never read the map.
function loader(name) {
  return `#!/usr/bin/env -S -u NODE_EXTRA_CA_CERTS ${['node', ...(NODE_FLAGS[name] ?? [])].join(' ')}
'use strict';
// Built by scripts/build.mjs: runs ${name}.bundle.js, compiled with the code cache made at build time.
const { readFileSync } = require('node:fs');
const bundle = \`\${__dirname}/${name}.bundle.js\`;
let run;
const debug = process.env.IPCUTILS_DEBUG;
if (debug && debug !== '0') {
  process.setSourceMapsEnabled(true);
  const compiled = new (require('node:module'))(bundle, module);
  compiled.filename = bundle;
  compiled._compile(\`module.exports = \${readFileSync(bundle, 'utf8')}\`, bundle);
  run = compiled.exports;
} else {
  let cachedData;
  try {
    cachedData = readFileSync(\`\${__dirname}/${name}.bundle.cache\`);
  } catch {}
  const { Script } = require('node:vm');
  run = new Script(readFileSync(bundle, 'utf8'), { filename: bundle, cachedData }).runInThisContext();
}
run(exports, require, module, bundle, __dirname);
`;
}

/**
 * What each bin runs at build time before its code cache is written: read-only listings (of
 * this machine's objects, output discarded) where a run touches nothing, for ipcctl a command
 * line yargs parses in full and ipcctl then refuses, --version elsewhere.
 */
const WARM_UP = { ipcs: ['-a'], lsipc: ['-m'], ipcctl: ['sem', 'get', 'not-an-id'] };
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

/**
 * The speed mechanisms a bench build can leave out: each replaces the product's way by the plain
 * one (scripts/variants/ holds the plain modules) and keeps the output byte-identical.
 */
const WITHOUT = {
  // /proc/sysvipc tables parsed by the regular expressions alone.
  'wasm-scanner': { replace: [{ file: /[\\/]table-scanner\.ts$/, by: 'variants/no-table-scanner.mjs' }] },
  // Renderers collect strings and join them.
  'byte-output': {
    replace: [
      { file: /[\\/]output\.ts$/, marker: 'export class TextOutput', by: 'variants/string-output.mjs' },
    ],
  },
  // ipcrm -a removes everything on its own thread.
  'bulk-worker': {
    edit: [
      { file: /[\\/]sysv[\\/]bulk\.ts$/, from: 'WORKER_THRESHOLD = 4096', to: 'WORKER_THRESHOLD = Infinity' },
    ],
  },
  // The loader compiles the bundle as node would.
  'code-cache': { noCache: true },
  // node:module is loaded at start-up.
  'lazy-module': { eagerModule: true },
  // ffi-rs's binding is resolved through its package at run time.
  'baked-binding': { noBinding: true },
};
const without = flags.without === undefined ? {} : WITHOUT[flags.without];
if (without === undefined || (flags.without !== undefined && flags.subdir === undefined)) {
  throw new Error(`--without takes one of ${Object.keys(WITHOUT).join(', ')}, and --subdir`);
}

/** The plain modules and edits of `--without`. */
const plainModules = {
  name: 'without',
  setup(build) {
    build.onLoad({ filter: /\.ts$/ }, (args) => {
      const source = readFileSync(args.path, 'utf8');
      for (const { file, marker, by } of without.replace ?? []) {
        if (file.test(args.path) && (marker === undefined || source.includes(marker))) {
          return { contents: readFileSync(join(root, 'scripts', by), 'utf8'), loader: 'js' };
        }
      }
      for (const { file, from, to } of without.edit ?? []) {
        if (!file.test(args.path)) continue;
        if (!source.includes(from)) throw new Error(`${args.path} no longer has ${from}`);
        return { contents: source.replace(from, to), loader: 'ts' };
      }
      return undefined;
    });
  },
};

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
      plugins: [...(without.eagerModule ? [] : [lazyModule]), ...(flags.without ? [plainModules] : [])],
      minify: true,
      // Read only when a trace is printed (see loader()); the sources are the checkout's.
      sourcemap: 'external',
      sourcesContent: false,
      legalComments: 'none',
      banner: { js: banner(outfile) },
      logLevel: 'warning',
    }).then((result) => {
      const dir = dirname(outfile);
      mkdirSync(dir, { recursive: true });
      const bundle = join(dir, `${bin}.bundle.js`);
      const output = (extension) => result.outputFiles.find((file) => file.path.endsWith(extension)).text;
      // The function's head is a line of its own: the map only needs one more line at its start.
      writeFileSync(
        bundle,
        `(function (exports, require, module, __filename, __dirname) {\n${output('.js')}\n})\n//# sourceMappingURL=${bin}.bundle.js.map\n`,
      );
      const map = JSON.parse(output('.map'));
      writeFileSync(`${bundle}.map`, JSON.stringify({ ...map, mappings: `;${map.mappings}` }));
      writeFileSync(outfile, loader(bin));
      chmodSync(outfile, 0o755);
      writeFileSync(join(dir, 'package.json'), '{ "type": "commonjs" }\n');
      const cache = join(dir, `${bin}.bundle.cache`);
      rmSync(cache, { force: true });
      spawnSync(
        process.execPath,
        [
          ...(NODE_FLAGS[bin] ?? []),
          join(root, 'scripts/code-cache.cjs'),
          bundle,
          cache,
          outfile,
          ...(WARM_UP[bin] ?? ['--version']),
        ],
        { stdio: 'ignore', env: { ...warmUpEnv, LC_ALL: 'C' } },
      );
      if (!existsSync(cache)) throw new Error(`${bin}: no code cache made`);
      if (without.noCache) rmSync(cache);
    }),
  ),
);

if (flags.subdir !== undefined) {
  console.log(`built ${entries.length} bins without ${flags.without ?? 'nothing'} in dist/${flags.subdir}`);
  process.exit(0);
}
execFileSync(
  process.execPath,
  [join(root, 'node_modules/typescript/bin/tsc'), '-p', join(packagesDir, 'core/tsconfig.build.json')],
  {
    stdio: 'inherit',
  },
);
console.log(`built ${entries.length} bins and @ipcutils/core`);
