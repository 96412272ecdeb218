import { describe, expect, it } from 'vitest';
import { directoryFilter, pseudoFilesystemDevices } from '../../src/lsfifo/filesystems.js';

const MOUNTINFO = [
  '22 28 0:21 / /proc rw,nosuid,nodev,noexec,relatime shared:13 - proc proc rw',
  '23 28 0:22 / /sys rw,nosuid,nodev,noexec,relatime shared:2 - sysfs sysfs rw',
  '28 1 259:2 / / rw,relatime shared:1 - ext4 /dev/nvme0n1p2 rw',
  '30 23 0:26 / /sys/fs/cgroup rw,nosuid shared:4 - cgroup2 cgroup2 rw,nsdelegate',
  '31 28 0:5 / /dev rw,nosuid shared:8 - devtmpfs udev rw,size=4096k',
  '40 28 0:30 / /run rw,nosuid,nodev shared:5 - tmpfs tmpfs rw',
  // Optional fields before the separator, a major number above 255 and a minor above 255.
  '41 28 300:70000 / /x rw master:1 shared:7 - debugfs debugfs rw',
  '',
].join('\n');

describe('pseudoFilesystemDevices', () => {
  it('takes the st_dev of proc, sysfs, cgroup2, debugfs… and not of disks or tmpfs', () => {
    const devices = pseudoFilesystemDevices(MOUNTINFO);
    // glibc's makedev(): minor's low byte, major's 12 bits, then minor's high bits, major's high bits.
    const debugfs = (70000n & 0xffn) | ((300n & 0xfffn) << 8n) | ((70000n & ~0xffn) << 12n);
    expect([...devices].sort()).toEqual([21n, 22n, 26n, debugfs].sort());
  });
});

describe('directoryFilter', () => {
  const pseudo = () => new Set([21n]);

  it('skips pseudo filesystems below a root, and nothing else, without -x', () => {
    const skip = directoryFilter(2050n, false, pseudo);
    expect(skip({ dev: 21n })).toBe(true);
    expect(skip({ dev: 30n })).toBe(false);
    expect(skip({ dev: 2050n })).toBe(false);
  });

  it('walks a pseudo filesystem named as the root', () => {
    expect(directoryFilter(21n, false, pseudo)({ dev: 21n })).toBe(false);
  });

  it('-x: every other filesystem is skipped', () => {
    const skip = directoryFilter(2050n, true, pseudo);
    expect(skip({ dev: 30n })).toBe(true);
    expect(skip({ dev: 21n })).toBe(true);
    expect(skip({ dev: 2050n })).toBe(false);
  });
});
