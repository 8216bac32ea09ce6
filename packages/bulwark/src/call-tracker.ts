import { AbortedError } from '@bulwark/core';
import { ClientClosedError } from './client-closed-error.js';

/**
 * The calls under way on one client: each runs with a signal that follows the caller's and
 * that `close({ abortInFlight })` can abort, and `close` waits for all of them to settle.
 */
export class CallTracker {
  private readonly inFlight = new Map<AbortController, Promise<unknown>>();
  private closed = false;

  get isClosed(): boolean {
    return this.closed;
  }

  /** Runs `task` as a tracked call; rejects with `ClientClosedError` once the client is closed. */
  track<T>(signal: AbortSignal | undefined, task: (signal: AbortSignal) => Promise<T>): Promise<T> {
    if (this.closed) return Promise.reject(new ClientClosedError());
    const controller = new AbortController();
    const onAbort = () => controller.abort(signal?.reason);
    if (signal?.aborted) controller.abort(signal.reason);
    else signal?.addEventListener('abort', onAbort, { once: true });
    const call = task(controller.signal).finally(() => {
      signal?.removeEventListener('abort', onAbort);
      this.inFlight.delete(controller);
    });
    // close() waits for the call to settle either way; its outcome belongs to the caller.
    this.inFlight.set(
      controller,
      call.catch(() => undefined),
    );
    return call;
  }

  /** Refuses new calls, aborts the running ones when asked, and resolves once all have settled. */
  async close({ abortInFlight }: { abortInFlight: boolean }): Promise<void> {
    this.closed = true;
    if (abortInFlight) {
      for (const controller of this.inFlight.keys()) {
        controller.abort(new AbortedError({ message: 'The client was closed' }));
      }
    }
    await Promise.all(this.inFlight.values());
  }
}
