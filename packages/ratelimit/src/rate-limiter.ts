import type { AdmissionGate, BucketLevels } from '@bulwark/core';
import type { UsageReport } from './budgets.js';
import { Limiter } from './internal/limiter.js';
import { parseRateLimiterOptions, type RateLimiterOptions, type RateLimits } from './options.js';

/** The limiter: core's `AdmissionGate`, plus introspection and cleanup. */
export interface RateLimiter extends AdmissionGate {
  /** Token and cost totals of the current UTC hour, day and month, per model. */
  usage(): UsageReport;
  /** The current levels of a model's class (refilled to now) and its throttle mark. */
  levels(model: string): Promise<{ modelClass: string; levels: BucketLevels; throttledUntilMs: number }>;
  /** The limits in effect for a model's class (configured, learnt, or initial). */
  limitsOf(model: string): RateLimits;
  /** Rejects every waiter with `AbortedError` and stops its timers and store subscriptions. */
  close(): void;
}

/**
 * Creates a rate limiter for the Anthropic Messages API: `acquire` waits until the requests,
 * input-token and output-token buckets of the model's class allow the call and holds its
 * share; the reservation's `reconcile(usage)` settles the difference; `observe` follows the
 * server's headers and 429s. See the README for the queue policy.
 */
export function createRateLimiter(options: RateLimiterOptions = {}): RateLimiter {
  return new Limiter(parseRateLimiterOptions(options));
}
