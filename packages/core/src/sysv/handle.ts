/**
 * What the System V handle classes share: a handle holds no kernel resource, so close() and
 * Symbol.dispose only make later use throw ClosedHandleError; remove() deletes the object.
 */
import { ClosedHandleError } from '../errors.js';
import * as args from '../ffi/arguments.js';

export abstract class SysvHandle implements Disposable, AsyncDisposable {
  readonly id: number;
  #closed = false;

  /** `noun` names the object in ClosedHandleError's message ("message queue"). */
  protected constructor(
    id: number,
    private readonly noun: string,
  ) {
    this.id = args.ipcId(id);
  }

  close(): void {
    this.#closed = true;
  }

  [Symbol.dispose](): void {
    this.close();
  }

  /** The same as Symbol.dispose, for `await using`. */
  async [Symbol.asyncDispose](): Promise<void> {
    this[Symbol.dispose]();
  }

  /** IPC_RMID through `remove`, then closes the handle. */
  protected removeWith(remove: (id: number) => void): void {
    remove(this.open());
    this.#closed = true;
  }

  /** The id, or ClosedHandleError once the handle is closed. */
  protected open(): number {
    if (this.#closed) throw new ClosedHandleError(`${this.noun} ${this.id} is closed`);
    return this.id;
  }
}
