#!/usr/bin/env node
// Runs a command in a private IPC + mount namespace with a fresh tmpfs on /dev/shm and its own
// mqueue mount, so tests never see or touch the host's IPC objects. Usage: in-namespace.mjs CMD [ARGS...]
import { spawnSync } from 'node:child_process';
import { readlinkSync } from 'node:fs';

const [command, ...args] = process.argv.slice(2);
if (!command) {
  console.error('usage: in-namespace.mjs COMMAND [ARGS...]');
  process.exit(2);
}
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
if (result.error) {
  console.error(`in-namespace: ${result.error.message}`);
  process.exit(1);
}
process.exit(result.status ?? 1);
