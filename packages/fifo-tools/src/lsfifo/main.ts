/** lsfifo: FIFOs with their owner, mode, time and the processes holding them open. */

import {
  type Context,
  isUtf8Locale,
  printed,
  type Result,
  Transcript,
  UsageError,
  usageFailure,
} from '@ipcutils/cli';
import { localTimeFor, strerror } from '@ipcutils/core';
import { Chalk } from 'chalk';
import { colorLevel } from '../common/color.js';
import { quoteFileName } from '../common/quote.js';
import { collectFifos } from './collect.js';
import { formatJson, formatPlain, formatTable } from './format.js';
import { parseOptions } from './options.js';
import { fitColumns, textWidth, wantsTable } from './terminal.js';

export async function main(argv: readonly string[], io: Context): Promise<Result> {
  let parsed: ReturnType<typeof parseOptions>;
  try {
    parsed = parseOptions(argv, io.programName);
  } catch (error) {
    if (error instanceof UsageError) return usageFailure(error, io.programName);
    throw error;
  }
  if (parsed.kind === 'print') return printed(parsed.text);
  const { options } = parsed;
  const output = new Transcript();
  const utf8 = isUtf8Locale(io.env);
  let status = 0;
  const records = collectFifos({
    ...options,
    onError: (path, error, action) => {
      output.err(
        `${io.programName}: cannot ${action} ${quoteFileName(path, utf8)}: ${strerror(error.code ?? 'EIO')}\n`,
      );
      status = 1;
    },
  });
  // As ls: a path that could not be listed is reported alone, with no empty table after it.
  if (records.length === 0 && status !== 0) return output.result(status);
  const format = { columns: options.columns, headings: options.headings, localTime: localTimeFor(io.env.TZ) };
  if (options.json) {
    output.out(formatJson(records, format));
    return output.result(status);
  }
  const chalk = new Chalk({ level: colorLevel(io.env, io.isTerminal) });
  if (!io.isTerminal) {
    output.out(formatPlain(records, format, chalk));
    return output.result(status);
  }
  const width = io.columns || 80;
  if (wantsTable(io.env)) {
    const table = await formatTable(records, format, chalk);
    if (textWidth(table) <= width) {
      output.out(table);
      return output.result(status);
    }
  }
  output.out(fitColumns(records, format, width, utf8));
  return output.result(status);
}
