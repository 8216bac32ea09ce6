import { type Clock, expectKnownKeys, expectObject, systemClock } from '@bulwark/core';
import { levelTolerance, refilledLevel, waitForAmountMs } from './internal/bucket-math.js';
import type {
  RateLimitStore,
  StoreBucketName,
  StoreBucketShape,
  StoreLevels,
  StoreScope,
  StoreTakeResult,
} from './store.js';

export interface MemoryStoreOptions {
  /** The store's notion of "now". @default systemClock */
  clock?: Clock;
}

interface BucketState {
  level: number;
  updatedAtMs: number;
}

interface ScopeState {
  buckets: Map<StoreBucketName, BucketState>;
  throttledUntilMs: number;
}

/**
 * A `RateLimitStore` in one process's memory. Its methods are async like a remote store's, so
 * code behaves the same against both; each runs synchronously inside, which makes it atomic.
 */
export function createMemoryStore(options: MemoryStoreOptions = {}): RateLimitStore {
  expectObject('options', options);
  expectKnownKeys('options', options, ['clock']);
  const { clock = systemClock } = options;
  const scopes = new Map<string, ScopeState>();

  const scopeState = (scope: StoreScope): ScopeState => {
    const key = `${scope.namespace}\u0000${scope.modelClass}`;
    let state = scopes.get(key);
    if (!state) {
      state = { buckets: new Map(), throttledUntilMs: 0 };
      scopes.set(key, state);
    }
    return state;
  };

  /** Brings one bucket up to `nowMs` and returns its state (new buckets start full). */
  const refill = (state: ScopeState, shape: StoreBucketShape, nowMs: number): BucketState => {
    let bucket = state.buckets.get(shape.bucket);
    if (!bucket) {
      bucket = { level: shape.capacity, updatedAtMs: nowMs };
      state.buckets.set(shape.bucket, bucket);
      return bucket;
    }
    bucket.level = refilledLevel(
      bucket.level,
      nowMs - bucket.updatedAtMs,
      shape.capacity,
      shape.refillPerSecond,
    );
    bucket.updatedAtMs = Math.max(bucket.updatedAtMs, nowMs);
    return bucket;
  };

  const throttleMark = (state: ScopeState, nowMs: number): number =>
    state.throttledUntilMs > nowMs ? state.throttledUntilMs : 0;

  return {
    async take({ scope, buckets }): Promise<StoreTakeResult> {
      const nowMs = clock.now();
      const state = scopeState(scope);
      const levels: StoreLevels = {};
      let refusal: { bucket: StoreBucketName; waitMs: number; oversize: boolean } | undefined;
      for (const shape of buckets) {
        const bucket = refill(state, shape, nowMs);
        levels[shape.bucket] = bucket.level;
        if (shape.amount > shape.capacity + levelTolerance) {
          refusal = { bucket: shape.bucket, waitMs: Number.POSITIVE_INFINITY, oversize: true };
          continue;
        }
        const waitMs = waitForAmountMs(bucket.level, shape.amount, shape.refillPerSecond);
        if (waitMs > 0 && !refusal?.oversize && (!refusal || waitMs > refusal.waitMs)) {
          refusal = { bucket: shape.bucket, waitMs, oversize: false };
        }
      }
      const throttledUntilMs = throttleMark(state, nowMs);
      if (refusal?.oversize) {
        return {
          admitted: false,
          reason: 'oversize',
          bucket: refusal.bucket,
          waitMs: refusal.waitMs,
          nowMs,
          levels,
          throttledUntilMs,
        };
      }
      if (throttledUntilMs > 0) {
        const first = buckets[0]?.bucket ?? 'requests';
        return {
          admitted: false,
          reason: 'throttled',
          bucket: first,
          waitMs: throttledUntilMs - nowMs,
          nowMs,
          levels,
          throttledUntilMs,
        };
      }
      if (refusal) {
        return {
          admitted: false,
          reason: 'wait',
          bucket: refusal.bucket,
          waitMs: refusal.waitMs,
          nowMs,
          levels,
          throttledUntilMs,
        };
      }
      for (const shape of buckets) {
        const bucket = state.buckets.get(shape.bucket)!;
        bucket.level -= shape.amount;
        levels[shape.bucket] = bucket.level;
      }
      return { admitted: true, nowMs, levels, throttledUntilMs };
    },

    async adjust({ scope, buckets }) {
      const nowMs = clock.now();
      const state = scopeState(scope);
      const levels: StoreLevels = {};
      for (const shape of buckets) {
        const bucket = refill(state, shape, nowMs);
        bucket.level = Math.min(shape.capacity, bucket.level + shape.amount);
        levels[shape.bucket] = bucket.level;
      }
      return { nowMs, levels, throttledUntilMs: throttleMark(state, nowMs) };
    },

    async sync({ scope, buckets, raise = false }) {
      const nowMs = clock.now();
      const state = scopeState(scope);
      const levels: StoreLevels = {};
      for (const shape of buckets) {
        const bucket = refill(state, shape, nowMs);
        const target = Math.max(0, Math.min(shape.capacity, shape.remaining - (shape.pendingAmount ?? 0)));
        if (bucket.level > target || (raise && bucket.level < target)) bucket.level = target;
        levels[shape.bucket] = bucket.level;
      }
      return { nowMs, levels, throttledUntilMs: throttleMark(state, nowMs) };
    },

    async throttle({ scope, durationMs }) {
      const nowMs = clock.now();
      const state = scopeState(scope);
      state.throttledUntilMs = Math.max(state.throttledUntilMs, nowMs + Math.max(0, durationMs));
      return { nowMs, throttledUntilMs: throttleMark(state, nowMs) };
    },

    async peek({ scope, buckets }) {
      const nowMs = clock.now();
      const state = scopeState(scope);
      const levels: StoreLevels = {};
      for (const shape of buckets) {
        const existing = state.buckets.get(shape.bucket);
        levels[shape.bucket] = existing
          ? refilledLevel(existing.level, nowMs - existing.updatedAtMs, shape.capacity, shape.refillPerSecond)
          : shape.capacity;
      }
      return { nowMs, levels, throttledUntilMs: throttleMark(state, nowMs) };
    },
  };
}
