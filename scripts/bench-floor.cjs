'use strict';
// The floor of a listing in Node: node starts, reads each /proc file named on the command line to
// its end (64 KiB reads, as ours do), and exits, with no parsing and no output. No JavaScript
// lsipc can take less; scripts/bench.mjs sets it beside util-linux's time for the same listing.
const { closeSync, openSync, readSync } = require('node:fs');

const buffer = Buffer.allocUnsafe(1 << 16);
for (const path of process.argv.slice(2)) {
  const fd = openSync(path, 'r');
  while (readSync(fd, buffer, 0, buffer.length, null) > 0);
  closeSync(fd);
}
