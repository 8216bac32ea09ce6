import type { AdmissionRequest, BucketLevels, ClockTimer } from '@bulwark/core';
import { RequestTooLargeError } from '../errors.js';
import type { RateLimits } from '../options.js';
import type {
  StoreBucketAmount,
  StoreBucketName,
  StoreBucketShape,
  StoreLevels,
  StoreScope,
} from '../store.js';
import type { QueuedWaiter, WaitQueue } from './wait-queue.js';

export const bucketNames = [
  'requests',
  'input_tokens',
  'output_tokens',
] as const satisfies readonly StoreBucketName[];

export const limitKeyOf = {
  requests: 'requestsPerMinute',
  input_tokens: 'inputTokensPerMinute',
  output_tokens: 'outputTokensPerMinute',
} as const satisfies Record<StoreBucketName, keyof RateLimits>;

const levelKeyOf = {
  requests: 'requests',
  input_tokens: 'inputTokens',
  output_tokens: 'outputTokens',
} as const satisfies Record<StoreBucketName, keyof BucketLevels>;

export type Amounts = Record<StoreBucketName, number>;

/** A bucket's limit in effect, and whether it is only the conservative initial guess. */
export interface EffectiveLimit {
  limit: number;
  provisional: boolean;
  shape: StoreBucketShape;
}

/** Everything the limiter keeps for one model class in this process. */
export interface ClassState<TWaiter extends QueuedWaiter = QueuedWaiter> {
  modelClass: string;
  scope: StoreScope;
  configured: RateLimits;
  learnt: Partial<Record<StoreBucketName, number>>;
  /** A response of this class was observed, so buckets with no known limit stop being provisional. */
  heardFromServer: boolean;
  /** Derived from the above by `refreshLimits`. */
  effective: Partial<Record<StoreBucketName, EffectiveLimit>>;
  maxInFlight: number;
  queue: WaitQueue<TWaiter>;
  pumping: boolean;
  /** Something changed while the pump awaited the store: look again before sleeping. */
  dirty: boolean;
  wakeTimer: ClockTimer | undefined;
  inFlight: number;
  /** Held by reservations not yet reconciled or released. */
  pending: Amounts;
  /**
   * One reusable store request per enforced bucket, rebuilt by `refreshLimits`: a synchronous
   * store keeps no reference, so the hot path fills in amounts instead of allocating.
   */
  scratch: StoreBucketAmount[];
  /** Stops the store's refund wake-ups (a shared store's `subscribe`). */
  unsubscribe: (() => void) | undefined;
}

export interface LimitSources {
  learnLimitsFromHeaders: boolean;
  initialLimits: Omit<RateLimits, 'maxInFlight'>;
}

/**
 * Recomputes the limits in effect: configured and learnt → the lower; one of them → it; none →
 * the initial guess, provisional, until the class has heard from the server (then unlimited).
 * A class with a provisional bucket admits one call at a time.
 */
export function refreshLimits(
  state: ClassState,
  { learnLimitsFromHeaders, initialLimits }: LimitSources,
): void {
  let provisional = false;
  const effective: Partial<Record<StoreBucketName, EffectiveLimit>> = {};
  for (const bucket of bucketNames) {
    const configured = state.configured[limitKeyOf[bucket]];
    const learnt = state.learnt[bucket];
    let limit: number | undefined;
    let isGuess = false;
    if (configured !== undefined && learnt !== undefined) limit = Math.min(configured, learnt);
    else if (configured !== undefined) limit = configured;
    else if (learnt !== undefined) limit = learnt;
    else if (learnLimitsFromHeaders && !state.heardFromServer) {
      limit = initialLimits[limitKeyOf[bucket]];
      isGuess = limit !== undefined;
    }
    if (limit === undefined) continue;
    provisional ||= isGuess;
    effective[bucket] = {
      limit,
      provisional: isGuess,
      shape: { bucket, capacity: limit, refillPerSecond: limit / 60 },
    };
  }
  state.effective = effective;
  state.scratch = bucketNames.flatMap((bucket) => {
    const shape = effective[bucket]?.shape;
    return shape
      ? [{ bucket, capacity: shape.capacity, refillPerSecond: shape.refillPerSecond, amount: 0 }]
      : [];
  });
  state.maxInFlight = provisional ? 1 : (state.configured.maxInFlight ?? Number.POSITIVE_INFINITY);
}

/** The store request for taking (or giving back) `amounts` from every enforced bucket. */
export function bucketAmounts(state: ClassState, amounts: Amounts): StoreBucketAmount[] {
  const result: StoreBucketAmount[] = [];
  for (const bucket of bucketNames) {
    const effective = state.effective[bucket];
    // An object literal, not a spread: spreading here cost more than the whole take.
    if (effective) {
      const { capacity, refillPerSecond } = effective.shape;
      result.push({ bucket, capacity, refillPerSecond, amount: amounts[bucket] });
    }
  }
  return result;
}

/** `state.scratch` filled with `amounts`, for a synchronous store only. */
export function scratchAmounts(state: ClassState, amounts: Amounts): StoreBucketAmount[] {
  for (const entry of state.scratch) entry.amount = amounts[entry.bucket];
  return state.scratch;
}

/** Levels as the events report them: available and capacity per bucket. */
export function toBucketLevels(state: ClassState, levels: StoreLevels): BucketLevels {
  const result: BucketLevels = {};
  for (const bucket of bucketNames) {
    const available = levels[bucket];
    const effective = state.effective[bucket];
    if (available !== undefined && effective)
      result[levelKeyOf[bucket]] = { available, capacity: effective.limit };
  }
  return result;
}

/** The per-minute limits in effect, without the in-flight cap. */
export function perMinuteLimits(state: ClassState): Omit<RateLimits, 'maxInFlight'> {
  const result: Omit<RateLimits, 'maxInFlight'> = {};
  for (const bucket of bucketNames) {
    const effective = state.effective[bucket];
    if (effective) result[limitKeyOf[bucket]] = effective.limit;
  }
  return result;
}

/** The error for a call that needs more of `bucket` than the class's limit can ever hold. */
export function tooLarge(
  state: ClassState,
  request: AdmissionRequest,
  bucket: StoreBucketName,
  requested: number,
): RequestTooLargeError {
  return new RequestTooLargeError({
    model: request.model,
    modelClass: state.modelClass,
    bucket,
    requested,
    capacity: state.effective[bucket]?.limit ?? 0,
  });
}

/**
 * What a call takes from each bucket under the limits in effect now: `wanted`, or the error
 * when a bucket can never hold it.
 */
export function admissibleAmounts(
  state: ClassState,
  request: AdmissionRequest,
  wanted: Amounts,
): Amounts | RequestTooLargeError {
  let amounts = wanted;
  for (const bucket of bucketNames) {
    const effective = state.effective[bucket];
    if (!effective || wanted[bucket] <= effective.limit) continue;
    // Output is counted as generated, so holding more than a minute's worth is pointless;
    // a provisional limit is only a guess, so a large call goes alone rather than never.
    if (bucket !== 'output_tokens' && !effective.provisional) {
      return tooLarge(state, request, bucket, wanted[bucket]);
    }
    amounts = { ...amounts, [bucket]: effective.limit };
  }
  return amounts;
}
