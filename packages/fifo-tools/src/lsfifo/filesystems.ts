/**
 * Which directories a walk from a root does not enter: with --one-file-system (-x) every directory
 * on another filesystem than the root's; otherwise the mount points of pseudo filesystems (/proc,
 * /sys, cgroups, debugfs…), which hold no FIFOs and many entries nobody may read. A root on such a
 * filesystem is walked as asked (`lsfifo /proc/1/fd`): only its own filesystem is entered then.
 */
import { readFileSync } from 'node:fs';

/** Kernel filesystems without FIFOs (the type field of /proc/self/mountinfo). */
const PSEUDO_FILESYSTEMS = new Set([
  'autofs',
  'binfmt_misc',
  'bpf',
  'cgroup',
  'cgroup2',
  'configfs',
  'debugfs',
  'devpts',
  'efivarfs',
  'fusectl',
  'hugetlbfs',
  'mqueue',
  'nsfs',
  'proc',
  'pstore',
  'rpc_pipefs',
  'securityfs',
  'selinuxfs',
  'sysfs',
  'tracefs',
]);

/** Device numbers (st_dev) of the mounted pseudo filesystems, from /proc/self/mountinfo. */
export function pseudoFilesystemDevices(mountinfo: string): Set<bigint> {
  const devices = new Set<bigint>();
  for (const line of mountinfo.split('\n')) {
    // 36 35 98:0 /mnt1 /mnt2 rw,noatime master:1 - ext3 /dev/root rw: the type follows " - ".
    const fields = line.split(' ');
    const separator = fields.indexOf('-');
    const type = fields[separator + 1];
    const [major, minor] = (fields[2] ?? '').split(':').map(Number);
    if (separator < 0 || type === undefined || !PSEUDO_FILESYSTEMS.has(type)) continue;
    if (major === undefined || minor === undefined || Number.isNaN(major) || Number.isNaN(minor)) continue;
    devices.add(makedev(major, minor));
  }
  return devices;
}

/** glibc's makedev(): st_dev from a major and minor number. */
function makedev(major: number, minor: number): bigint {
  const ma = BigInt(major);
  const mi = BigInt(minor);
  return ((ma & 0xfffn) << 8n) | ((ma & ~0xfffn) << 32n) | (mi & 0xffn) | ((mi & ~0xffn) << 12n);
}

/** The test a walk from a root on device `rootDevice` applies to each directory below it. */
export function directoryFilter(
  rootDevice: bigint,
  oneFileSystem: boolean,
  pseudoDevices: () => Set<bigint>,
): (stat: { dev: bigint }) => boolean {
  if (oneFileSystem) return (stat) => stat.dev !== rootDevice;
  return (stat) => stat.dev !== rootDevice && pseudoDevices().has(stat.dev);
}

let cached: Set<bigint> | undefined;

/** The pseudo filesystems mounted in this process's mount namespace, read once. */
export function mountedPseudoFilesystems(): Set<bigint> {
  if (cached === undefined) {
    try {
      cached = pseudoFilesystemDevices(readFileSync('/proc/self/mountinfo', 'utf8'));
    } catch {
      cached = new Set();
    }
  }
  return cached;
}
