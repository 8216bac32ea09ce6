import type { BulwarkEvents } from '@bulwark/core';
import { describe, expect, it } from 'vitest';
import type { RateLimitStore } from './store.js';
import { createHarness, sonnet, usage } from './test-support/limiter-harness.js';

const limits = { requestsPerMinute: 100, inputTokensPerMinute: 10_000, outputTokensPerMinute: 10_000 };

/** The memory store, with `adjust`, `sync` and `throttle` failing like a store whose server went away. */
function failingStore(store: RateLimitStore, { synchronous }: { synchronous: boolean }): RateLimitStore {
  const down = () => Promise.reject(new Error('store unavailable'));
  return {
    take: (request) => store.take(request),
    adjust: down,
    sync: down,
    throttle: down,
    peek: (request) => store.peek(request),
    ...(synchronous
      ? {
          takeSync: (request) => store.takeSync!(request),
          adjustSync: () => {
            throw new Error('store unavailable');
          },
        }
      : {}),
  };
}

function harnessWithFailingStore(synchronous: boolean) {
  const base = createHarness();
  const harness = createHarness({
    limits,
    outputReservation: 'max_tokens',
    clock: base.clock,
    store: failingStore(base.store, { synchronous }),
  });
  const failures: Array<BulwarkEvents['ratelimit:store_failed']> = [];
  harness.bus.on('ratelimit:store_failed', (event) => failures.push(event));
  return { ...harness, failures };
}

describe('store operations nobody awaits', () => {
  it.each([
    ['an async store', false],
    ['a synchronous store', true],
  ])(
    'reports a refund the store lost as ratelimit:store_failed, and reconcile does not throw (%s)',
    async (_kind, synchronous) => {
      const { limiter, clock, failures } = harnessWithFailingStore(synchronous);
      const reservation = await limiter.acquire({
        model: sonnet,
        inputTokens: 1_000,
        maxOutputTokens: 2_000,
        requestId: 'r1',
      });
      expect(() => reservation.reconcile(usage({ inputTokens: 1_000, outputTokens: 100 }))).not.toThrow();
      await clock.flush();
      expect(failures).toEqual([
        {
          requestId: 'r1',
          modelClass: 'claude-sonnet-4',
          operation: 'adjust',
          error: { name: 'Error', message: 'store unavailable' },
        },
      ]);
    },
  );

  it('reports a header sync and a 429 pause the store lost', async () => {
    const { limiter, clock, failures } = harnessWithFailingStore(false);
    limiter.observe({
      model: sonnet,
      status: 429,
      requestId: 'r2',
      headers: { 'retry-after': '5', 'anthropic-ratelimit-requests-remaining': '0' },
    });
    await clock.flush();
    expect(failures.map((failure) => [failure.operation, failure.requestId])).toEqual([
      ['sync', 'r2'],
      ['throttle', 'r2'],
    ]);
  });
});
