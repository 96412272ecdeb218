/**
 * The lifetime of a POSIX handle whose calls may block in threadpool threads (mq_timedreceive,
 * sem_wait). Closing it releases the libc handle at once when nothing is blocked, else when the
 * last blocked call returns: sem_close unmaps the sem_t a blocked sem_wait still uses, and an mq
 * descriptor closed under a blocked receive neither wakes it nor stops its number being reused.
 */
import { constants } from 'node:os';
import { ClosedHandleError } from '../errors.js';
import type { Raw } from '../ffi/libc.js';

const { EINTR } = constants.errno;

export class BlockingCalls {
  private closed = false;
  private inFlight = 0;

  constructor(
    /** How errors name the handle: `message queue /q`, `semaphore s`. */
    private readonly description: string,
    /** mq_close, sem_close. */
    private readonly release: () => Raw,
  ) {}

  /** Throws ClosedHandleError once the handle is closed. */
  assertOpen(): void {
    if (this.closed) throw new ClosedHandleError(`${this.description} is closed`);
  }

  /** Releases now and returns the result, or leaves it to the last blocked call (undefined). */
  close(): Raw | undefined {
    if (this.closed) return undefined;
    this.closed = true;
    return this.inFlight === 0 ? this.release() : undefined;
  }

  /** Runs a blocking call in a thread, restarting it after EINTR (its deadline is absolute). */
  async run(start: () => Promise<Raw>): Promise<Raw> {
    this.inFlight++;
    try {
      let raw = await start();
      while (raw.value === -1 && raw.errnoCode === EINTR) raw = await start();
      return raw;
    } finally {
      this.inFlight--;
      if (this.closed && this.inFlight === 0) this.release();
    }
  }
}

/** A timeout in milliseconds: undefined (wait forever) or a finite number >= 0. */
export function assertTimeout(timeoutMs: number | undefined): void {
  if (timeoutMs !== undefined && !(Number.isFinite(timeoutMs) && timeoutMs >= 0)) {
    throw new RangeError(`invalid timeout: ${timeoutMs}`);
  }
}
