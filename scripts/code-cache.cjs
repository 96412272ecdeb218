// Makes the V8 code cache of a bin's bundle (scripts/build.mjs): compiles the bundle as the bin's
// loader does, runs it once with ARGS (its output discarded by the caller) so that the functions
// it calls are compiled too, and writes the cache at exit.
// Usage: node code-cache.cjs BUNDLE CACHE LOADER [ARGS...]
'use strict';
const { readFileSync, writeFileSync } = require('node:fs');
const { dirname } = require('node:path');
const { Script } = require('node:vm');

const [bundle, cache, loader, ...args] = process.argv.slice(2);
const script = new Script(readFileSync(bundle, 'utf8'), { filename: bundle });
process.argv = [process.argv[0], loader, ...args];
process.on('exit', () => writeFileSync(cache, script.createCachedData()));
script.runInThisContext()(exports, require, module, bundle, dirname(bundle));
