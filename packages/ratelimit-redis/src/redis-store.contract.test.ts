import { runStoreContract } from '@bulwark/ratelimit/store-contract';
import type { Redis } from 'ioredis';
import { afterAll, beforeAll } from 'vitest';
import { createRedisStoreWithHooks } from './internal/shared-redis-store.js';
import { connectAdmin, deleteKeys, redisUrl, uniquePrefix } from './test-support/redis.js';

const prefix = uniquePrefix('contract');
let admin: Redis;

beforeAll(async () => {
  admin = await connectAdmin();
});

afterAll(async () => {
  await deleteKeys(admin, prefix);
  admin.disconnect();
});

// The contract includes raising levels from the server, which the store does only when asked.
runStoreContract({
  name: 'redis store (Redis TIME moved by a test offset)',
  createSubject: () => {
    // Time passes in the scripts themselves: every script adds this offset to Redis's TIME.
    let offsetMs = 0;
    const store = createRedisStoreWithHooks(
      { url: redisUrl, prefix, raiseFromServer: true },
      { clockOffsetMs: () => offsetMs },
    );
    return {
      store,
      advanceTime: async (ms) => {
        offsetMs += ms;
      },
      close: () => store.close(),
    };
  },
});

runStoreContract({
  name: 'redis store on the plain Redis TIME',
  createSubject: () => {
    const store = createRedisStoreWithHooks({ url: redisUrl, prefix, raiseFromServer: true }, {});
    return { store, close: () => store.close() };
  },
});
