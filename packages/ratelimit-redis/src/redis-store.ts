import type { RateLimitStore, StoreScope } from '@bulwark/ratelimit';
import { SharedRedisStore } from './internal/shared-redis-store.js';
import { parseRedisStoreOptions, type RedisStoreOptions } from './options.js';

/** Where the store's answers come from right now. */
export type RedisStoreState = 'shared' | 'local';

/** A `RateLimitStore` on Redis, plus what a shared store adds. */
export interface RedisStore extends RateLimitStore {
  /**
   * Calls `onRefund` whenever any process gives capacity back to `scope` (a reconciled
   * reservation refunded, or a header sync raised a level). Returns the unsubscribe function.
   */
  subscribe(scope: StoreScope, onRefund: () => void): () => void;
  /** The random delay, up to this, a limiter adds to each computed wait. */
  readonly wakeJitterMs: number;
  /** `'local'` while Redis is unavailable and `onUnavailable: 'local'` serves from memory. */
  readonly state: RedisStoreState;
  /** Stops listening, closes the connections the store made (never a client you passed). */
  close(): Promise<void>;
}

/**
 * Creates a rate-limit store on Redis for `createRateLimiter({ store })`: every process using
 * the same Redis, prefix and namespace shares one set of buckets. Each operation is one Lua
 * script (`EVALSHA`, reloaded on `NOSCRIPT`) on Redis's clock. See the README for the key
 * layout, failure modes and fairness.
 */
export function createRedisStore(options: RedisStoreOptions = {}): RedisStore {
  return new SharedRedisStore(parseRedisStoreOptions(options), {});
}
