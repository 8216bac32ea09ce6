import { describe, expect, it } from 'vitest';
import type { RateLimitStore, StoreScope } from './store.js';
import { createHarness, sonnet, track } from './test-support/limiter-harness.js';

const oneRequestPerMinute = {
  requestsPerMinute: 1,
  inputTokensPerMinute: 1_000_000,
  outputTokensPerMinute: 1_000_000,
};

/** A store whose refund notifications the test fires by hand, like another process would. */
function withSubscribe(store: RateLimitStore, wakeJitterMs?: number) {
  const listeners = new Set<() => void>();
  const scopes: StoreScope[] = [];
  const shared: RateLimitStore = {
    take: (request) => store.take(request),
    adjust: (request) => store.adjust(request),
    sync: (request) => store.sync(request),
    throttle: (request) => store.throttle(request),
    peek: (request) => store.peek(request),
    subscribe(scope, onRefund) {
      scopes.push(scope);
      listeners.add(onRefund);
      return () => listeners.delete(onRefund);
    },
    ...(wakeJitterMs === undefined ? {} : { wakeJitterMs }),
  };
  return { shared, listeners, scopes };
}

describe('a store that announces refunds', () => {
  it('wakes a waiter when another process refunds, before its computed wait is over', async () => {
    const base = createHarness();
    const { shared, listeners, scopes } = withSubscribe(base.store);
    const { limiter } = createHarness({ limits: oneRequestPerMinute, store: shared, clock: base.clock });
    await limiter.acquire({ model: sonnet, inputTokens: 0, maxOutputTokens: 0 });
    const waiting = track(limiter.acquire({ model: sonnet, inputTokens: 0, maxOutputTokens: 0 }));
    await base.clock.advance(0);
    expect(waiting.status).toBe('pending');
    // Another process gives its request back, then the store's channel announces it.
    const requests = { bucket: 'requests', capacity: 1, refillPerSecond: 1 / 60, amount: 1 } as const;
    await base.store.adjust({ scope: scopes[0]!, buckets: [requests] });
    for (const listener of listeners) listener();
    await base.clock.advance(0);
    expect(waiting.status).toBe('resolved');
  });

  it('stops listening when the limiter closes', async () => {
    const base = createHarness();
    const { shared, listeners } = withSubscribe(base.store);
    const { limiter } = createHarness({ limits: oneRequestPerMinute, store: shared, clock: base.clock });
    await limiter.acquire({ model: sonnet, inputTokens: 0, maxOutputTokens: 0 });
    expect(listeners.size).toBe(1);
    limiter.close();
    expect(listeners.size).toBe(0);
  });

  it('adds at most the jitter of the store to a computed wait', async () => {
    const base = createHarness();
    const { shared } = withSubscribe(base.store, 500);
    const { limiter } = createHarness({ limits: oneRequestPerMinute, store: shared, clock: base.clock });
    await limiter.acquire({ model: sonnet, inputTokens: 0, maxOutputTokens: 0 });
    const waiting = track(limiter.acquire({ model: sonnet, inputTokens: 0, maxOutputTokens: 0 }));
    await base.clock.advance(59_999);
    expect(waiting.status).toBe('pending');
    await base.clock.advance(501);
    expect(waiting.status).toBe('resolved');
  });
});
