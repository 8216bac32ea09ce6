import { once } from 'node:events';
import { createRateLimiter } from '@bulwark/ratelimit';
import { type Cluster, Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { RedisUnavailableError } from './errors.js';
import { createRedisStoreWithHooks } from './internal/shared-redis-store.js';
import type { RedisStore } from './redis-store.js';
import {
  startThrowawayRedis,
  stopAllThrowawayRedis,
  type ThrowawayRedis,
} from './test-support/redis-server.js';

// Every test here stops or flushes Redis: a throwaway server, never the shared one on 6379.
let redis: ThrowawayRedis;
const stores: RedisStore[] = [];
const unhandled: unknown[] = [];
const onUnhandled = (reason: unknown) => unhandled.push(reason);

beforeAll(async () => {
  redis = await startThrowawayRedis();
  process.on('unhandledRejection', onUnhandled);
});

afterAll(async () => {
  process.off('unhandledRejection', onUnhandled);
  await stopAllThrowawayRedis();
});

beforeEach(async () => {
  unhandled.length = 0;
  await redis.stop();
  await redis.start();
});

afterEach(async () => {
  await Promise.all(stores.splice(0).map((store) => store.close()));
  expect(unhandled).toEqual([]);
});

const scope = { namespace: 'test-key', modelClass: 'claude-sonnet-4' };
const requests = (capacity: number, amount = 1) => ({
  bucket: 'requests' as const,
  capacity,
  refillPerSecond: capacity / 3_600_000,
  amount,
});

/** A store on the throwaway Redis, and a way to wait until its client is connected again. */
async function openStore(options: Parameters<typeof createRedisStoreWithHooks>[0] = {}) {
  let client: Redis | Cluster | undefined;
  const store = createRedisStoreWithHooks(
    { url: redis.url, prefix: 'outage:', ...options },
    {
      onClient: (given) => {
        client = given;
      },
    },
  );
  stores.push(store);
  const connected = async () => {
    if (client!.status !== 'ready') await once(client!, 'ready');
  };
  await connected();
  return { store, connected };
}

describe('when Redis is unavailable', () => {
  it('fails closed with RedisUnavailableError by default', async () => {
    const { store } = await openStore();
    await redis.stop();
    const failure = await store.take({ scope, buckets: [requests(10)] }).catch((error: unknown) => error);
    expect(RedisUnavailableError.isInstance(failure)).toBe(true);
    expect(failure).toMatchObject({ code: 'redis_unavailable', operation: 'take', isRetryable: true });
  });

  it('rejects the limiter call with RedisUnavailableError, admitting nothing', async () => {
    const { store } = await openStore();
    const limiter = createRateLimiter({
      store,
      limits: { requestsPerMinute: 10, inputTokensPerMinute: 1000, outputTokensPerMinute: 1000 },
    });
    await redis.stop();
    const failure = await limiter
      .acquire({ model: 'claude-sonnet-4-5', inputTokens: 1, maxOutputTokens: 1 })
      .catch((error: unknown) => error);
    expect(RedisUnavailableError.isInstance(failure)).toBe(true);
    limiter.close();
  });

  it('falls back to a local store holding the configured share of the limit', async () => {
    const { store } = await openStore({ onUnavailable: 'local', localShare: 0.5 });
    await redis.stop();
    const results = [];
    for (let index = 0; index < 6; index += 1)
      results.push(await store.take({ scope, buckets: [requests(10)] }));
    expect(results.filter((result) => result.admitted)).toHaveLength(5);
    expect(results.at(-1)).toMatchObject({ admitted: false, reason: 'wait' });
    expect(store.state).toBe('local');
  });

  it('still refuses a take larger than the whole limit as oversize while local', async () => {
    const { store } = await openStore({ onUnavailable: 'local', localShare: 0.5 });
    await redis.stop();
    const admitted = await store.take({ scope, buckets: [requests(10, 8)] });
    const oversize = await store.take({ scope, buckets: [requests(10, 11)] });
    expect(admitted.admitted).toBe(true);
    expect(oversize).toMatchObject({ admitted: false, reason: 'oversize' });
  });

  it('goes back to the shared buckets once Redis answers again', async () => {
    const { store, connected } = await openStore({ onUnavailable: 'local', localShare: 0.5 });
    const other = await openStore();
    await redis.stop();
    await store.take({ scope, buckets: [requests(10)] });
    expect(store.state).toBe('local');
    await redis.start();
    await connected();
    await other.connected();
    const taken = await store.take({ scope, buckets: [requests(10, 3)] });
    expect(store.state).toBe('shared');
    expect(taken.levels.requests).toBeCloseTo(7, 3);
    // Another process sees the same buckets again.
    const seen = await other.store.peek({ scope, buckets: [requests(10)] });
    expect(seen.levels.requests).toBeCloseTo(7, 3);
  });
});

describe('script cache and restarts', () => {
  it('reloads its scripts after SCRIPT FLUSH and keeps the buckets', async () => {
    const { store } = await openStore();
    const admin = new Redis(redis.url);
    try {
      await store.take({ scope, buckets: [requests(10, 4)] });
      await admin.script('FLUSH');
      const after = await store.take({ scope, buckets: [requests(10, 1)] });
      expect(after.admitted).toBe(true);
      expect(after.levels.requests).toBeCloseTo(5, 3);
    } finally {
      admin.disconnect();
    }
  });

  it('keeps a limiter running through a Redis restart, without a crash or an unhandled rejection', async () => {
    const { store, connected } = await openStore({ onUnavailable: 'local', localShare: 0.5 });
    const limiter = createRateLimiter({
      store,
      limits: { requestsPerMinute: 100_000, inputTokensPerMinute: 1e9, outputTokensPerMinute: 1e9 },
    });
    const states: string[] = [];
    for (let call = 0; call < 60; call += 1) {
      if (call === 20) await redis.stop();
      if (call === 40) {
        await redis.start();
        await connected();
      }
      const reservation = await limiter.acquire({
        model: 'claude-sonnet-4-5',
        inputTokens: 10,
        maxOutputTokens: 10,
      });
      reservation.reconcile({
        inputTokens: 10,
        outputTokens: 5,
        cacheCreationInputTokens: 0,
        cacheReadInputTokens: 0,
      });
      states.push(store.state);
    }
    limiter.close();
    expect(states.slice(0, 20).every((state) => state === 'shared')).toBe(true);
    expect(states.slice(20, 40).every((state) => state === 'local')).toBe(true);
    expect(states.slice(40).every((state) => state === 'shared')).toBe(true);
  });
});
