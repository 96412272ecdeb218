// node:module as the bundled bins see it (scripts/build.mjs): loaded when createRequire() is first
// called rather than at start-up, where it cost ~0.3 ms of every run that never needs it.
'use strict';
exports.createRequire = (from) => require('node:module').createRequire(from);
