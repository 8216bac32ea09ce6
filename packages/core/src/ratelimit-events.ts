import type { ErrorSummary } from './request-events.js';

/** A bucket of the rate limiter. */
export type RateLimitBucket = 'requests' | 'input_tokens' | 'output_tokens' | 'in_flight' | 'throttled';

/** How full one bucket is. */
export interface BucketLevel {
  available: number;
  capacity: number;
}

export interface BucketLevels {
  requests?: BucketLevel;
  inputTokens?: BucketLevel;
  outputTokens?: BucketLevel;
}

export interface RateLimitWaitEvent {
  requestId?: string;
  model: string;
  modelClass: string;
  /** The bucket that made the caller wait. */
  bucket: RateLimitBucket;
  /** The expected wait. */
  waitMs: number;
  /** Waiters in the queue, this one included. */
  queueLength: number;
}

export interface RateLimitAdmitEvent {
  requestId?: string;
  model: string;
  modelClass: string;
  inputTokens: number;
  outputTokens: number;
  /** How long the caller waited. */
  waitedMs: number;
  levels: BucketLevels;
}

export interface RateLimitUpdateEvent {
  modelClass: string;
  source: 'headers' | 'config' | 'reconcile';
  limits: { requestsPerMinute?: number; inputTokensPerMinute?: number; outputTokensPerMinute?: number };
  levels: BucketLevels;
}

export interface RateLimitThrottledEvent {
  requestId?: string;
  model: string;
  modelClass: string;
  /** Epoch milliseconds when admission resumes. */
  resumeAt: number;
  retryAfterMs: number;
  reason: 'rate_limit' | 'spend_limit';
}

export interface RateLimitStoreFailedEvent {
  /** The request whose settlement or response the operation followed, when known. */
  requestId?: string;
  modelClass: string;
  /**
   * The store operation nobody awaited: `adjust` (a reconcile's refund or extra charge, or
   * capacity given back), `sync` (levels from the server's headers) or `throttle` (a 429's pause).
   */
  operation: 'adjust' | 'sync' | 'throttle';
  error: ErrorSummary;
}

export interface BudgetExceededEvent {
  requestId?: string;
  model: string;
  period: 'hour' | 'day' | 'month';
  /** Which cap: tokens or cost (in US dollars). */
  kind: 'tokens' | 'cost';
  limit: number;
  used: number;
  requested: number;
}

export interface BudgetLevelEvent {
  model: string;
  period: 'hour' | 'day' | 'month';
  /** Which cap: tokens or cost (in US dollars). */
  kind: 'tokens' | 'cost';
  limit: number;
  /** Used so far in the current period, settled calls and held reservations together. */
  used: number;
  /** `used ÷ limit`. */
  share: number;
}
