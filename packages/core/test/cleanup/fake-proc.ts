/** A stand-in /proc for the cleanup tests: stat and auxv, and processes with stat, comm, maps, ns and fds. */
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface FakeProcess {
  pid: number;
  command?: string;
  /** Start in clock ticks since boot (field 22). */
  startTicks?: number;
  state?: string;
  maps?: string;
  /** The link text of /proc/PID/ns/ipc; undefined leaves it out. */
  ipcNamespace?: string;
  /** fd number → file it points to. */
  fds?: Record<number, string>;
}

export const BOOT_TIME = 1_700_000_000;
export const OUR_NAMESPACE = 'ipc:[4026531839]';

export class FakeProc {
  readonly root: string;

  constructor(options: { clockTicks?: number } = {}) {
    this.root = mkdtempSync(join(tmpdir(), 'fake-proc-'));
    writeFileSync(join(this.root, 'stat'), `cpu  1 2 3\nbtime ${BOOT_TIME}\nprocesses 5\n`);
    mkdirSync(join(this.root, 'self', 'ns'), { recursive: true });
    const auxv = Buffer.alloc(48);
    auxv.writeBigUInt64LE(6n, 0);
    auxv.writeBigUInt64LE(4096n, 8);
    auxv.writeBigUInt64LE(17n, 16);
    auxv.writeBigUInt64LE(BigInt(options.clockTicks ?? 100), 24);
    writeFileSync(join(this.root, 'self', 'auxv'), auxv);
    symlinkSync(OUR_NAMESPACE, join(this.root, 'self', 'ns', 'ipc'));
  }

  add(process: FakeProcess): void {
    const dir = join(this.root, String(process.pid));
    mkdirSync(join(dir, 'ns'), { recursive: true });
    const command = process.command ?? 'sleep';
    const fields = [
      process.state ?? 'S',
      ...Array.from({ length: 18 }, () => '0'),
      String(process.startTicks ?? 0),
      '0',
    ];
    writeFileSync(join(dir, 'stat'), `${process.pid} (${command}) ${fields.join(' ')}\n`);
    writeFileSync(join(dir, 'comm'), `${command}\n`);
    if (process.ipcNamespace !== undefined) symlinkSync(process.ipcNamespace, join(dir, 'ns', 'ipc'));
    writeFileSync(join(dir, 'maps'), process.maps ?? '');
    mkdirSync(join(dir, 'fd'));
    mkdirSync(join(dir, 'fdinfo'));
    for (const [fd, target] of Object.entries(process.fds ?? {})) {
      symlinkSync(target, join(dir, 'fd', fd));
      writeFileSync(join(dir, 'fdinfo', fd), 'pos:\t0\nflags:\t0100002\nmnt_id:\t1\n');
    }
  }

  remove(): void {
    rmSync(this.root, { recursive: true, force: true });
  }
}
