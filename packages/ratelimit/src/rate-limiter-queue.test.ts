import { AbortedError } from '@bulwark/core';
import { describe, expect, it } from 'vitest';
import { QueueFullError, WaitTimeoutError } from './errors.js';
import { createHarness, sonnet, track } from './test-support/limiter-harness.js';

const oneRequestPerSecond = {
  requestsPerMinute: 60,
  inputTokensPerMinute: 1_000_000,
  outputTokensPerMinute: 1_000_000,
};

/** Uses up the requests bucket so the next callers queue. */
async function exhaustRequests(harness: ReturnType<typeof createHarness>, count = 60) {
  for (let index = 0; index < count; index += 1) {
    await harness.limiter.acquire({ model: sonnet, inputTokens: 0, maxOutputTokens: 0 });
  }
}

describe('queue order', () => {
  it('serves a higher priority first, then first come first served', async () => {
    const harness = createHarness({ limits: oneRequestPerSecond });
    await exhaustRequests(harness);
    const order: string[] = [];
    const enqueue = (name: string, priority: number) =>
      harness.limiter
        .acquire({ model: sonnet, inputTokens: 0, maxOutputTokens: 0, priority })
        .then(() => order.push(name));
    const all = Promise.all([
      enqueue('low-1', 0),
      enqueue('high-1', 5),
      enqueue('low-2', 0),
      enqueue('high-2', 5),
    ]);
    await harness.clock.advance(4_000);
    await all;
    expect(order).toEqual(['high-1', 'high-2', 'low-1', 'low-2']);
  });

  it('does not let a stream of small requests overtake a large one that waits', async () => {
    const harness = createHarness({
      limits: { requestsPerMinute: 10_000, inputTokensPerMinute: 6_000, outputTokensPerMinute: 1_000_000 },
    });
    await harness.limiter.acquire({ model: sonnet, inputTokens: 5_000, maxOutputTokens: 0 });
    const order: string[] = [];
    const large = harness.limiter
      .acquire({ model: sonnet, inputTokens: 6_000, maxOutputTokens: 0 })
      .then(() => order.push('large'));
    const small: Promise<unknown>[] = [];
    for (let index = 0; index < 20; index += 1) {
      small.push(
        harness.limiter
          .acquire({ model: sonnet, inputTokens: 100, maxOutputTokens: 0 })
          .then(() => order.push(`small-${index}`)),
      );
      await harness.clock.advance(500);
    }
    await harness.clock.advance(120_000);
    await Promise.all([large, ...small]);
    expect(order[0]).toBe('large');
  });

  it('raises a waiting caller’s priority as it ages, so low priorities are not starved', async () => {
    const harness = createHarness({ limits: oneRequestPerSecond, priorityAgingMs: 2_000 });
    await exhaustRequests(harness);
    const order: string[] = [];
    const low = harness.limiter
      .acquire({ model: sonnet, inputTokens: 0, maxOutputTokens: 0, priority: 0 })
      .then(() => order.push('low'));
    // A new priority-1 caller arrives every half second, more than one per refill.
    const high: Promise<unknown>[] = [];
    for (let index = 0; index < 12; index += 1) {
      high.push(
        harness.limiter
          .acquire({ model: sonnet, inputTokens: 0, maxOutputTokens: 0, priority: 1 })
          .then(() => order.push(`high-${index}`)),
      );
      await harness.clock.advance(500);
    }
    await harness.clock.advance(20_000);
    await Promise.all([low, ...high]);
    expect(order.indexOf('low')).toBeGreaterThan(0);
    expect(order.indexOf('low')).toBeLessThan(order.length - 1);
  });
});

