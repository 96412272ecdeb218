/** lsfifo: FIFOs with their owner, mode, time and the processes holding them open. */
import { localTimeFor, strerror } from '@ipcutils/core';
import type { Io } from '@ipcutils/core/cli';
import { Chalk } from 'chalk';
import { colorLevel } from '../common/color.js';
import { isUtf8Locale, quoteFileName } from '../common/quote.js';
import { collectFifos } from './collect.js';
import { formatJson, formatPlain, formatTable } from './format.js';
import { parseOptions } from './options.js';

export async function main(argv: readonly string[], io: Io): Promise<number> {
  const options = parseOptions(argv, io);
  if (typeof options === 'number') return options;
  const utf8 = isUtf8Locale(io.env);
  let status = 0;
  const records = collectFifos({
    ...options,
    onError: (path, error, action) => {
      io.err(
        `${io.programName}: cannot ${action} ${quoteFileName(path, utf8)}: ${strerror(error.code ?? 'EIO')}\n`,
      );
      status = 1;
    },
  });
  // As ls: a path that could not be listed is reported alone, with no empty table after it.
  if (records.length === 0 && status !== 0) return status;
  const format = { columns: options.columns, headings: options.headings, localTime: localTimeFor(io.env.TZ) };
  if (options.json) {
    io.out(formatJson(records, format));
    return status;
  }
  const chalk = new Chalk({ level: colorLevel(io.env, io.isTerminal) });
  io.out(io.isTerminal ? await formatTable(records, format, chalk) : formatPlain(records, format, chalk));
  return status;
}
