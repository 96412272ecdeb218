/**
 * Where the System V listings and limits come from, decided once (util-linux ipcutils.c):
 * /proc/sysvipc and /proc/sys/kernel when they can be read, else the kernel's *_STAT loop and
 * IPC_INFO. The syscall fallbacks throw IpcError when the kernel lacks that IPC type.
 */
import { readMsgLimitsFromProc, readSemLimitsFromProc, readShmLimitsFromProc } from '../proc/limits.js';
import { readMsgQueues, readSemSets, readShmSegments, readShmUsage } from '../proc/sysvipc.js';
import type { MsgLimits, MsgQueue, SemLimits, SemSet, ShmLimits, ShmSegment, ShmUsage } from '../types.js';
import {
  listMsgQueuesBySyscall,
  listSemSetsBySyscall,
  listShmSegmentsBySyscall,
  msgLimitsFromKernel,
  type SyscallListing,
  semLimitsFromKernel,
  shmLimitsFromKernel,
} from './info.js';

export interface ListOptions {
  /**
   * Without /proc/sysvipc: 'readable' (the default) lists what the caller may read, as
   * util-linux does (its fallback uses XXX_STAT); 'any' every object (XXX_STAT_ANY, Linux 4.17+).
   * /proc/sysvipc lists every object of the namespace whatever its permissions.
   */
  fallback?: SyscallListing;
}

export function listShmSegments(options: ListOptions = {}): ShmSegment[] {
  return readShmSegments() ?? listShmSegmentsBySyscall(options.fallback ?? 'readable');
}

/** How many segments listShmSegments() would list, and their total size. */
export function getShmUsage(options: ListOptions = {}): ShmUsage {
  return readShmUsage() ?? shmUsageOf(listShmSegmentsBySyscall(options.fallback ?? 'readable'));
}

/** The usage of listed segments (the syscall fallback lists them anyway). */
function shmUsageOf(segments: readonly ShmSegment[]): ShmUsage {
  return {
    segments: segments.length,
    bytes: segments.reduce((sum, segment) => sum + BigInt(segment.size), 0n),
  };
}

export function listMsgQueues(options: ListOptions = {}): MsgQueue[] {
  return readMsgQueues() ?? listMsgQueuesBySyscall(options.fallback ?? 'readable');
}

export function listSemSets(options: ListOptions = {}): SemSet[] {
  return readSemSets() ?? listSemSetsBySyscall(options.fallback ?? 'readable');
}

export function getShmLimits(): ShmLimits {
  return readShmLimitsFromProc() ?? shmLimitsFromKernel();
}

export function getMsgLimits(): MsgLimits {
  return readMsgLimitsFromProc() ?? msgLimitsFromKernel();
}

export function getSemLimits(): SemLimits {
  return readSemLimitsFromProc() ?? semLimitsFromKernel();
}
