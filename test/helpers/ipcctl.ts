import { chmodSync, existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { root } from './bins.js';
import { IpcNamespace } from './namespace.js';

/**
 * What ipcctl's end-to-end tests run in: the built bin (checked first), a private IPC, mount and
 * pid namespace, and a scratch directory named `prefix…` that other users may enter.
 */
export async function ipcctlWorkspace(prefix: string): Promise<{ ns: IpcNamespace; work: string }> {
  if (!existsSync(join(root, 'packages/ipcctl/dist/ipcctl.js'))) {
    throw new Error('ipcctl is not built: run node scripts/build.mjs first');
  }
  const ns = await IpcNamespace.create({ pid: true });
  const work = mkdtempSync(join(tmpdir(), prefix));
  chmodSync(work, 0o755);
  return { ns, work };
}
