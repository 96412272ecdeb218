/**
 * System V and POSIX IPC limits from /proc/sys. Like util-linux, /proc is used only when every
 * file of a resource exists; otherwise the caller asks the kernel with IPC_INFO. A file that exists
 * but does not parse counts as missing (util-linux would print "unable to fetch … limits").
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  PATH_PROC_IPC_MSGMAX,
  PATH_PROC_IPC_MSGMNB,
  PATH_PROC_IPC_MSGMNI,
  PATH_PROC_IPC_SEM,
  PATH_PROC_IPC_SHMALL,
  PATH_PROC_IPC_SHMMAX,
  PATH_PROC_IPC_SHMMNI,
  PATH_PROC_MQUEUE_MSG_MAX,
  PATH_PROC_MQUEUE_MSGSIZE_MAX,
  PATH_PROC_MQUEUE_QUEUES_MAX,
} from '../paths.js';
import type { MsgLimits, PosixMqLimits, SemLimits, ShmLimits } from '../types.js';

// The kernel's own SHMMIN and SEMVMX: constants, not tunables, so /proc has no file for them.
const SHMMIN = 1n;
const SEMVMX = 32767;

/** shmmni, shmmax and shmall (pages); undefined unless all three files can be read. */
export function readShmLimitsFromProc(root = '/'): ShmLimits | undefined {
  const paths = [PATH_PROC_IPC_SHMMNI, PATH_PROC_IPC_SHMMAX, PATH_PROC_IPC_SHMALL];
  const [shmmni, shmmax, shmall] = paths.map((path) => readU64(join(root, path)));
  if (shmmni === undefined || shmmax === undefined || shmall === undefined) return undefined;
  return { shmmni, shmmax, shmall, shmmin: SHMMIN };
}

/** The four values of /proc/sys/kernel/sem ("SEMMSL\tSEMMNS\tSEMOPM\tSEMMNI"); undefined unless all four parse. */
export function readSemLimitsFromProc(root = '/'): SemLimits | undefined {
  const fields = readText(join(root, PATH_PROC_IPC_SEM))?.trim().split(/\s+/);
  if (fields?.length !== 4) return undefined;
  const [semmsl, semmns, semopm, semmni] = fields.map(parseInt32);
  if (semmsl === undefined || semmns === undefined || semopm === undefined || semmni === undefined) {
    return undefined;
  }
  return { semmni, semmsl, semmns, semopm, semvmx: SEMVMX };
}

/** msgmni, msgmax and msgmnb; undefined unless all three files can be read. */
export function readMsgLimitsFromProc(root = '/'): MsgLimits | undefined {
  const msgmni = parseInt32(readText(join(root, PATH_PROC_IPC_MSGMNI))?.trim());
  const msgmax = readU64(join(root, PATH_PROC_IPC_MSGMAX));
  const msgmnb = readU64(join(root, PATH_PROC_IPC_MSGMNB));
  if (msgmni === undefined || msgmax === undefined || msgmnb === undefined) return undefined;
  return { msgmni, msgmax, msgmnb };
}

/** /proc/sys/fs/mqueue limits, each 0 when its file is missing or unreadable (as util-linux). */
export function readPosixMqLimits(root = '/'): PosixMqLimits {
  const read = (path: string) => Number(readU64(join(root, path)) ?? 0n);
  return {
    queuesMax: read(PATH_PROC_MQUEUE_QUEUES_MAX),
    msgMax: read(PATH_PROC_MQUEUE_MSG_MAX),
    msgsizeMax: read(PATH_PROC_MQUEUE_MSGSIZE_MAX),
  };
}

function readText(path: string): string | undefined {
  try {
    return readFileSync(path, 'latin1');
  } catch {
    return undefined;
  }
}

/** An unsigned decimal file such as shmmax (the kernel prints unsigned long with %lu). */
function readU64(path: string): bigint | undefined {
  const text = readText(path)?.trim();
  if (text === undefined || !/^\d{1,20}$/.test(text)) return undefined;
  const value = BigInt(text);
  return value <= 0xffff_ffff_ffff_ffffn ? value : undefined;
}

function parseInt32(text: string | undefined): number | undefined {
  if (text === undefined || !/^[-+]?\d{1,10}$/.test(text)) return undefined;
  const value = Number(text);
  return value >= -0x8000_0000 && value <= 0x7fff_ffff ? value : undefined;
}
