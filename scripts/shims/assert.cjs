// node:assert as the bundled bins see it (scripts/build.mjs): yargs calls strictEqual and
// notStrictEqual on every parse, and node:assert sets up node's colour detection and a stderr
// stream when it loads; it is loaded only for an assertion that fails, to throw node's own error.
'use strict';
exports.strictEqual = (actual, expected, message) => {
  if (!Object.is(actual, expected)) require('node:assert').strictEqual(actual, expected, message);
};
exports.notStrictEqual = (actual, expected, message) => {
  if (Object.is(actual, expected)) require('node:assert').notStrictEqual(actual, expected, message);
};
