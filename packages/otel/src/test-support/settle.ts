import type { ManualClock } from '@bulwark/core';

/**
 * Waits for `promise` while moving `clock` to each timer it schedules (backoff waits), letting
 * real I/O run in between. Nothing here waits on wall time.
 */
export async function settleWithClock<T>(promise: Promise<T>, clock: ManualClock): Promise<T> {
  let settled = false;
  const tracked = promise.finally(() => {
    settled = true;
  });
  tracked.catch(() => {});
  while (!settled) {
    if (clock.pendingTimers > 0) await clock.advanceToNextTimer();
    else await new Promise<void>((resolve) => setImmediate(resolve));
  }
  return tracked;
}
