import { describe, expect, it } from 'vitest';
import { NOBODY, withNamespace } from './namespace.js';

describe('private namespaces', () => {
  it('isolates System V objects, /dev/shm and /dev/mqueue from the host', async () => {
    const hostShm = (await import('node:fs')).readFileSync('/proc/sysvipc/shm', 'utf8');
    await withNamespace(async (ns) => {
      const made = await ns.sh(
        'ipcmk -M 4096 && touch /dev/shm/probe && ls /dev/shm && ipcs -m | grep -c 4096',
      );
      expect(made.status).toBe(0);
      expect(made.stdout).toMatch(/^Shared memory id: 0\nprobe\n1\n$/);
      const mounts = await ns.run('stat', ['-f', '-c', '%T', '/dev/shm', '/dev/mqueue']);
      expect(mounts.stdout).toBe('tmpfs\nmqueue\n');
    });
    expect((await import('node:fs')).readFileSync('/proc/sysvipc/shm', 'utf8')).toBe(hostShm);
  });

  it('runs commands as an unprivileged user', async () => {
    await withNamespace(async (ns) => {
      const who = await ns.run('id', ['-u'], { user: NOBODY });
      expect(who.stdout).toBe('65534\n');
    });
  });

  it('gives a private pid namespace when asked', async () => {
    await withNamespace(
      async (ns) => {
        const pid = await ns.sh('echo $$');
        expect(Number(pid.stdout)).toBeLessThan(100);
      },
      { pid: true },
    );
  });
});
