/**
 * pipe(2): an anonymous pipe as two descriptors, for a child process's stdio or a self-pipe.
 * Node wraps descriptors itself (fs.createReadStream({ fd }), net.Socket({ fd }) for O_NONBLOCK
 * ends); this only makes them, close-on-exec unless asked otherwise.
 */
import * as args from './ffi/arguments.js';
import { check } from './ffi/call.js';
import { O_CLOEXEC, O_NONBLOCK } from './ffi/constants.js';
import * as libc from './ffi/libc.js';

export interface PipeOptions {
  /** O_NONBLOCK on both ends. */
  nonBlocking?: boolean;
  /** Leave O_CLOEXEC off, so a spawned program inherits both ends. */
  inheritable?: boolean;
}

export interface Pipe extends Disposable, AsyncDisposable {
  /** The read end. */
  readonly readFd: number;
  /** The write end. */
  readonly writeFd: number;
  /**
   * Closes both ends, each once (idempotent). Not for an end handed to a stream that closes it
   * (fs.createReadStream({ fd }), net.Socket({ fd })): its number may already name another file.
   */
  close(): void;
}

export function pipe(options: PipeOptions = {}): Pipe {
  const flags =
    (args.flag(options.nonBlocking, 'nonBlocking') ? O_NONBLOCK : 0) |
    (args.flag(options.inheritable, 'inheritable') ? 0 : O_CLOEXEC);
  const fds = Buffer.alloc(8);
  check(libc.pipe2(fds, flags), 'pipe2');
  return new PipePair(fds.readInt32LE(0), fds.readInt32LE(4));
}

class PipePair implements Pipe {
  #open = true;

  constructor(
    readonly readFd: number,
    readonly writeFd: number,
  ) {}

  close(): void {
    if (!this.#open) return;
    this.#open = false;
    // Both ends, even when the first close fails (EINTR still closes on Linux; EBADF: closed already).
    const results = [libc.close(this.readFd), libc.close(this.writeFd)];
    for (const raw of results) check(raw, 'close');
  }

  [Symbol.dispose](): void {
    this.close();
  }

  /** The same as Symbol.dispose, for `await using`. */
  async [Symbol.asyncDispose](): Promise<void> {
    this.close();
  }
}
