import { type Clock, systemClock } from '@bulwark/core';
import { expectKnownKeys, expectObject } from '@bulwark/core/internal';
import { levelTolerance, refilledLevel, waitForAmountMs } from './internal/bucket-math.js';
import { type SyncStoreOperations, syncStoreOperations } from './internal/sync-store.js';
import type {
  RateLimitStore,
  StoreAdjustRequest,
  StoreBucketName,
  StoreBucketShape,
  StoreLevels,
  StoreLevelsResult,
  StoreScope,
  StoreTakeRequest,
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

type ScopeState = { [Name in StoreBucketName]?: BucketState } & { throttledUntilMs: number };

/**
 * A `RateLimitStore` in one process's memory. Its methods are async like a remote store's, so
 * code behaves the same against both; each runs synchronously inside, which makes it atomic.
 */
export function createMemoryStore(options: MemoryStoreOptions = {}): RateLimitStore {
  expectObject('options', options);
  expectKnownKeys('options', options, ['clock']);
  const { clock = systemClock } = options;
  const scopes = new Map<string, ScopeState>();
  // Callers usually pass the same scope object every time: skip building the key then.
  const scopesByObject = new WeakMap<StoreScope, ScopeState>();

  const scopeState = (scope: StoreScope): ScopeState => {
    let state = scopesByObject.get(scope);
    if (state) return state;
    const key = `${scope.namespace}\u0000${scope.modelClass}`;
    state = scopes.get(key);
    if (!state) {
      state = { throttledUntilMs: 0 };
      scopes.set(key, state);
    }
    scopesByObject.set(scope, state);
    return state;
  };

  /** Brings one bucket up to `nowMs` and returns its state (new buckets start full). */
  const refill = (state: ScopeState, shape: StoreBucketShape, nowMs: number): BucketState => {
    const bucket = state[shape.bucket];
    if (!bucket) {
      const created = { level: shape.capacity, updatedAtMs: nowMs };
      state[shape.bucket] = created;
      return created;
    }
    bucket.level = refilledLevel(
      bucket.level,
      nowMs - bucket.updatedAtMs,
      shape.capacity,
      shape.refillPerSecond,
    );
    if (nowMs > bucket.updatedAtMs) bucket.updatedAtMs = nowMs;
    return bucket;
  };

  const throttleMark = (state: ScopeState, nowMs: number): number =>
    state.throttledUntilMs > nowMs ? state.throttledUntilMs : 0;

  const takeSync = ({ scope, buckets }: StoreTakeRequest): StoreTakeResult => {
    const nowMs = clock.now();
    const state = scopeState(scope);
    const levels: StoreLevels = {};
    let refusedBucket: StoreBucketName | undefined;
    let refusedWaitMs = 0;
    let oversize = false;
    for (const shape of buckets) {
      const bucket = refill(state, shape, nowMs);
      levels[shape.bucket] = bucket.level;
      if (oversize) continue;
      if (shape.amount > shape.capacity + levelTolerance) {
        oversize = true;
        refusedBucket = shape.bucket;
        refusedWaitMs = Number.POSITIVE_INFINITY;
        continue;
      }
      const waitMs = waitForAmountMs(bucket.level, shape.amount, shape.refillPerSecond);
      if (waitMs > refusedWaitMs) {
        refusedBucket = shape.bucket;
        refusedWaitMs = waitMs;
      }
    }
    const throttledUntilMs = throttleMark(state, nowMs);
    if (oversize) {
      return {
        admitted: false,
        reason: 'oversize',
        bucket: refusedBucket!,
        waitMs: refusedWaitMs,
        nowMs,
        levels,
        throttledUntilMs,
      };
    }
    if (throttledUntilMs > 0) {
      const bucket = buckets[0]?.bucket ?? 'requests';
      return {
        admitted: false,
        reason: 'throttled',
        bucket,
        waitMs: throttledUntilMs - nowMs,
        nowMs,
        levels,
        throttledUntilMs,
      };
    }
    if (refusedBucket !== undefined) {
      return {
        admitted: false,
        reason: 'wait',
        bucket: refusedBucket,
        waitMs: refusedWaitMs,
        nowMs,
        levels,
        throttledUntilMs,
      };
    }
    for (const shape of buckets) {
      const bucket = state[shape.bucket]!;
      bucket.level -= shape.amount;
      levels[shape.bucket] = bucket.level;
    }
    return { admitted: true, nowMs, levels, throttledUntilMs };
  };

  const adjustSync = ({ scope, buckets }: StoreAdjustRequest): StoreLevelsResult => {
    const nowMs = clock.now();
    const state = scopeState(scope);
    const levels: StoreLevels = {};
    for (const shape of buckets) {
      const bucket = refill(state, shape, nowMs);
      bucket.level = Math.min(shape.capacity, bucket.level + shape.amount);
      levels[shape.bucket] = bucket.level;
    }
    return { nowMs, levels, throttledUntilMs: throttleMark(state, nowMs) };
  };

  const sync: SyncStoreOperations = { takeSync, adjustSync };

  return {
    [syncStoreOperations]: sync,

    async take(request) {
      return takeSync(request);
    },

    async adjust(request) {
      return adjustSync(request);
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
        const existing = state[shape.bucket];
        levels[shape.bucket] = existing
          ? refilledLevel(existing.level, nowMs - existing.updatedAtMs, shape.capacity, shape.refillPerSecond)
          : shape.capacity;
      }
      return { nowMs, levels, throttledUntilMs: throttleMark(state, nowMs) };
    },
  } as RateLimitStore;
}
