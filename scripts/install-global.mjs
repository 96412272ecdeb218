#!/usr/bin/env node
// Installs every tool of the suite with npm, from this clone, as `npm install --global` would
// install them from a registry: `node scripts/install-global.mjs [--prefix DIR]` (DIR defaults
// to npm's global prefix). Run `pnpm run build` first.
//
// Every package that declares bins is packed (its built dist/ only) and all the tarballs are given
// to one `npm install --global`: npm links the bins into DIR/bin and the manual pages into
// DIR/share/man, and fetches ffi-rs, the one dependency not bundled. The completions have no npm
// field: they are linked into DIR/share/{bash-completion/completions,zsh/site-functions,
// fish/vendor_completions.d}, where the shells look when DIR is /usr/local (or ~/.local for bash).
//
// `node scripts/install-global.mjs --uninstall [--prefix DIR]` runs `npm uninstall --global` of the
// same packages and removes those links. A plain `npm uninstall --global <packages>` removes the
// bins and pages and leaves the links dangling, which the shells skip.
//
// As npm does for bins, a file at a completion's place that is not our link (util-linux's own
// completion under --prefix /usr, another tool's) is never replaced or removed: the install stops
// before anything is installed and names it.
import { execFileSync } from 'node:child_process';
import {
  existsSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  rmSync,
  symlinkSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const root = dirname(dirname(fileURLToPath(import.meta.url)));
const { values } = parseArgs({
  options: { prefix: { type: 'string' }, uninstall: { type: 'boolean', default: false } },
});
const npm = (args, options = {}) => run('npm', args, options);
const prefix = values.prefix ?? npm(['prefix', '--global']).trim();
const prefixArgs = ['--global', '--prefix', prefix];

/** The directory the packages are packed into, removed however the install ends. */
let staging;

/** Says why in one line (no stack trace) and exits, leaving no packed tarballs behind. */
function fail(message, status = 1) {
  console.error(`install-global: ${message}`);
  if (staging !== undefined) rmSync(staging, { recursive: true, force: true });
  process.exit(status);
}

/** Runs a command; when it fails (it has said why on its standard error), so does the install. */
function run(file, args, options = {}) {
  try {
    return execFileSync(file, args, { encoding: 'utf8', ...options });
  } catch (error) {
    return fail(
      `${file} ${args[0]} failed${error.status ? ` (exit status ${error.status})` : `: ${error.message}`}`,
      error.status || 1,
    );
  }
}

const packages = readdirSync(join(root, 'packages'))
  .map((name) => ({ dir: join(root, 'packages', name) }))
  .map((p) => ({ ...p, manifest: JSON.parse(readFileSync(join(p.dir, 'package.json'), 'utf8')) }))
  .filter((p) => Object.keys(p.manifest.bin ?? {}).length > 0);

/** Where the shells look for completions under the prefix (the layout of dist/share). */
const SHARE = ['bash-completion/completions', 'zsh/site-functions', 'fish/vendor_completions.d'];

/** The completion links of the packages, [link, target] pairs: one per file of dist/share. */
function completionLinks() {
  const links = [];
  for (const { manifest, dir } of packages) {
    const installed = join(prefix, 'lib', 'node_modules', manifest.name, 'dist', 'share');
    for (const sub of SHARE) {
      const built = join(dir, 'dist', 'share', sub);
      for (const file of existsSync(built) ? readdirSync(built) : []) {
        links.push([join(prefix, 'share', sub, file), join(installed, sub, file)]);
      }
    }
  }
  return links;
}

/** What is at a completion's place: nothing, our link (dangling or not), or something else. */
function occupant(link, target) {
  const stat = lstatSync(link, { throwIfNoEntry: false });
  if (stat === undefined) return 'none';
  return stat.isSymbolicLink() && readlinkSync(link) === relative(dirname(link), target) ? 'ours' : 'other';
}

function removeLinks() {
  for (const [link, target] of completionLinks()) {
    if (occupant(link, target) === 'ours') rmSync(link);
  }
}

if (values.uninstall) {
  removeLinks();
  npm(['uninstall', ...prefixArgs, ...packages.map((p) => p.manifest.name)], { stdio: 'inherit' });
} else {
  for (const { manifest, dir } of packages) {
    for (const bin of Object.values(manifest.bin)) {
      if (!existsSync(join(dir, bin))) fail(`${manifest.name} is not built: run pnpm run build`);
    }
  }
  const taken = completionLinks().filter(([link, target]) => occupant(link, target) === 'other');
  for (const [link] of taken)
    console.error(`install-global: ${link} exists and is not ours: not replacing it`);
  if (taken.length > 0) fail('nothing installed (move those files away, or choose another --prefix)');
  staging = mkdtempSync(join(tmpdir(), 'ipcutils-pack-'));
  try {
    // pnpm packs: it writes the versions of workspace: and catalog: dependencies into the manifest.
    const pnpm = process.env.npm_execpath?.includes('pnpm')
      ? [process.execPath, process.env.npm_execpath]
      : ['pnpm'];
    for (const { dir } of packages) {
      run(pnpm[0], [...pnpm.slice(1), 'pack', '--pack-destination', staging], { cwd: dir, stdio: 'ignore' });
    }
    const tarballs = readdirSync(staging).map((file) => join(staging, file));
    npm(['install', ...prefixArgs, '--no-fund', '--no-audit', ...tarballs], { stdio: 'inherit' });
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
  removeLinks();
  for (const [link, target] of completionLinks()) {
    mkdirSync(dirname(link), { recursive: true });
    symlinkSync(relative(dirname(link), target), link);
  }
  const bins = packages.flatMap((p) => Object.keys(p.manifest.bin));
  console.log(
    `installed ${bins.join(', ')} into ${join(prefix, 'bin')}, with their manual pages and completions`,
  );
}
