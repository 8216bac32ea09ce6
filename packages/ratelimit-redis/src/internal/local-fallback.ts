import type { Clock } from '@bulwark/core';
import {
  createMemoryStore,
  type RateLimitStore,
  type StoreBucketAmount,
  type StoreBucketShape,
} from '@bulwark/ratelimit';

/**
 * The store a process falls back on while Redis is away: a memory store whose every bucket
 * holds `share` of the configured limit and refills at `share` of its rate, so that N processes
 * with a share of 1/N together stay within the limit. An amount above the local capacity but
 * within the real one is cut to the local capacity (it waits for a full local bucket and
 * empties it) rather than refused as oversize, which only the real capacity decides.
 */
export function createLocalFallback(share: number, clock: Clock): RateLimitStore {
  const memory = createMemoryStore({ clock });
  const scaled = <T extends StoreBucketShape>(shape: T): T => ({
    ...shape,
    capacity: shape.capacity * share,
    refillPerSecond: shape.refillPerSecond * share,
  });
  const scaledTake = (shape: StoreBucketAmount): StoreBucketAmount => {
    const local = scaled(shape);
    return shape.amount > shape.capacity
      ? local
      : { ...local, amount: Math.min(shape.amount, local.capacity) };
  };
  return {
    take: ({ scope, buckets }) =>
      memory.take({ scope, buckets: buckets.map((shape) => ({ ...scaledTake(shape) })) }),
    adjust: ({ scope, buckets }) => memory.adjust({ scope, buckets: buckets.map(scaled) }),
    sync: ({ scope, buckets, raise = false }) =>
      memory.sync({
        scope,
        raise,
        buckets: buckets.map((shape) => ({ ...scaled(shape), remaining: shape.remaining * share })),
      }),
    throttle: (request) => memory.throttle(request),
    peek: ({ scope, buckets }) => memory.peek({ scope, buckets: buckets.map(scaled) }),
  };
}
