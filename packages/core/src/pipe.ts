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

export interface Pipe {
  /** The read end. */
  readFd: number;
  /** The write end. */
  writeFd: number;
}

export function pipe(options: PipeOptions = {}): Pipe {
  const flags =
    (args.flag(options.nonBlocking, 'nonBlocking') ? O_NONBLOCK : 0) |
    (args.flag(options.inheritable, 'inheritable') ? 0 : O_CLOEXEC);
  const fds = Buffer.alloc(8);
  check(libc.pipe2(fds, flags), 'pipe2');
  return { readFd: fds.readInt32LE(0), writeFd: fds.readInt32LE(4) };
}
