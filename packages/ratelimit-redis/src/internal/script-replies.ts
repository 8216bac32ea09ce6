import type {
  StoreBucketAmount,
  StoreBucketName,
  StoreBucketShape,
  StoreBucketSync,
  StoreLevels,
  StoreLevelsResult,
  StoreTakeResult,
  StoreThrottleResult,
} from '@bulwark/ratelimit';

/**
 * The arguments the scripts read and the replies they give, in `lua-scripts.ts`'s order: each
 * bucket as `name, capacity, refillPerSecond, amount` (or `remaining, pendingAmount` for sync);
 * each reply starts with Redis's now and the throttle mark.
 */

export function amountArguments(buckets: readonly StoreBucketAmount[]): (string | number)[] {
  return buckets.flatMap((shape) => [shape.bucket, shape.capacity, shape.refillPerSecond, shape.amount]);
}

/** A peek asks for each bucket with an amount of 0. */
export function shapeArguments(buckets: readonly StoreBucketShape[]): (string | number)[] {
  return buckets.flatMap((shape) => [shape.bucket, shape.capacity, shape.refillPerSecond, 0]);
}

export function syncArguments(buckets: readonly StoreBucketSync[]): (string | number)[] {
  return buckets.flatMap((shape) => [
    shape.bucket,
    shape.capacity,
    shape.refillPerSecond,
    shape.remaining,
    shape.pendingAmount ?? 0,
  ]);
}

export function bucketNamesOf(buckets: readonly StoreBucketShape[]): StoreBucketName[] {
  return buckets.map((shape) => shape.bucket);
}

function levelsFrom(reply: string[], offset: number, names: readonly StoreBucketName[]): StoreLevels {
  const levels: StoreLevels = {};
  names.forEach((bucket, index) => {
    levels[bucket] = Number(reply[offset + index]);
  });
  return levels;
}

/** `[now, throttledUntil, level...]`. */
export function levelsReply(names: readonly StoreBucketName[]) {
  return (reply: string[]): StoreLevelsResult => ({
    nowMs: Number(reply[0]),
    throttledUntilMs: Number(reply[1]),
    levels: levelsFrom(reply, 2, names),
  });
}

/** `[now, throttledUntil, outcome, refused bucket's index (1-based), waitMs, level...]`. */
export function takeReply(names: readonly StoreBucketName[]) {
  return (reply: string[]): StoreTakeResult => {
    const nowMs = Number(reply[0]);
    const throttledUntilMs = Number(reply[1]);
    const levels = levelsFrom(reply, 5, names);
    const outcome = reply[2];
    if (outcome === 'admitted') return { admitted: true, nowMs, levels, throttledUntilMs };
    const reason = outcome === 'oversize' ? 'oversize' : outcome === 'throttled' ? 'throttled' : 'wait';
    return {
      admitted: false,
      reason,
      bucket: names[Number(reply[3]) - 1] ?? names[0] ?? 'requests',
      waitMs: reason === 'oversize' ? Number.POSITIVE_INFINITY : Number(reply[4]),
      nowMs,
      levels,
      throttledUntilMs,
    };
  };
}

/** `[now, throttledUntil]`. */
export function throttleReply(reply: string[]): StoreThrottleResult {
  return { nowMs: Number(reply[0]), throttledUntilMs: Number(reply[1]) };
}
