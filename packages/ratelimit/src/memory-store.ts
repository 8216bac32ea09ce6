import { type Clock, systemClock } from '@bulwark/core';
import { expectKnownKeys, expectObject } from '@bulwark/core/internal';
import { levelTolerance, refilledLevel, waitForAmountMs } from './internal/bucket-math.js';
import type {
  RateLimitStore,
  StoreAdjustRequest,
  StoreBucketName,
  StoreBucketShape,
  StoreLevels,
  StoreLevelsResult,
  StorePeekRequest,
  StoreScope,
  StoreSyncRequest,
  StoreTakeRefused,
  StoreTakeRequest,
  StoreTakeResult,
  StoreThrottleRequest,
  StoreThrottleResult,
} from './store.js';

export interface MemoryStoreOptions {
  /** The store's notion of "now". @default systemClock */
  clock?: Clock;
}

/**
 * A `RateLimitStore` in one process's memory, for `createRateLimiter({ store })` (the default
 * store) or to share one set of buckets between several limiters of a process. It answers
 * `takeSync` and `adjustSync` too, which the limiter uses to admit without a trip through the
 * event loop; its async methods behave exactly like them.
 */
export function createMemoryStore(options: MemoryStoreOptions = {}): RateLimitStore {
  expectObject('options', options);
  expectKnownKeys('options', options, ['clock']);
  return new MemoryStore(options.clock ?? systemClock);
}

interface BucketState {
  level: number;
  updatedAtMs: number;
}

type ScopeState = { [Name in StoreBucketName]?: BucketState } & { throttledUntilMs: number };

/** Each method runs synchronously from start to end, which makes it atomic. */
class MemoryStore implements RateLimitStore {
  private readonly scopes = new Map<string, ScopeState>();
  // Callers usually pass the same scope object every time: skip building the key then.
  private readonly scopesByObject = new WeakMap<StoreScope, ScopeState>();

  constructor(private readonly clock: Clock) {}

  takeSync({ scope, buckets }: StoreTakeRequest): StoreTakeResult {
    const nowMs = this.clock.now();
    const state = this.scopeState(scope);
    const levels: StoreLevels = {};
    let refusedBucket: StoreBucketName | undefined;
    let refusedWaitMs = 0;
    let oversize = false;
    for (const shape of buckets) {
      const bucket = this.refill(state, shape, nowMs);
      levels[shape.bucket] = bucket.level;
      if (oversize) continue;
      // The first oversize bucket answers: it can never be taken, whatever the others hold.
      oversize = shape.amount > shape.capacity + levelTolerance;
      const waitMs = oversize
        ? Number.POSITIVE_INFINITY
        : waitForAmountMs(bucket.level, shape.amount, shape.refillPerSecond);
      if (oversize || waitMs > refusedWaitMs) {
        refusedBucket = shape.bucket;
        refusedWaitMs = waitMs;
      }
    }
    const throttledUntilMs = throttleMark(state, nowMs);
    if (oversize) return refusal('oversize', refusedBucket!, refusedWaitMs, nowMs, levels, throttledUntilMs);
    if (throttledUntilMs > 0) {
      const bucket = buckets[0]?.bucket ?? 'requests';
      return refusal('throttled', bucket, throttledUntilMs - nowMs, nowMs, levels, throttledUntilMs);
    }
    if (refusedBucket !== undefined) {
      return refusal('wait', refusedBucket, refusedWaitMs, nowMs, levels, throttledUntilMs);
    }
    for (const shape of buckets) {
      const bucket = state[shape.bucket]!;
      bucket.level -= shape.amount;
      levels[shape.bucket] = bucket.level;
    }
    return { admitted: true, nowMs, levels, throttledUntilMs };
  }

  adjustSync({ scope, buckets }: StoreAdjustRequest): StoreLevelsResult {
    const nowMs = this.clock.now();
    const state = this.scopeState(scope);
    const levels: StoreLevels = {};
    for (const shape of buckets) {
      const bucket = this.refill(state, shape, nowMs);
      bucket.level = Math.min(shape.capacity, bucket.level + shape.amount);
      levels[shape.bucket] = bucket.level;
    }
    return { nowMs, levels, throttledUntilMs: throttleMark(state, nowMs) };
  }

  async take(request: StoreTakeRequest): Promise<StoreTakeResult> {
    return this.takeSync(request);
  }

  async adjust(request: StoreAdjustRequest): Promise<StoreLevelsResult> {
    return this.adjustSync(request);
  }

  async sync({ scope, buckets, raise = false }: StoreSyncRequest): Promise<StoreLevelsResult> {
    const nowMs = this.clock.now();
    const state = this.scopeState(scope);
    const levels: StoreLevels = {};
    for (const shape of buckets) {
      const bucket = this.refill(state, shape, nowMs);
      const target = Math.max(0, Math.min(shape.capacity, shape.remaining - (shape.pendingAmount ?? 0)));
      if (bucket.level > target || (raise && bucket.level < target)) bucket.level = target;
      levels[shape.bucket] = bucket.level;
    }
    return { nowMs, levels, throttledUntilMs: throttleMark(state, nowMs) };
  }

  async throttle({ scope, durationMs }: StoreThrottleRequest): Promise<StoreThrottleResult> {
    const nowMs = this.clock.now();
    const state = this.scopeState(scope);
    state.throttledUntilMs = Math.max(state.throttledUntilMs, nowMs + Math.max(0, durationMs));
    return { nowMs, throttledUntilMs: throttleMark(state, nowMs) };
  }

  async peek({ scope, buckets }: StorePeekRequest): Promise<StoreLevelsResult> {
    const nowMs = this.clock.now();
    const state = this.scopeState(scope);
    const levels: StoreLevels = {};
    for (const shape of buckets) {
      const existing = state[shape.bucket];
      levels[shape.bucket] = existing
        ? refilledLevel(existing.level, nowMs - existing.updatedAtMs, shape.capacity, shape.refillPerSecond)
        : shape.capacity;
    }
    return { nowMs, levels, throttledUntilMs: throttleMark(state, nowMs) };
  }

  private scopeState(scope: StoreScope): ScopeState {
    let state = this.scopesByObject.get(scope);
    if (state) return state;
    const key = `${scope.namespace}\u0000${scope.modelClass}`;
    state = this.scopes.get(key);
    if (!state) {
      state = { throttledUntilMs: 0 };
      this.scopes.set(key, state);
    }
    this.scopesByObject.set(scope, state);
    return state;
  }

  /** Brings one bucket up to `nowMs` and returns its state (new buckets start full). */
  private refill(state: ScopeState, shape: StoreBucketShape, nowMs: number): BucketState {
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
  }
}

function throttleMark(state: ScopeState, nowMs: number): number {
  return state.throttledUntilMs > nowMs ? state.throttledUntilMs : 0;
}

function refusal(
  reason: StoreTakeRefused['reason'],
  bucket: StoreBucketName,
  waitMs: number,
  nowMs: number,
  levels: StoreLevels,
  throttledUntilMs: number,
): StoreTakeRefused {
  return { admitted: false, reason, bucket, waitMs, nowMs, levels, throttledUntilMs };
}
