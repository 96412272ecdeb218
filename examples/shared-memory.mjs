// Two processes share a System V segment: this one creates it, a child process attaches it and
// writes a greeting, this one reads the greeting back and removes the segment.
// Run after `bash scripts/setup.sh`:  node examples/shared-memory.mjs
import { spawnSync } from 'node:child_process';
import { attachShm, createShm, IpcError, removeShm, statShm } from '@ipcutils/core';

if (process.argv[2] === 'writer') {
  const segment = attachShm(Number(process.argv[3]));
  segment.write(0, `hello from process ${process.pid}\0`);
  segment.detach();
} else {
  const id = createShm({ size: 4096, mode: 0o600 });
  const writer = spawnSync(process.execPath, [import.meta.filename, 'writer', String(id)], {
    stdio: 'inherit',
  });
  if (writer.status !== 0) throw new Error('the writer failed');

  const segment = attachShm(id, { readOnly: true });
  const bytes = segment.read(0, 64);
  const text = bytes.subarray(0, bytes.indexOf(0)).toString();
  const { size, nattch, cpid } = statShm(id);
  segment.detach();
  console.log(
    `segment ${id}: ${size} bytes, created by ${cpid === process.pid ? 'this process' : cpid}, ${nattch} attached`,
  );
  console.log(`read back: ${text}`);

  removeShm(id);
  try {
    statShm(id);
  } catch (error) {
    if (error instanceof IpcError) console.log(`removed: statShm now fails with ${error.code}`);
  }
}
