/**
 * The state of the rate limiter lives behind this interface so that several processes can
 * share one set of buckets (a Redis store) or keep them in memory (`createMemoryStore`).
 *
 * Every method is ONE atomic operation: it reads the state, refills every bucket it touches
 * to the store's own "now", decides, writes, and answers, with nothing interleaving. A Redis
 * store implements each method as one Lua script that reads Redis's `TIME`, so the store and
 * not the caller decides what "now" is; the memory store reads its injected clock. Callers
 * never pass a time: they pass relative durations (`durationMs`) and read `nowMs` back.
 *
 * The caller passes each bucket's `capacity` and `refillPerSecond` with every call (they
 * come from configuration or from the server's headers and may change between calls), so the
 * store keeps only a level and the time it was last brought up to date per bucket, plus one
 * throttle mark per scope. A bucket the store has never seen starts full. A level is always
 * clamped to the capacity passed in; it may go below zero after an extra charge (a debt that
 * refills like any other shortfall).
 */
export interface RateLimitStore {
  /**
   * Takes `amount` from every bucket in `buckets`, all or nothing. Refuses with
   * `reason: 'throttled'` while the scope's throttle mark is in the future, `'oversize'` when
   * an amount exceeds its bucket's capacity (it could never succeed), and `'wait'` when some
   * bucket holds too little now; `waitMs` then says how long until this same take would succeed
   * if nothing else happened (the longest wait over the buckets).
   */
  take(request: StoreTakeRequest): Promise<StoreTakeResult>;
  /**
   * Adds `amount` to each bucket: positive refunds (capped at the capacity), negative charges
   * extra (may leave a debt below zero). Used to reconcile a reservation with real usage.
   */
  adjust(request: StoreAdjustRequest): Promise<StoreLevelsResult>;
  /**
   * Brings each bucket in line with what the server says remains: after refilling, the level
   * becomes `max(0, min(capacity, remaining - pendingAmount))` if that is lower, and also if it
   * is higher when `raise` is true. `pendingAmount` is what the caller admitted that the server
   * may not have counted yet (reservations not reconciled), so raising never over-admits.
   */
  sync(request: StoreSyncRequest): Promise<StoreLevelsResult>;
  /**
   * Marks the scope throttled until `now + durationMs` (never earlier than an existing mark).
   * While throttled, `take` refuses with `reason: 'throttled'`.
   */
  throttle(request: StoreThrottleRequest): Promise<StoreThrottleResult>;
  /** Reads the levels (refilled to now) and the throttle mark without changing anything. */
  peek(request: StorePeekRequest): Promise<StoreLevelsResult>;
  /**
   * Optional: `take`, answered synchronously. A store in this process may answer synchronously;
   * the limiter uses it when present, which saves a trip through the event loop on every call
   * (a store across a network leaves it out). Same contract as `take`. The caller may reuse the
   * request object once the method returns, so the store must not keep it.
   */
  takeSync?(request: StoreTakeRequest): StoreTakeResult;
  /** Optional: `adjust`, answered synchronously; as for `takeSync`. */
  adjustSync?(request: StoreAdjustRequest): StoreLevelsResult;
  /**
   * Optional, for a store shared between processes: calls `onRefund` when any process may have
   * given capacity back to `scope` (a refund, a raise from headers), so waiters look again
   * before their computed wake time. Returns the function that stops the calls.
   */
  subscribe?(scope: StoreScope, onRefund: () => void): () => void;
  /**
   * Optional: the limiter adds a random delay of up to this many ms to every computed wait, so
   * that processes waiting for the same refill of a shared store do not all ask at once. @default 0
   */
  readonly wakeJitterMs?: number;
}

/** The buckets a store keeps for one scope. */
export type StoreBucketName = 'requests' | 'input_tokens' | 'output_tokens';

/**
 * Whose buckets an operation touches: one set per namespace (an API key, an organisation, a
 * tenant) and model class (`claude-sonnet-4`). A Redis store builds one key from both.
 */
export interface StoreScope {
  namespace: string;
  modelClass: string;
}

/** The shape of a bucket, passed with every operation. */
export interface StoreBucketShape {
  bucket: StoreBucketName;
  /** The most the bucket holds (the per-minute limit). > 0. */
  capacity: number;
  /** How fast it refills (the per-minute limit ÷ 60). > 0. */
  refillPerSecond: number;
}

export interface StoreBucketAmount extends StoreBucketShape {
  /** Units to take (or add, for `adjust`); for `take`, >= 0. */
  amount: number;
}

export interface StoreBucketSync extends StoreBucketShape {
  /** What the server says remains in this bucket. */
  remaining: number;
  /** Units admitted by the caller that the server may not have counted yet. @default 0 */
  pendingAmount?: number;
}

export interface StoreTakeRequest {
  scope: StoreScope;
  buckets: readonly StoreBucketAmount[];
}

export interface StoreAdjustRequest {
  scope: StoreScope;
  buckets: readonly StoreBucketAmount[];
}

export interface StoreSyncRequest {
  scope: StoreScope;
  buckets: readonly StoreBucketSync[];
  /** Also raise levels up to what the server reports (minus what is pending). @default false */
  raise?: boolean;
}

export interface StoreThrottleRequest {
  scope: StoreScope;
  /** How long from the store's now admission pauses. >= 0. */
  durationMs: number;
}

export interface StorePeekRequest {
  scope: StoreScope;
  buckets: readonly StoreBucketShape[];
}

/** Levels by bucket, refilled to `nowMs`, for the buckets the operation named. */
export type StoreLevels = Partial<Record<StoreBucketName, number>>;

export interface StoreLevelsResult {
  /** The store's time of the operation, epoch milliseconds. */
  nowMs: number;
  levels: StoreLevels;
  /** Epoch milliseconds until which the scope is throttled; 0 when it is not. */
  throttledUntilMs: number;
}

export interface StoreTakeAdmitted extends StoreLevelsResult {
  admitted: true;
}

export interface StoreTakeRefused extends StoreLevelsResult {
  admitted: false;
  /** `throttled`: a 429 paused the scope; `wait`: too little now; `oversize`: never. */
  reason: 'throttled' | 'wait' | 'oversize';
  /** The bucket that refused; for `throttled`, the first bucket asked for. */
  bucket: StoreBucketName;
  /** How long until the same take would succeed; `Infinity` for `oversize`. */
  waitMs: number;
}

export type StoreTakeResult = StoreTakeAdmitted | StoreTakeRefused;

export interface StoreThrottleResult {
  nowMs: number;
  throttledUntilMs: number;
}
