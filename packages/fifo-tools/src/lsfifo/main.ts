/** lsfifo: FIFOs with their owner, mode, time and the processes holding them open. */

import { type Context, isUtf8Locale, type Result, Transcript } from '@ipcutils/cli';
import { localTimeFor, strerror } from '@ipcutils/core';
import { settleOptions } from '../common/cli.js';
import { colorLevel } from '../common/color.js';
import { quoteFileName } from '../common/quote.js';
import { collectFifos } from './collect.js';
import { formatColumns, formatJson, formatTable } from './format.js';
import { parseOptions } from './options.js';
import { textWidth, wantsTable } from './terminal.js';

export async function main(argv: readonly string[], io: Context): Promise<Result> {
  const parsed = settleOptions(() => parseOptions(argv, io.programName), io.programName);
  if (parsed.kind === 'done') return parsed.result;
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
  if (!io.isTerminal) {
    output.out(formatColumns(records, format, { utf8 }));
    return output.result(status);
  }
  const width = io.columns || 80;
  if (wantsTable(io.env)) {
    // Loaded here only: chalk's colour detection loads node:tty, and with it node's net modules.
    const { Chalk } = await import('chalk');
    const chalk = new Chalk({ level: colorLevel(io.env, io.isTerminal) });
    const table = await formatTable(records, format, chalk);
    if (textWidth(table) <= width) {
      output.out(table);
      return output.result(status);
    }
  }
  output.out(formatColumns(records, format, { utf8, terminalWidth: width }));
  return output.result(status);
}
