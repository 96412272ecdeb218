/**
 * The output of ipcs without -i: an empty line, then each selected resource's section in the
 * fixed order msg, shm, sem, each followed by an empty line (util-linux main()).
 */

import type { LocalTime } from '@ipcutils/core';
import { formatCreators } from './creator.js';
import { CellFormatter } from './format.js';
import { formatMsgLimits, formatSemLimits, formatShmLimits } from './limits.js';
import { formatMsgList, formatSemList, formatShmList } from './list.js';
import type { Resource, SizeUnit, View } from './options.js';
import { formatMsgPids, formatSemPids, formatShmPids } from './pid.js';
import type { IpcsSources } from './sources.js';
import { formatMsgSummary, formatSemSummary, formatShmSummary } from './summary.js';
import { formatMsgTimes, formatSemTimes, formatShmTimes } from './time.js';

export interface ReportRequest {
  resources: readonly Resource[];
  view: View;
  unit: SizeUnit;
  /** localtime() of the TZ to print times in. */
  localTime?: LocalTime;
}

export function formatReport(request: ReportRequest, sources: IpcsSources): string {
  const context = new CellFormatter({
    unit: request.unit,
    userName: (uid) => sources.userName(uid),
    groupName: (gid) => sources.groupName(gid),
    localTime: request.localTime,
  });
  const parts = ['\n'];
  for (const resource of request.resources) {
    parts.push(formatSection(resource, request.view, sources, context), '\n');
  }
  return parts.join('');
}

function formatSection(resource: Resource, view: View, sources: IpcsSources, context: CellFormatter): string {
  switch (resource) {
    case 'msg':
      return formatMsgSection(view, sources, context);
    case 'shm':
      return formatShmSection(view, sources, context);
    case 'sem':
      return formatSemSection(view, sources, context);
  }
}

function formatMsgSection(view: View, sources: IpcsSources, context: CellFormatter): string {
  switch (view) {
    case 'limits':
      return formatMsgLimits(sources.msgLimits(), context.unit);
    case 'summary':
      return formatMsgSummary(sources.msgSummary(), context.unit);
    case 'creator':
      return formatCreators('msg', sources.msgQueues(), context);
    case 'time':
      return formatMsgTimes(sources.msgQueues(), context);
    case 'pid':
      return formatMsgPids(sources.msgQueues(), context);
    case 'list':
      return formatMsgList(sources.msgQueues(), context);
  }
}

function formatShmSection(view: View, sources: IpcsSources, context: CellFormatter): string {
  switch (view) {
    case 'limits':
      return formatShmLimits(sources.shmLimits(), context.unit, sources.pageSize());
    case 'summary':
      return formatShmSummary(sources.shmSummary());
    case 'creator':
      return formatCreators('shm', sources.shmSegments(), context);
    case 'time':
      return formatShmTimes(sources.shmSegments(), context);
    case 'pid':
      return formatShmPids(sources.shmSegments(), context);
    case 'list':
      return formatShmList(sources.shmSegments(), context);
  }
}

function formatSemSection(view: View, sources: IpcsSources, context: CellFormatter): string {
  switch (view) {
    case 'limits':
      return formatSemLimits(sources.semLimits());
    case 'summary':
      return formatSemSummary(sources.semSummary());
    case 'creator':
      return formatCreators('sem', sources.semSets(), context);
    case 'time':
      return formatSemTimes(sources.semSets(), context);
    case 'pid':
      return formatSemPids();
    case 'list':
      return formatSemList(sources.semSets(), context);
  }
}
