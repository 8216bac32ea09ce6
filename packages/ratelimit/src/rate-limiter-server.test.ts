import type { Reservation } from '@bulwark/core';
import { describe, expect, it } from 'vitest';
import { SpendLimitError } from './errors.js';
import { createHarness, sonnet, track, usage } from './test-support/limiter-harness.js';

const limits = { requestsPerMinute: 100, inputTokensPerMinute: 10_000, outputTokensPerMinute: 10_000 };

function rateLimitHeaders(remaining: { requests?: number; input?: number; output?: number }, limit = limits) {
  return {
    'anthropic-ratelimit-requests-limit': String(limit.requestsPerMinute),
    'anthropic-ratelimit-requests-remaining': String(remaining.requests ?? limit.requestsPerMinute),
    'anthropic-ratelimit-input-tokens-limit': String(limit.inputTokensPerMinute),
    'anthropic-ratelimit-input-tokens-remaining': String(remaining.input ?? limit.inputTokensPerMinute),
    'anthropic-ratelimit-output-tokens-limit': String(limit.outputTokensPerMinute),
    'anthropic-ratelimit-output-tokens-remaining': String(remaining.output ?? limit.outputTokensPerMinute),
  };
}

describe('header sync', () => {
  it('lowers levels to what the server says remains, since other processes share the key', async () => {
    const { limiter, clock, eventsNamed } = createHarness({ limits });
    limiter.observe({
      model: sonnet,
      status: 200,
      headers: rateLimitHeaders({ requests: 40, input: 2_345, output: 7_777 }),
    });
    await clock.flush();
    const { levels } = await limiter.levels(sonnet);
    expect(levels.requests?.available).toBe(40);
    expect(levels.inputTokens?.available).toBe(2_345);
    expect(levels.outputTokens?.available).toBe(7_777);
    expect(eventsNamed('ratelimit:update')[0]).toMatchObject({
      source: 'headers',
      modelClass: 'claude-sonnet-4',
    });
  });

  it('raises levels when the server says more remains than held, minus calls still in flight', async () => {
    const { limiter, clock } = createHarness({ limits, outputReservation: 'max_tokens' });
    const done = await limiter.acquire({ model: sonnet, inputTokens: 6_000, maxOutputTokens: 3_000 });
    done.reconcile(usage({ inputTokens: 6_000, outputTokens: 3_000 }));
    await limiter.acquire({ model: sonnet, inputTokens: 1_000, maxOutputTokens: 2_000 });
    expect((await limiter.levels(sonnet)).levels.inputTokens?.available).toBe(3_000);
    limiter.observe({
      model: sonnet,
      status: 200,
      headers: rateLimitHeaders({ requests: 99, input: 8_999, output: 9_999 }),
    });
    await clock.flush();
    const { levels } = await limiter.levels(sonnet);
    expect(levels.outputTokens?.available).toBe(7_999);
    expect(levels.inputTokens?.available).toBe(7_999);
  });

  /** Two calls in flight (input 1,000 and 2,000; output 500 each), and headers for one of them. */
  async function twoOpenCalls() {
    const harness = createHarness({ limits, outputReservation: { fixedTokens: 500 } });
    const answered = await harness.limiter.acquire({
      model: sonnet,
      inputTokens: 1_000,
      maxOutputTokens: 1_000,
    });
    await harness.limiter.acquire({ model: sonnet, inputTokens: 2_000, maxOutputTokens: 1_000 });
    const observe = async (reservation: Reservation) => {
      const headers = rateLimitHeaders({ requests: 97, input: 6_999, output: 8_999 });
      harness.limiter.observe({ model: sonnet, status: 200, headers, reservation });
      await harness.clock.flush();
      return (await harness.limiter.levels(sonnet)).levels;
    };
    return { ...harness, answered, observe };
  }

  it('counts the answered call once: its request and input are in the server’s remaining, not pending', async () => {
    const { answered, observe } = await twoOpenCalls();
    const levels = await observe(answered);
    // Remaining minus the other open call only; output stays pending for both (still coming).
    expect(levels.requests?.available).toBe(96);
    expect(levels.inputTokens?.available).toBe(4_999);
    expect(levels.outputTokens?.available).toBe(7_999);
  });

  it('subtracts only the calls still open when the answered call was reconciled first', async () => {
    const { answered, observe } = await twoOpenCalls();
    answered.reconcile(usage({ inputTokens: 1_000, outputTokens: 500 }));
    const levels = await observe(answered);
    expect(levels.requests?.available).toBe(96);
    expect(levels.inputTokens?.available).toBe(4_999);
    expect(levels.outputTokens?.available).toBe(8_499);
  });

  it('ignores a reservation another limiter made', async () => {
    const { observe } = await twoOpenCalls();
    const other = createHarness({ limits, outputReservation: { fixedTokens: 500 } }).limiter;
    const foreign = await other.acquire({ model: sonnet, inputTokens: 1_000, maxOutputTokens: 1_000 });
    const levels = await observe(foreign);
    // Both of this limiter's calls stay pending.
    expect(levels.requests?.available).toBe(95);
    expect(levels.inputTokens?.available).toBe(3_999);
  });

  it('reads a round token figure as up to 500 lower, since the API rounds to thousands', async () => {
    const { limiter, clock } = createHarness({ limits });
    limiter.observe({ model: sonnet, status: 200, headers: rateLimitHeaders({ input: 3_000 }) });
    await clock.flush();
    expect((await limiter.levels(sonnet)).levels.inputTokens?.available).toBe(2_500);
  });

  it('adopts the server’s limits, keeping a lower configured one', async () => {
    const { limiter, clock } = createHarness({ limits: { requestsPerMinute: 20 } });
    limiter.observe({
      model: sonnet,
      status: 200,
      headers: rateLimitHeaders(
        {},
        { requestsPerMinute: 50, inputTokensPerMinute: 40_000, outputTokensPerMinute: 9_000 },
      ),
    });
    await clock.flush();
    expect(limiter.limitsOf(sonnet)).toEqual({
      requestsPerMinute: 20,
      inputTokensPerMinute: 40_000,
      outputTokensPerMinute: 9_000,
    });
  });

  it('starts conservative with no limits, one call at a time, until the first response', async () => {
    const { limiter, clock } = createHarness();
    const first = await limiter.acquire({ model: sonnet, inputTokens: 100, maxOutputTokens: 100 });
    const second = track(limiter.acquire({ model: sonnet, inputTokens: 100, maxOutputTokens: 100 }));
    await clock.flush();
    expect(second.status).toBe('pending');
    limiter.observe({ model: sonnet, status: 200, headers: rateLimitHeaders({}) });
    await clock.flush();
    expect(second.status).toBe('resolved');
    expect(limiter.limitsOf(sonnet)).toEqual({
      requestsPerMinute: 100,
      inputTokensPerMinute: 10_000,
      outputTokensPerMinute: 10_000,
    });
    first.reconcile(usage({ inputTokens: 100, outputTokens: 10 }));
  });
});

