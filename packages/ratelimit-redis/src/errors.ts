import { BulwarkError } from '@bulwark/core';

const redisUnavailableMarker = 'bulwark.error.redis_unavailable';
const redisUnavailableSymbol = Symbol.for(redisUnavailableMarker);

/**
 * Redis did not answer a store operation (not connected, timed out, loading, cluster down)
 * and the store is set to fail closed (`onUnavailable: 'fail'`). Nothing was admitted; a
 * later call may succeed once Redis is back, so it is retryable.
 */
export class RedisUnavailableError extends BulwarkError {
  readonly [redisUnavailableSymbol] = true;
  /** The store operation that failed: `take`, `adjust`, `sync`, `throttle` or `peek`. */
  readonly operation: string;

  constructor({ operation, cause }: { operation: string; cause?: unknown }) {
    const reason = cause instanceof Error ? `: ${cause.message}` : '';
    super({
      code: 'redis_unavailable',
      message: `The Redis rate-limit store could not run \`${operation}\`${reason}`,
      cause,
      isRetryable: true,
    });
    this.name = 'RedisUnavailableError';
    this.operation = operation;
  }

  static override isInstance(error: unknown): error is RedisUnavailableError {
    return BulwarkError.hasMarker(error, redisUnavailableMarker);
  }
}
