import { systemClock } from '@bulwark/core';
import { createSafeLogger, silentLogger } from '@bulwark/core/internal';
import type {
  RateLimitStore,
  StoreBucketName,
  StoreLevels,
  StoreLevelsResult,
  StoreScope,
  StoreTakeResult,
} from '@bulwark/ratelimit';
import { type Cluster, Redis } from 'ioredis';
import { RedisUnavailableError } from './errors.js';
import { createScopeKeyCache } from './internal/key-layout.js';
import { createLocalFallback } from './internal/local-fallback.js';
import { adjustScript, peekScript, syncScript, takeScript, throttleScript } from './internal/lua-scripts.js';
import { RedisConnection } from './internal/redis-connection.js';
import { RefundSubscriber } from './internal/refund-subscriber.js';
import { type LuaScript, luaScript } from './internal/script-runner.js';
import { type RedisStoreOptions, validateRedisStoreOptions } from './options.js';

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

/** Test hooks, not part of the public options. */
export interface RedisStoreHooks {
  /** Milliseconds added to Redis's `TIME` in every script: lets tests move the store's clock. */
  clockOffsetMs?: () => number;
  /** Handed the client the store uses, so tests can wait for its reconnection. */
  onClient?: (client: Redis | Cluster) => void;
}

const scripts = {
  take: luaScript(takeScript),
  adjust: luaScript(adjustScript),
  sync: luaScript(syncScript),
  throttle: luaScript(throttleScript),
  peek: luaScript(peekScript),
};

type Operation = keyof typeof scripts;

/**
 * Creates a rate-limit store on Redis for `createRateLimiter({ store })`: every process using
 * the same Redis, prefix and namespace shares one set of buckets. Each operation is one Lua
 * script (`EVALSHA`, reloaded on `NOSCRIPT`) on Redis's clock. See the README for the key
 * layout, failure modes and fairness.
 */
export function createRedisStore(options: RedisStoreOptions = {}): RedisStore {
  return createRedisStoreWithHooks(options, {});
}

