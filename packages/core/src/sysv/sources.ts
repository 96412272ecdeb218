/**
 * Where the System V listings and limits come from, decided once (util-linux ipcutils.c):
 * /proc/sysvipc and /proc/sys/kernel when they can be read, else the kernel's *_STAT_ANY loop
 * and IPC_INFO. The syscall fallbacks throw IpcError when the kernel lacks that IPC type.
 */
import { readMsgLimitsFromProc, readSemLimitsFromProc, readShmLimitsFromProc } from '../proc/limits.js';
import { readMsgQueues, readSemSets, readShmSegments } from '../proc/sysvipc.js';
import type { MsgLimits, MsgQueue, SemLimits, SemSet, ShmLimits, ShmSegment } from '../types.js';
import {
  listMsgQueuesBySyscall,
  listSemSetsBySyscall,
  listShmSegmentsBySyscall,
  msgLimitsFromKernel,
  semLimitsFromKernel,
  shmLimitsFromKernel,
} from './info.js';

/** Every segment of the IPC namespace (/proc/sysvipc lists them whatever their permissions). */
export function listShmSegments(): ShmSegment[] {
  return readShmSegments() ?? listShmSegmentsBySyscall();
}

export function listMsgQueues(): MsgQueue[] {
  return readMsgQueues() ?? listMsgQueuesBySyscall();
}

export function listSemSets(): SemSet[] {
  return readSemSets() ?? listSemSetsBySyscall();
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
