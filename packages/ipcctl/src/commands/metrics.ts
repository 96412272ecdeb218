/**
 * ipcctl metrics: IPC usage in the Prometheus text format, printed once, written for
 * node_exporter's textfile collector (--textfile), or served over HTTP (--listen). The metrics
 * code and prom-client are loaded only here: other commands never pay for them.
 */
import { strerror } from '@ipcutils/core';
import { type Command, expectOperands, type Host, refuseTogether, stringOption } from '../command.js';
import type { ListenAddress } from '../metrics/serve.js';
import { parseInteger } from '../parse.js';
import { type Chunk, Failure, type Result, success, UsageError } from '../result.js';

/** Queues with series of their own by default: enough for a dashboard, bounded for Prometheus. */
const DEFAULT_TOP = 10;
const MAX_TOP = 100_000;

export const metrics: Command = {
  synopsis: '[--top N] [--textfile FILE | --listen [ADDR:]PORT]',
  summary: 'print IPC usage as Prometheus metrics, write them for node_exporter, or serve them',
  options: {
    top: { type: 'string', requiresArg: true },
    textfile: { type: 'string', requiresArg: true },
    listen: { type: 'string', requiresArg: true },
  },
  async run(args, context) {
    expectOperands(args, 0, 0, '');
    refuseTogether(args, 'textfile', 'listen');
    const topText = stringOption(args, 'top');
    const top = topText === undefined ? DEFAULT_TOP : parseInteger(topText, 'number of queues', 0, MAX_TOP);
    const listenText = stringOption(args, 'listen');
    const address = listenText === undefined ? undefined : parseListenAddress(listenText);
    const textfile = stringOption(args, 'textfile');
    if (textfile === '') throw new UsageError("invalid file name: ''");

    const { scrape } = await import('../metrics/scrape.js');
    if (address !== undefined) return serve(address, listenText!, () => scrape({ top }), context.host);
    const { text } = await scrape({ top });
    if (textfile === undefined) return success(text);
    const { writeTextfile } = await import('../metrics/textfile.js');
    try {
      writeTextfile(textfile, text);
    } catch (error) {
      throw new Failure(`cannot write ${textfile}: ${reasonOf(error)}`);
    }
    return success();
  },
};

/** `PORT`, `:PORT`, `ADDR:PORT` or `[IPV6]:PORT`; the address is loopback unless given. */
export function parseListenAddress(text: string): ListenAddress {
  const match = /^(?:(?:\[([0-9A-Fa-f:.]+)\]|([A-Za-z0-9.-]*)):)?([^:]*)$/.exec(text);
  if (match === null || match[3] === '')
    throw new UsageError(`invalid listen address ([ADDR:]PORT): '${text}'`);
  const host = match[1] ?? match[2];
  const port = parseInteger(match[3]!, 'port', 0, 65535);
  return { host: host === undefined || host === '' ? '127.0.0.1' : host, port };
}

async function serve(
  address: ListenAddress,
  text: string,
  scrape: () => ReturnType<typeof import('../metrics/scrape.js').scrape>,
  host: Host,
): Promise<Result> {
  const { close, listen, metricsUrl } = await import('../metrics/serve.js');
  // Trapped before listening: a SIGTERM from now on stops the server cleanly (exit 0).
  const trap = host.trapInterrupts();
  let server: Awaited<ReturnType<typeof listen>>;
  try {
    server = await listen(address, scrape);
  } catch (error) {
    trap.release();
    throw new Failure(`cannot listen on ${text}: ${reasonOf(error)}`);
  }
  // One scrape, its result dropped, before the server says it listens: V8 compiles and optimises
  // the scrape's code then, so that Prometheus's first scrape costs what the later ones do.
  await scrape().catch(() => undefined);
  async function* untilInterrupted(): AsyncGenerator<Chunk> {
    try {
      if (!trap.signal.aborted) {
        await new Promise((resolve) => trap.signal.addEventListener('abort', resolve, { once: true }));
      }
    } finally {
      await close(server);
      trap.release();
    }
  }
  return { status: 0, out: [`listening on ${metricsUrl(server)}\n`], stream: untilInterrupted() };
}

/** The system's words for a failed write or listen (getaddrinfo's for an unknown host name). */
function reasonOf(error: unknown): string {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') return 'Name or service not known';
  if (code === 'EADDRINUSE') return 'Address already in use';
  if (code === 'EADDRNOTAVAIL') return 'Cannot assign requested address';
  if (code !== undefined) return strerror(code);
  return error instanceof Error ? error.message : String(error);
}
