import { createManualClock, InvalidArgumentError } from '@bulwark/core';
import { createRateLimiter } from '@bulwark/ratelimit';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RefundSubscriber } from './internal/refund-subscriber.js';
import { namespaceHash, scopeKeys } from './key-layout.js';
import { createRedisStore } from './redis-store.js';
import { connectAdmin, deleteKeys, keysUnder, redisUrl, uniquePrefix } from './test-support/redis.js';

const prefix = uniquePrefix('store');
let admin: Redis;

beforeAll(async () => {
  admin = await connectAdmin();
});

afterAll(async () => {
  await deleteKeys(admin, prefix);
  admin.disconnect();
});

const apiKey = 'test-key-that-must-never-appear-in-redis';
const shape = (bucket: 'requests' | 'input_tokens' | 'output_tokens', capacity: number) => ({
  bucket,
  capacity,
  refillPerSecond: capacity / 60,
});

/** The hash tag of a key, as Redis Cluster reads it: the text inside the first `{...}`. */
function hashTag(key: string): string | undefined {
  const open = key.indexOf('{');
  const close = key.indexOf('}', open + 1);
  return open === -1 || close <= open + 1 ? undefined : key.slice(open + 1, close);
}

describe('createRedisStore key layout', () => {
  it('keeps a scope in one hash under its hash tag, with the namespace hashed, never stored', async () => {
    const store = createRedisStore({ url: redisUrl, prefix: `${prefix}layout:` });
    try {
      const scope = { namespace: apiKey, modelClass: 'claude-sonnet-4' };
      await store.take({
        scope,
        buckets: [
          { ...shape('requests', 50), amount: 1 },
          { ...shape('input_tokens', 1000), amount: 10 },
          { ...shape('output_tokens', 1000), amount: 10 },
        ],
      });
      await store.throttle({ scope, durationMs: 60_000 });
      const keys = await keysUnder(admin, `${prefix}layout:`);
      expect(keys).toHaveLength(1);
      expect(hashTag(keys[0]!)).toBe(`${namespaceHash(apiKey)}:claude-sonnet-4`);
      expect(keys[0]).not.toContain(apiKey);
      const fields = await admin.hgetall(keys[0]!);
      expect(Object.keys(fields).sort()).toEqual([
        'input_tokens:l',
        'input_tokens:t',
        'output_tokens:l',
        'output_tokens:t',
        'requests:l',
        'requests:t',
        'throttle',
      ]);
      expect(JSON.stringify(fields)).not.toContain(apiKey);
    } finally {
      await store.close();
    }
  });

  it('encodes a model class so that it cannot end the hash tag early', () => {
    const keys = scopeKeys('p:', { namespace: 'n', modelClass: 'odd}class{' });
    expect(hashTag(keys.key)).toBe(`${namespaceHash('n')}:odd%7Dclass%7B`);
  });

  it('lets the key expire when its buckets would be full again, and deletes it once they are', async () => {
    const store = createRedisStore({ url: redisUrl, prefix: `${prefix}expiry:` });
    try {
      const scope = { namespace: 'n', modelClass: 'c' };
      const requests = { bucket: 'requests', capacity: 60, refillPerSecond: 1 } as const;
      await store.take({ scope, buckets: [{ ...requests, amount: 30 }] });
      const { key } = scopeKeys(`${prefix}expiry:`, scope);
      const ttlMs = await admin.pttl(key);
      // 30 missing at 1 a second: full after 30 s, plus the store's one-second margin.
      expect(ttlMs).toBeGreaterThan(29_000);
      expect(ttlMs).toBeLessThanOrEqual(31_000);
      await store.adjust({ scope, buckets: [{ ...requests, amount: 30 }] });
      expect(await admin.exists(key)).toBe(0);
    } finally {
      await store.close();
    }
  });

  it('keeps the key at least until the throttle mark has passed', async () => {
    const store = createRedisStore({ url: redisUrl, prefix: `${prefix}throttle:` });
    try {
      const scope = { namespace: 'n', modelClass: 'c' };
      await store.throttle({ scope, durationMs: 5_000 });
      const ttlMs = await admin.pttl(scopeKeys(`${prefix}throttle:`, scope).key);
      // The mark, plus the store's one-second margin.
      expect(ttlMs).toBeGreaterThan(4_000);
      expect(ttlMs).toBeLessThanOrEqual(6_000);
    } finally {
      await store.close();
    }
  });
});

describe('createRedisStore refund announcements', () => {
  it('publishes on the scope channel when another process refunds', async () => {
    const store = createRedisStore({ url: redisUrl, prefix: `${prefix}refund:` });
    const listenerClient = new Redis(redisUrl);
    const subscriber = new RefundSubscriber(listenerClient, () => {});
    try {
      const scope = { namespace: 'n', modelClass: 'c' };
      const output = shape('output_tokens', 1000);
      await store.take({ scope, buckets: [{ ...output, amount: 500 }] });
      const heard = new Promise<void>((resolve) => {
        subscriber.subscribe(scopeKeys(`${prefix}refund:`, scope).channel, resolve);
      });
      await subscriber.subscribed();
      await store.adjust({ scope, buckets: [{ ...output, amount: 200 }] });
      await heard;
    } finally {
      subscriber.close();
      listenerClient.disconnect();
      await store.close();
    }
  });

  it('tells a store subscriber about the refund through the store itself', async () => {
    const store = createRedisStore({ url: redisUrl, prefix: `${prefix}subscribe:` });
    const other = createRedisStore({ url: redisUrl, prefix: `${prefix}subscribe:` });
    try {
      const scope = { namespace: 'n', modelClass: 'c' };
      const output = shape('output_tokens', 1000);
      await other.take({ scope, buckets: [{ ...output, amount: 500 }] });
      let refunds = 0;
      const heard = new Promise<void>((resolve) => {
        store.subscribe(scope, () => {
          refunds += 1;
          resolve();
        });
      });
      // Refund until the subscription is live; each refund is real, capped at the capacity.
      while (refunds === 0) {
        await other.adjust({ scope, buckets: [{ ...output, amount: 1 }] });
        await Promise.race([heard, new Promise((resolve) => setImmediate(resolve))]);
      }
      expect(refunds).toBeGreaterThan(0);
    } finally {
      await store.close();
      await other.close();
    }
  });
});

