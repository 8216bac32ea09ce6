import { createManualClock } from '@bulwark/core';
import { createMemoryStore, type StoreBucketName, type StoreLevels } from '@bulwark/ratelimit';
import fc from 'fast-check';
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRedisStoreWithHooks } from './internal/shared-redis-store.js';
import { connectAdmin, deleteKeys, redisUrl, uniquePrefix } from './test-support/redis.js';

const prefix = uniquePrefix('property');
let admin: Redis;

beforeAll(async () => {
  admin = await connectAdmin();
});

afterAll(async () => {
  await deleteKeys(admin, prefix);
  admin.disconnect();
});

// One unit per 3.6 s, and time moving in steps of 3.6 s: the memory store's levels stay whole
// numbers, so the few real milliseconds between two Redis calls (a refill far below one unit)
// can never tip a decision about a whole amount.
const unitMs = 3_600;
const names: StoreBucketName[] = ['requests', 'input_tokens', 'output_tokens'];
const capacities: Record<StoreBucketName, number> = { requests: 5, input_tokens: 40, output_tokens: 20 };
const shapeOf = (bucket: StoreBucketName) => ({
  bucket,
  capacity: capacities[bucket],
  refillPerSecond: 1000 / unitMs,
});

type Operation =
  | { kind: 'take'; amounts: number[] }
  | { kind: 'adjust'; bucket: StoreBucketName; amount: number }
  | { kind: 'sync'; bucket: StoreBucketName; remaining: number; pending: number; raise: boolean }
  | { kind: 'throttle'; units: number }
  | { kind: 'advance'; units: number };

const bucketArbitrary = fc.constantFrom(...names);
const operationArbitrary: fc.Arbitrary<Operation> = fc.oneof(
  {
    weight: 4,
    arbitrary: fc.record({
      kind: fc.constant('take' as const),
      amounts: fc.tuple(
        fc.integer({ min: 0, max: 6 }),
        fc.integer({ min: 0, max: 45 }),
        fc.integer({ min: 0, max: 22 }),
      ),
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant('adjust' as const),
      bucket: bucketArbitrary,
      amount: fc.integer({ min: -30, max: 30 }),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant('sync' as const),
      bucket: bucketArbitrary,
      remaining: fc.integer({ min: 0, max: 50 }),
      pending: fc.integer({ min: 0, max: 10 }),
      raise: fc.boolean(),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({ kind: fc.constant('throttle' as const), units: fc.integer({ min: 0, max: 3 }) }),
  },
  {
    weight: 2,
    arbitrary: fc.record({ kind: fc.constant('advance' as const), units: fc.integer({ min: 1, max: 10 }) }),
  },
);

function expectSameLevels(redis: StoreLevels, memory: StoreLevels): void {
  expect(Object.keys(redis).sort()).toEqual(Object.keys(memory).sort());
  for (const name of names) {
    if (memory[name] === undefined) continue;
    // The real milliseconds Redis saw pass add a refill far below 0.05 of a unit.
    expect(Math.abs(redis[name]! - memory[name]!)).toBeLessThan(0.05);
  }
}

describe('the Redis store against the memory store', () => {
  it('makes the same decisions and keeps the same levels for any sequence of operations', async () => {
    let run = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(operationArbitrary, { minLength: 1, maxLength: 25 }), async (operations) => {
        run += 1;
        const scope = { namespace: `run-${run}`, modelClass: 'claude-sonnet-4' };
        const clock = createManualClock(1_700_000_000_000);
        const memory = createMemoryStore({ clock });
        let offsetMs = 0;
        const redis = createRedisStoreWithHooks(
          { url: redisUrl, prefix, raiseFromServer: true },
          { clockOffsetMs: () => offsetMs },
        );
        try {
          for (const operation of operations) {
            if (operation.kind === 'advance') {
              offsetMs += operation.units * unitMs;
              await clock.advance(operation.units * unitMs);
            } else if (operation.kind === 'take') {
              const buckets = names.map((bucket, index) => ({
                ...shapeOf(bucket),
                amount: operation.amounts[index]!,
              }));
              const [fromRedis, fromMemory] = [
                await redis.take({ scope, buckets }),
                await memory.take({ scope, buckets }),
              ];
              expect(fromRedis.admitted).toBe(fromMemory.admitted);
              if (!fromRedis.admitted && !fromMemory.admitted) {
                expect(fromRedis.reason).toBe(fromMemory.reason);
                if (fromMemory.reason === 'oversize') expect(fromRedis.bucket).toBe(fromMemory.bucket);
                // Two buckets short by the same amount tie on the wait; the real milliseconds
                // Redis saw may break the tie the other way, but the bucket named is short in both.
                if (fromMemory.reason === 'wait') {
                  const index = names.indexOf(fromRedis.bucket);
                  expect(fromMemory.levels[fromRedis.bucket]!).toBeLessThan(operation.amounts[index]!);
                }
              }
              expectSameLevels(fromRedis.levels, fromMemory.levels);
            } else if (operation.kind === 'adjust') {
              const buckets = [{ ...shapeOf(operation.bucket), amount: operation.amount }];
              expectSameLevels(
                (await redis.adjust({ scope, buckets })).levels,
                (await memory.adjust({ scope, buckets })).levels,
              );
            } else if (operation.kind === 'sync') {
              const request = {
                scope,
                raise: operation.raise,
                buckets: [
                  {
                    ...shapeOf(operation.bucket),
                    remaining: operation.remaining,
                    pendingAmount: operation.pending,
                  },
                ],
              };
              expectSameLevels((await redis.sync(request)).levels, (await memory.sync(request)).levels);
            } else {
              const durationMs = operation.units * unitMs;
              const [fromRedis, fromMemory] = [
                await redis.throttle({ scope, durationMs }),
                await memory.throttle({ scope, durationMs }),
              ];
              expect(fromRedis.throttledUntilMs > 0).toBe(fromMemory.throttledUntilMs > 0);
            }
          }
          const shapes = names.map(shapeOf);
          const [finalRedis, finalMemory] = [
            await redis.peek({ scope, buckets: shapes }),
            await memory.peek({ scope, buckets: shapes }),
          ];
          expectSameLevels(finalRedis.levels, finalMemory.levels);
          expect(finalRedis.throttledUntilMs > 0).toBe(finalMemory.throttledUntilMs > 0);
        } finally {
          await redis.close();
        }
      }),
      { numRuns: 60 },
    );
  });
});
