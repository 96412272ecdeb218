// node:assert as the bundled bins see it (scripts/build.mjs): yargs imports strictEqual and
// notStrictEqual at start-up but calls them only on its own misuse, and node:assert sets up
// node's colour detection and a stderr stream when loaded; it is loaded on first call instead.
'use strict';
exports.strictEqual = (...args) => require('node:assert').strictEqual(...args);
exports.notStrictEqual = (...args) => require('node:assert').notStrictEqual(...args);