describe('abort, timeouts and queue length', () => {
  it('removes an aborted waiter at once with AbortedError and lets the next one go', async () => {
    const harness = createHarness({
      limits: { requestsPerMinute: 10_000, inputTokensPerMinute: 6_000, outputTokensPerMinute: 1_000_000 },
    });
    await harness.limiter.acquire({ model: sonnet, inputTokens: 6_000, maxOutputTokens: 0 });
    const controller = new AbortController();
    const large = track(
      harness.limiter.acquire({
        model: sonnet,
        inputTokens: 6_000,
        maxOutputTokens: 0,
        signal: controller.signal,
      }),
    );
    await harness.clock.advance(1_000);
    const small = track(harness.limiter.acquire({ model: sonnet, inputTokens: 100, maxOutputTokens: 0 }));
    await harness.clock.flush();
    expect(small.status).toBe('pending');
    controller.abort();
    await harness.clock.flush();
    expect(large.status).toBe('rejected');
    expect(AbortedError.isInstance(large.error)).toBe(true);
    expect(small.status).toBe('resolved');
  });

  it('refuses an already aborted signal without queueing', async () => {
    const { limiter } = createHarness({ limits: oneRequestPerSecond });
    const error = await limiter
      .acquire({ model: sonnet, inputTokens: 0, maxOutputTokens: 0, signal: AbortSignal.abort() })
      .catch((e) => e);
    expect(AbortedError.isInstance(error)).toBe(true);
  });

  it('fails at once when the known wait is longer than maxWaitMs', async () => {
    const harness = createHarness({ limits: oneRequestPerSecond, maxWaitMs: 500 });
    await exhaustRequests(harness);
    const waiter = track(harness.limiter.acquire({ model: sonnet, inputTokens: 0, maxOutputTokens: 0 }));
    await harness.clock.flush();
    expect(waiter.status).toBe('rejected');
    expect(WaitTimeoutError.isInstance(waiter.error)).toBe(true);
  });

  it('times out a waiter behind others after maxWaitMs', async () => {
    const harness = createHarness({ limits: oneRequestPerSecond, maxWaitMs: 2_500 });
    await exhaustRequests(harness);
    const waiters = [0, 1, 2].map(() =>
      track(harness.limiter.acquire({ model: sonnet, inputTokens: 0, maxOutputTokens: 0 })),
    );
    await harness.clock.advance(2_500);
    expect(waiters.map((waiter) => waiter.status)).toEqual(['resolved', 'resolved', 'rejected']);
    expect(WaitTimeoutError.isInstance(waiters[2]?.error)).toBe(true);
  });

  it('refuses a caller with QueueFullError when maxQueueLength callers wait', async () => {
    const harness = createHarness({ limits: oneRequestPerSecond, maxQueueLength: 2 });
    await exhaustRequests(harness);
    track(harness.limiter.acquire({ model: sonnet, inputTokens: 0, maxOutputTokens: 0 }));
    track(harness.limiter.acquire({ model: sonnet, inputTokens: 0, maxOutputTokens: 0 }));
    const third = await harness.limiter
      .acquire({ model: sonnet, inputTokens: 0, maxOutputTokens: 0 })
      .catch((e) => e);
    expect(QueueFullError.isInstance(third)).toBe(true);
  });

  it('caps calls in flight with maxInFlight, admitting the next when one settles', async () => {
    const harness = createHarness({ limits: { ...oneRequestPerSecond, maxInFlight: 1 } });
    const first = await harness.limiter.acquire({ model: sonnet, inputTokens: 0, maxOutputTokens: 0 });
    const second = track(harness.limiter.acquire({ model: sonnet, inputTokens: 0, maxOutputTokens: 0 }));
    await harness.clock.flush();
    expect(second.status).toBe('pending');
    expect(harness.eventsNamed('ratelimit:wait')[0]?.bucket).toBe('in_flight');
    first.release();
    await harness.clock.flush();
    expect(second.status).toBe('resolved');
  });

  it('rejects every waiter when closed', async () => {
    const harness = createHarness({ limits: oneRequestPerSecond });
    await exhaustRequests(harness);
    const waiter = track(harness.limiter.acquire({ model: sonnet, inputTokens: 0, maxOutputTokens: 0 }));
    harness.limiter.close();
    await harness.clock.flush();
    expect(AbortedError.isInstance(waiter.error)).toBe(true);
    expect(harness.clock.pendingTimers).toBe(0);
  });
});