export function createRedisStoreWithHooks(options: RedisStoreOptions, hooks: RedisStoreHooks): RedisStore {
  validateRedisStoreOptions(options);
  const {
    url = 'redis://127.0.0.1:6379',
    client: givenClient,
    prefix = 'bulwark:rl:',
    commandTimeoutMs = 1_000,
    connectTimeoutMs = 5_000,
    onUnavailable = 'fail',
    localShare = 0.25,
    wakeJitterMs = 50,
    raiseFromServer = false,
    clock = systemClock,
    logger: givenLogger = silentLogger,
  } = options;
  const logger = createSafeLogger(givenLogger);
  const clockOffsetMs = hooks.clockOffsetMs ?? (() => 0);

  // Commands fail at once while disconnected (no offline queue: a take queued for later would
  // hold capacity nobody uses), ioredis reconnects forever with a capped backoff.
  const client: Redis | Cluster =
    givenClient ??
    new Redis(url, {
      enableOfflineQueue: false,
      commandTimeout: commandTimeoutMs,
      maxRetriesPerRequest: 0,
      retryStrategy: (attempt) => Math.min(50 * 2 ** Math.min(attempt, 6), 2_000),
    });
  hooks.onClient?.(client);
  // An owned client times its commands out itself (`commandTimeout`); a given one gets a timer.
  const connection = new RedisConnection(client, {
    commandTimeoutMs: givenClient ? commandTimeoutMs : undefined,
    connectTimeoutMs,
    clock,
  });
  const keysOf = createScopeKeyCache(prefix);
  const onConnectionError = (error: unknown): void => {
    logger.debug({ error }, 'Redis rate-limit store: connection error');
  };
  client.on('error', onConnectionError);
  const subscriber = new RefundSubscriber(client, onConnectionError);
  const local = onUnavailable === 'local' ? createLocalFallback(localShare, clock) : undefined;
  let state: RedisStoreState = 'shared';

  const setState = (next: RedisStoreState, error?: unknown): void => {
    if (state === next) return;
    state = next;
    if (next === 'local') {
      logger.warn({ error, localShare }, 'Redis rate-limit store: Redis unavailable, using local limits');
    } else {
      logger.info({}, 'Redis rate-limit store: Redis is back, using the shared limits again');
    }
  };

  /** Runs one script; when Redis does not answer, fails closed or runs `fallback` locally. */
  const run = async <T>(
    operation: Operation,
    scope: StoreScope,
    args: readonly (string | number)[],
    parse: (reply: string[]) => T,
    fallback: (store: RateLimitStore) => Promise<T>,
  ): Promise<T> => {
    const keys = keysOf(scope);
    const script: LuaScript = scripts[operation];
    let reply: string[];
    try {
      reply = await connection.run(script, [keys.key], [clockOffsetMs(), keys.channel, ...args]);
    } catch (error) {
      if (!connection.isUnavailability(error)) throw error;
      if (!local) throw new RedisUnavailableError({ operation, cause: error });
      setState('local', error);
      return fallback(local);
    }
    setState('shared');
    return parse(reply);
  };

  const levelsFrom = (reply: string[], offset: number, buckets: readonly StoreBucketName[]) => {
    const levels: StoreLevels = {};
    buckets.forEach((bucket, index) => {
      levels[bucket] = Number(reply[offset + index]);
    });
    return levels;
  };
  const levelsResult =
    (buckets: readonly StoreBucketName[]) =>
    (reply: string[]): StoreLevelsResult => ({
      nowMs: Number(reply[0]),
      throttledUntilMs: Number(reply[1]),
      levels: levelsFrom(reply, 2, buckets),
    });

  return {
    get wakeJitterMs() {
      return wakeJitterMs;
    },
    get state() {
      return state;
    },

    take(request) {
      const names = request.buckets.map((shape) => shape.bucket);
      const args = request.buckets.flatMap((shape) => [
        shape.bucket,
        shape.capacity,
        shape.refillPerSecond,
        shape.amount,
      ]);
      return run(
        'take',
        request.scope,
        [0, ...args],
        (reply): StoreTakeResult => {
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
        },
        (store) => store.take(request),
      );
    },

    adjust(request) {
      const names = request.buckets.map((shape) => shape.bucket);
      const args = request.buckets.flatMap((shape) => [
        shape.bucket,
        shape.capacity,
        shape.refillPerSecond,
        shape.amount,
      ]);
      return run('adjust', request.scope, [0, ...args], levelsResult(names), (store) =>
        store.adjust(request),
      );
    },

    sync(request) {
      const names = request.buckets.map((shape) => shape.bucket);
      const args = request.buckets.flatMap((shape) => [
        shape.bucket,
        shape.capacity,
        shape.refillPerSecond,
        shape.remaining,
        shape.pendingAmount ?? 0,
      ]);
      return run(
        'sync',
        request.scope,
        [request.raise && raiseFromServer ? 1 : 0, ...args],
        levelsResult(names),
        (store) => store.sync(request),
      );
    },

    throttle(request) {
      return run(
        'throttle',
        request.scope,
        [request.durationMs],
        (reply) => ({ nowMs: Number(reply[0]), throttledUntilMs: Number(reply[1]) }),
        (store) => store.throttle(request),
      );
    },

    peek(request) {
      const names = request.buckets.map((shape) => shape.bucket);
      const args = request.buckets.flatMap((shape) => [
        shape.bucket,
        shape.capacity,
        shape.refillPerSecond,
        0,
      ]);
      return run('peek', request.scope, [0, ...args], levelsResult(names), (store) => store.peek(request));
    },

    subscribe(scope, onRefund) {
      return subscriber.subscribe(keysOf(scope).channel, onRefund);
    },

    async close() {
      subscriber.close();
      connection.close();
      // The owned client may be down: `disconnect` never waits for a server. Its error listener
      // stays, so a late connection error is never unhandled.
      if (givenClient) client.off('error', onConnectionError);
      else client.disconnect();
    },
  };
}