describe('a limiter on the Redis store', () => {
  it('is woken by a refund from another process, not only by its own timer', async () => {
    // The limiter's timers run on a manual clock that never moves: only a refund notice can wake it.
    const clock = createManualClock(Date.now());
    const store = createRedisStore({ url: redisUrl, prefix: `${prefix}wake:` });
    const other = createRedisStore({ url: redisUrl, prefix: `${prefix}wake:` });
    const limits = {
      requestsPerMinute: 1,
      inputTokensPerMinute: 1_000_000,
      outputTokensPerMinute: 1_000_000,
    };
    const limiter = createRateLimiter({ store, clock, limits, namespace: 'wake' });
    try {
      const model = 'claude-sonnet-4-5';
      await limiter.acquire({ model, inputTokens: 0, maxOutputTokens: 0 });
      let admitted = false;
      const waiting = limiter.acquire({ model, inputTokens: 0, maxOutputTokens: 0 }).then(() => {
        admitted = true;
      });
      const { modelClass } = await limiter.levels(model);
      const refund = { bucket: 'requests', capacity: 1, refillPerSecond: 1 / 60, amount: 1 } as const;
      // Refund (as another process would) until the waiter's subscription has heard one.
      while (!admitted) {
        await other.adjust({ scope: { namespace: 'wake', modelClass }, buckets: [refund] });
        await Promise.race([waiting, new Promise((resolve) => setImmediate(resolve))]);
      }
      expect(admitted).toBe(true);
    } finally {
      limiter.close();
      await store.close();
      await other.close();
    }
  });
});

describe('createRedisStore sync from server headers', () => {
  const output = { bucket: 'output_tokens', capacity: 1000, refillPerSecond: 1000 / 3_600_000 } as const;

  it('lowers a level to what the server reports but does not raise it by default', async () => {
    const store = createRedisStore({ url: redisUrl, prefix: `${prefix}sync:` });
    try {
      const scope = { namespace: 'n', modelClass: 'c' };
      await store.take({ scope, buckets: [{ ...output, amount: 600 }] });
      const kept = await store.sync({ scope, buckets: [{ ...output, remaining: 900 }], raise: true });
      expect(kept.levels.output_tokens).toBeCloseTo(400, 1);
      const lowered = await store.sync({ scope, buckets: [{ ...output, remaining: 100 }], raise: true });
      expect(lowered.levels.output_tokens).toBeCloseTo(100, 3);
    } finally {
      await store.close();
    }
  });

  it('raises a level to what the server reports with raiseFromServer', async () => {
    const store = createRedisStore({ url: redisUrl, prefix: `${prefix}sync:`, raiseFromServer: true });
    try {
      const scope = { namespace: 'n2', modelClass: 'c' };
      await store.take({ scope, buckets: [{ ...output, amount: 600 }] });
      const raised = await store.sync({ scope, buckets: [{ ...output, remaining: 900 }], raise: true });
      expect(raised.levels.output_tokens).toBeCloseTo(900, 3);
    } finally {
      await store.close();
    }
  });
});

describe('createRedisStore options', () => {
  it('refuses an unknown option', () => {
    expect(() => createRedisStore({ urll: redisUrl } as never)).toThrow(InvalidArgumentError);
  });

  it('refuses both a url and a client', () => {
    const client = new Redis(redisUrl, { lazyConnect: true });
    expect(() => createRedisStore({ url: redisUrl, client })).toThrow(/options.url/);
    client.disconnect();
  });

  it('refuses a local share outside (0, 1]', () => {
    expect(() => createRedisStore({ localShare: 0 })).toThrow(/options.localShare/);
    expect(() => createRedisStore({ localShare: 1.5 })).toThrow(/options.localShare/);
  });

  it('refuses a url that is not a redis URL', () => {
    expect(() => createRedisStore({ url: 'http://127.0.0.1:6379' })).toThrow(/options.url/);
  });

  it('uses a client it is given and leaves it open on close', async () => {
    const client = new Redis(redisUrl, { enableOfflineQueue: false });
    await new Promise((resolve) => client.once('ready', resolve));
    const store = createRedisStore({ client, prefix: `${prefix}given:` });
    const result = await store.take({
      scope: { namespace: 'n', modelClass: 'c' },
      buckets: [{ ...shape('requests', 5), amount: 1 }],
    });
    await store.close();
    expect(result.admitted).toBe(true);
    expect(await client.ping()).toBe('PONG');
    client.disconnect();
  });
});
