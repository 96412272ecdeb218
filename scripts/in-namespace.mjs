#!/usr/bin/env node
// Runs a command in a private IPC + mount namespace with a fresh tmpfs on /dev/shm and its own
// mqueue mount, so tests never see or touch the host's IPC objects. Usage: in-namespace.mjs CMD [ARGS...]
import { spawnSync } from 'node:child_process';
import { chmodSync, readlinkSync, statSync } from 'node:fs';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const [command, ...args] = process.argv.slice(2);
if (!command) {
  console.error('usage: in-namespace.mjs COMMAND [ARGS...]');
  process.exit(2);
}
/**
 * Tests run commands as an unprivileged user (permission cases), who must reach the checkout's
 * node_modules and bins. A checkout below a private directory (mktemp -d makes 0700) gets
 * search permission (o+x, not read) on each blocking ancestor for the run; modes are restored after.
 */
function grantTraversal(dir) {
  const changed = [];
  for (let path = dir; ; path = dirname(path)) {
    const mode = statSync(path).mode & 0o7777;
    if ((mode & 0o001) === 0) {
      chmodSync(path, mode | 0o001);
      changed.push({ path, mode });
    }
    if (path === dirname(path)) return changed;
  }
}

const root = dirname(dirname(fileURLToPath(import.meta.url)));
const granted = grantTraversal(root);
for (const { path } of granted)
  console.error(`in-namespace: ${path}: search permission for others during the run`);

const setup = [
  'mount -t tmpfs -o mode=1777 tmpfs /dev/shm',
  'mkdir -p /dev/mqueue',
  'mount -t mqueue none /dev/mqueue',
  'exec "$@"',
].join(' && ');
const result = spawnSync(
  'unshare',
  ['--ipc', '--mount', '--propagation', 'private', '--', 'sh', '-c', setup, 'in-namespace', command, ...args],
  { stdio: 'inherit', env: { ...process.env, IPCUTILS_HOST_IPC_NS: readlinkSync('/proc/self/ns/ipc') } },
);
for (const { path, mode } of granted) chmodSync(path, mode);
if (result.error) {
  console.error(`in-namespace: ${result.error.message}`);
  process.exit(1);
}
process.exit(result.status ?? 1);
