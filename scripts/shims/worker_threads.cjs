// node:worker_threads as the bundled bins see it (scripts/build.mjs): loaded when a thread is first
// started. Loading it loads node's stream modules too (internal/worker/io), a cost of every start-up
// of ipcrm and ipcctl, where few runs start a thread (ipcrm -a, a wait on a POSIX queue).
'use strict';
Object.defineProperty(exports, 'Worker', {
  enumerable: true,
  get: () => require('node:worker_threads').Worker,
});