describe('429 and retry-after', () => {
  it('pauses admission of the class for every waiter until retry-after has passed', async () => {
    const { limiter, clock, eventsNamed } = createHarness({ limits });
    limiter.observe({
      model: sonnet,
      status: 429,
      errorType: 'rate_limit_error',
      headers: { 'retry-after': '5' },
    });
    await clock.flush();
    const waiters = [1, 2, 3].map(() =>
      track(limiter.acquire({ model: sonnet, inputTokens: 10, maxOutputTokens: 10 })),
    );
    await clock.advance(4_999);
    expect(waiters.map((waiter) => waiter.status)).toEqual(['pending', 'pending', 'pending']);
    await clock.advance(1);
    expect(waiters.map((waiter) => waiter.status)).toEqual(['resolved', 'resolved', 'resolved']);
    const [throttled] = eventsNamed('ratelimit:throttled');
    expect(throttled).toMatchObject({
      reason: 'rate_limit',
      retryAfterMs: 5_000,
      resumeAt: Date.UTC(2026, 0, 1) + 5_000,
    });
    expect(eventsNamed('ratelimit:wait')[0]?.bucket).toBe('throttled');
  });

  it('does not pause other model classes', async () => {
    const { limiter, clock } = createHarness({ limits });
    limiter.observe({ model: sonnet, status: 429, headers: { 'retry-after': '30' } });
    await clock.flush();
    await expect(
      limiter.acquire({ model: 'claude-opus-4-5', inputTokens: 1, maxOutputTokens: 1 }),
    ).resolves.toBeDefined();
  });

  it('refuses waiters and callers with a non-retryable SpendLimitError after a spend-limit 429', async () => {
    const { limiter, clock, eventsNamed } = createHarness({
      limits: { ...limits, requestsPerMinute: 60 },
      spendLimitPauseMs: 10_000,
    });
    for (let index = 0; index < 60; index += 1)
      await limiter.acquire({ model: sonnet, inputTokens: 0, maxOutputTokens: 0 });
    const waiter = track(limiter.acquire({ model: sonnet, inputTokens: 0, maxOutputTokens: 0 }));
    await clock.flush();
    limiter.observe({
      model: sonnet,
      status: 429,
      errorType: 'rate_limit_error',
      errorCode: 'enforced_spend_limit_reached',
    });
    await clock.flush();
    expect(SpendLimitError.isInstance(waiter.error)).toBe(true);
    expect((waiter.error as SpendLimitError).isRetryable).toBe(false);
    const caller = await limiter
      .acquire({ model: 'claude-opus-4-5', inputTokens: 0, maxOutputTokens: 0 })
      .catch((e) => e);
    expect(SpendLimitError.isInstance(caller)).toBe(true);
    expect(eventsNamed('ratelimit:throttled')[0]?.reason).toBe('spend_limit');
    await clock.advance(10_000);
    await expect(
      limiter.acquire({ model: 'claude-opus-4-5', inputTokens: 0, maxOutputTokens: 0 }),
    ).resolves.toBeDefined();
  });
});
