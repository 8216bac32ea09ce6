import type { Bus, RateLimitStoreFailedEvent } from '@bulwark/core';
import { summarizeError } from '@bulwark/core/internal';
import type { ClassState } from './class-state.js';

/**
 * The handler for a store operation nobody awaits (a reconcile's refund or extra charge, a sync
 * from headers, a 429's throttle mark). There is no caller to hand the error to, and the limiter
 * goes on: a lost refund leaves it more cautious until the bucket refills, a lost extra charge
 * or sync until the next headers correct the level, a lost throttle mark lets calls through
 * that the server may answer with 429 again. So the failure is announced on the bus as
 * `ratelimit:store_failed` for whoever watches (a logger logs it at `warn`), and not retried:
 * a store that fails now (Redis away) would most likely fail the retry too.
 */
export function reportStoreFailure(
  bus: Bus,
  state: ClassState,
  operation: RateLimitStoreFailedEvent['operation'],
  requestId?: string,
): (error: unknown) => void {
  return (error) => {
    bus.emit('ratelimit:store_failed', {
      ...(requestId === undefined ? {} : { requestId }),
      modelClass: state.modelClass,
      operation,
      error: summarizeError(error),
    });
  };
}
