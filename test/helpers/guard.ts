// Vitest setup file: refuses to run tests in the host's IPC namespace, where they would create
// and remove real objects. `pnpm test` runs vitest through scripts/in-namespace.mjs.
import { readlinkSync } from 'node:fs';

// The launcher records the namespace it started in; ours must be a different one.
const host = process.env.IPCUTILS_HOST_IPC_NS;
if (!host || readlinkSync('/proc/self/ns/ipc') === host) {
  throw new Error(
    'tests must run in a private IPC namespace: use `pnpm test` or `node scripts/in-namespace.mjs npx vitest run`',
  );
}
