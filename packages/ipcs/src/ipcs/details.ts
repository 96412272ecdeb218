/** -i ID: one object in detail (util-linux print_shm/print_msg/print_sem). */
import type { LocalTime, MsgQueue, SemElement, SemSet, ShmSegment } from '@ipcutils/core';
import { CellFormatter, formatOctalAlt, formatSizeValue, joinLines, padRight } from './format.js';
import type { Resource, SizeUnit } from './options.js';
import type { IpcsSources } from './sources.js';

export function formatShmDetails(segment: ShmSegment, context: CellFormatter): string {
  const size = context.unit === 'human' ? 'size' : 'bytes';
  return joinLines([
    '',
    `Shared memory Segment shmid=${segment.id}`,
    `uid=${segment.uid}\tgid=${segment.gid}\tcuid=${segment.cuid}\tcgid=${segment.cgid}`,
    `mode=${formatOctalAlt(segment.mode)}\taccess_perms=${formatOctalAlt(segment.mode & 0o777)}`,
    `${size}=${formatSizeValue(context.unit, segment.size)}\tlpid=${segment.lpid}\tcpid=${segment.cpid}\tnattch=${segment.nattch}`,
    `att_time=${context.longTime(segment.atime)}`,
    `det_time=${context.longTime(segment.dtime)}`,
    // util-linux prints ctime() of the change time even when it is 0 (the kernel always sets it).
    `change_time=${context.alwaysTime(segment.ctime)}`,
    '',
  ]);
}

/** `queue.qbytes` is 0 when IPC_STAT was refused, as util-linux leaves it. */
export function formatMsgDetails(queue: MsgQueue, context: CellFormatter): string {
  const human = context.unit === 'human';
  return joinLines([
    '',
    `Message Queue msqid=${queue.id}`,
    `uid=${queue.uid}\tgid=${queue.gid}\tcuid=${queue.cuid}\tcgid=${queue.cgid}\tmode=${formatOctalAlt(queue.mode)}`,
    `${human ? 'csize' : 'cbytes'}=${formatSizeValue(context.unit, queue.cbytes)}\t${human ? 'qsize' : 'qbytes'}=${formatSizeValue(context.unit, queue.qbytes ?? 0)}\tqnum=${queue.qnum}\tlspid=${queue.lspid}\tlrpid=${queue.lrpid}`,
    `send_time=${context.longTime(queue.stime)}`,
    `rcv_time=${context.longTime(queue.rtime)}`,
    `change_time=${context.longTime(queue.ctime)}`,
    '',
  ]);
}

export function formatSemDetails(
  set: SemSet,
  elements: readonly SemElement[],
  context: CellFormatter,
): string {
  const lines = [
    '',
    `Semaphore Array semid=${set.id}`,
    `uid=${set.uid}\t gid=${set.gid}\t cuid=${set.cuid}\t cgid=${set.cgid}`,
    `mode=${formatOctalAlt(set.mode)}, access_perms=${formatOctalAlt(set.mode & 0o777)}`,
    `nsems = ${set.nsems}`,
    `otime = ${context.longTime(set.otime)}`,
    `ctime = ${context.alwaysTime(set.ctime)}`,
    ['semnum', 'value', 'ncount', 'zcount', 'pid'].map((title) => padRight(title, 10)).join(' '),
  ];
  elements.forEach((element, num) => {
    lines.push(
      [num, element.semval, element.ncount, element.zcount, element.pid]
        .map((n) => padRight(String(n), 10))
        .join(' '),
    );
  });
  lines.push('');
  return joinLines(lines);
}

/** The -i text of one object, or undefined when there is no object with that id. */
export function describeObject(
  request: { resource: Resource; id: number; unit: SizeUnit; localTime?: LocalTime },
  sources: IpcsSources,
): string | undefined {
  // util-linux reads a negative id as "every object" and shows the first (or crashes, for -s);
  // no object has a negative id, so it is simply not found (DECISIONS.md, fix 3).
  if (request.id < 0) return undefined;
  const context = new CellFormatter({
    unit: request.unit,
    userName: (uid) => sources.userName(uid),
    groupName: (gid) => sources.groupName(gid),
    localTime: request.localTime,
  });
  switch (request.resource) {
    case 'msg': {
      const queue = sources.msgQueue(request.id);
      return queue && formatMsgDetails(queue, context);
    }
    case 'shm': {
      const segment = sources.shmSegment(request.id);
      return segment && formatShmDetails(segment, context);
    }
    case 'sem': {
      const found = sources.semSet(request.id);
      return found && formatSemDetails(found.set, found.elements, context);
    }
  }
}
