import { InvalidArgumentError } from '@bulwark/core';
import { describe, expect, it } from 'vitest';
import { RequestTooLargeError } from './errors.js';
import { createRateLimiter } from './rate-limiter.js';
import { createHarness, sonnet, track, usage } from './test-support/limiter-harness.js';

const generous = {
  requestsPerMinute: 1_000,
  inputTokensPerMinute: 1_000_000,
  outputTokensPerMinute: 1_000_000,
};

describe('refill', () => {
  it('admits a full minute of requests at once and the next one after limit ÷ 60 per second', async () => {
    const { limiter, clock, eventsNamed } = createHarness({ limits: { ...generous, requestsPerMinute: 60 } });
    for (let index = 0; index < 60; index += 1) {
      await limiter.acquire({ model: sonnet, inputTokens: 1, maxOutputTokens: 1 });
    }
    const next = track(limiter.acquire({ model: sonnet, inputTokens: 1, maxOutputTokens: 1 }));
    await clock.flush();
    expect(next.status).toBe('pending');
    expect(eventsNamed('ratelimit:wait')[0]).toMatchObject({ bucket: 'requests', waitMs: 1000 });
    await clock.advance(999);
    expect(next.status).toBe('pending');
    await clock.advance(1);
    expect(next.status).toBe('resolved');
  });

  it('waits exactly as long as the input-token bucket needs to refill the shortfall', async () => {
    const { limiter, clock } = createHarness({ limits: { ...generous, inputTokensPerMinute: 6_000 } });
    await limiter.acquire({ model: sonnet, inputTokens: 6_000, maxOutputTokens: 1 });
    const next = track(limiter.acquire({ model: sonnet, inputTokens: 300, maxOutputTokens: 1 }));
    await clock.advance(2_999);
    expect(next.status).toBe('pending');
    await clock.advance(1);
    expect(next.status).toBe('resolved');
  });

  it('never refills a bucket beyond its per-minute limit', async () => {
    const { limiter, clock } = createHarness({ limits: { ...generous, requestsPerMinute: 10 } });
    await clock.advance(10 * 60_000);
    const admitted = [];
    for (let index = 0; index < 11; index += 1) {
      admitted.push(track(limiter.acquire({ model: sonnet, inputTokens: 0, maxOutputTokens: 0 })));
    }
    await clock.flush();
    expect(admitted.filter((state) => state.status === 'resolved')).toHaveLength(10);
  });
});

describe('oversize requests', () => {
  it('refuses at once a request needing more input tokens than the per-minute limit', async () => {
    const { limiter } = createHarness({ limits: { ...generous, inputTokensPerMinute: 1_000 } });
    const error = await limiter
      .acquire({ model: sonnet, inputTokens: 1_001, maxOutputTokens: 1 })
      .catch((e) => e);
    expect(RequestTooLargeError.isInstance(error)).toBe(true);
    expect(error).toMatchObject({ bucket: 'input_tokens', requested: 1_001, capacity: 1_000 });
  });

  it('holds at most a minute of output, since output counts as it is generated', async () => {
    const { limiter } = createHarness({
      limits: { ...generous, outputTokensPerMinute: 1_000 },
      outputReservation: 'max_tokens',
    });
    const reservation = await limiter.acquire({ model: sonnet, inputTokens: 1, maxOutputTokens: 5_000 });
    expect(reservation.outputTokens).toBe(1_000);
  });
});

describe('reserve and reconcile', () => {
  const limits = { requestsPerMinute: 100, inputTokensPerMinute: 10_000, outputTokensPerMinute: 10_000 };

  it('refunds output that was held but not generated', async () => {
    const { limiter } = createHarness({ limits, outputReservation: 'max_tokens' });
    const reservation = await limiter.acquire({ model: sonnet, inputTokens: 1_000, maxOutputTokens: 4_000 });
    reservation.reconcile(usage({ inputTokens: 1_000, outputTokens: 1_000 }));
    const { levels } = await limiter.levels(sonnet);
    expect(levels.outputTokens?.available).toBeCloseTo(9_000);
    expect(levels.inputTokens?.available).toBeCloseTo(9_000);
  });

  it('charges output generated beyond what was held', async () => {
    const { limiter } = createHarness({ limits, outputReservation: { fixedTokens: 100 } });
    const reservation = await limiter.acquire({ model: sonnet, inputTokens: 0, maxOutputTokens: 4_000 });
    expect(reservation.outputTokens).toBe(100);
    reservation.reconcile(usage({ outputTokens: 700 }));
    const { levels } = await limiter.levels(sonnet);
    expect(levels.outputTokens?.available).toBeCloseTo(9_300);
  });

  it('leaves cache reads out of input tokens by default and counts cache writes', async () => {
    const { limiter } = createHarness({ limits });
    const reservation = await limiter.acquire({ model: sonnet, inputTokens: 1_000, maxOutputTokens: 1 });
    reservation.reconcile(
      usage({ inputTokens: 200, cacheCreationInputTokens: 300, cacheReadInputTokens: 5_000 }),
    );
    const { levels } = await limiter.levels(sonnet);
    expect(levels.inputTokens?.available).toBeCloseTo(9_500);
  });

  it('counts cache reads for models the countsCacheReads option names', async () => {
    const { limiter } = createHarness({ limits, countsCacheReads: (model) => model === sonnet });
    const reservation = await limiter.acquire({ model: sonnet, inputTokens: 1_000, maxOutputTokens: 1 });
    reservation.reconcile(usage({ inputTokens: 200, cacheReadInputTokens: 5_000 }));
    const { levels } = await limiter.levels(sonnet);
    expect(levels.inputTokens?.available).toBeCloseTo(4_800);
  });

  it('gives everything back on release', async () => {
    const { limiter } = createHarness({ limits, outputReservation: 'max_tokens' });
    const reservation = await limiter.acquire({ model: sonnet, inputTokens: 3_000, maxOutputTokens: 2_000 });
    reservation.release();
    const { levels } = await limiter.levels(sonnet);
    expect(levels).toEqual({
      requests: { available: 100, capacity: 100 },
      inputTokens: { available: 10_000, capacity: 10_000 },
      outputTokens: { available: 10_000, capacity: 10_000 },
    });
  });

  it('takes effect only for the first of reconcile and release', async () => {
    const { limiter } = createHarness({ limits, outputReservation: 'max_tokens' });
    const reservation = await limiter.acquire({ model: sonnet, inputTokens: 1_000, maxOutputTokens: 1_000 });
    reservation.reconcile(usage({ inputTokens: 1_000, outputTokens: 500 }));
    reservation.release();
    reservation.reconcile(usage({ inputTokens: 0, outputTokens: 0 }));
    const { levels } = await limiter.levels(sonnet);
    expect(levels.inputTokens?.available).toBeCloseTo(9_000);
    expect(levels.outputTokens?.available).toBeCloseTo(9_500);
  });

  it('reserves max_tokens for an unseen model, then a running estimate of its real output', async () => {
    const { limiter } = createHarness({ limits });
    const first = await limiter.acquire({ model: sonnet, inputTokens: 0, maxOutputTokens: 2_000 });
    expect(first.outputTokens).toBe(2_000);
    first.reconcile(usage({ outputTokens: 400 }));
    const second = await limiter.acquire({ model: sonnet, inputTokens: 0, maxOutputTokens: 2_000 });
    expect(second.outputTokens).toBeGreaterThanOrEqual(400);
    expect(second.outputTokens).toBeLessThan(2_000);
  });

  it('emits ratelimit:admit with the levels after the take', async () => {
    const { limiter, eventsNamed } = createHarness({ limits, outputReservation: { fixedTokens: 50 } });
    await limiter.acquire({ model: sonnet, inputTokens: 100, maxOutputTokens: 500, requestId: 'r1' });
    expect(eventsNamed('ratelimit:admit')).toEqual([
      {
        requestId: 'r1',
        model: sonnet,
        modelClass: 'claude-sonnet-4',
        inputTokens: 100,
        outputTokens: 50,
        waitedMs: 0,
        levels: {
          requests: { available: 99, capacity: 100 },
          inputTokens: { available: 9_900, capacity: 10_000 },
          outputTokens: { available: 9_950, capacity: 10_000 },
        },
      },
    ]);
  });
});

describe('reconciliation through the reservation', () => {
  const limits = { requestsPerMinute: 100, inputTokensPerMinute: 10_000, outputTokensPerMinute: 10_000 };

  it('takes the first reconcile and ignores a later one', async () => {
    const { limiter } = createHarness({ limits, outputReservation: 'max_tokens' });
    const reservation = await limiter.acquire({ model: sonnet, inputTokens: 1_000, maxOutputTokens: 1_000 });
    reservation.reconcile(usage({ inputTokens: 1_000, outputTokens: 200 }));
    reservation.reconcile(usage({ inputTokens: 1_000, outputTokens: 900 }));
    reservation.release();
    const { levels } = await limiter.levels(sonnet);
    expect(levels.outputTokens?.available).toBeCloseTo(9_800);
    expect(levels.requests?.available).toBeCloseTo(99);
  });

  it('does not listen to usage events on its bus: the holder settles, not an observer', async () => {
    const { limiter, bus } = createHarness({ limits, outputReservation: 'max_tokens' });
    const reservation = await limiter.acquire({
      model: sonnet,
      inputTokens: 0,
      maxOutputTokens: 1_000,
      requestId: 'r1',
    });
    expect(bus.listenerCount('usage')).toBe(0);
    bus.emit('usage', {
      requestId: 'r1',
      model: sonnet,
      attempt: 1,
      usage: usage({ outputTokens: 100 }),
      partial: false,
    });
    expect((await limiter.levels(sonnet)).levels.outputTokens?.available).toBeCloseTo(9_000);
    reservation.reconcile(usage({ outputTokens: 300 }));
    expect((await limiter.levels(sonnet)).levels.outputTokens?.available).toBeCloseTo(9_700);
  });

  it('charges partial usage but learns output lengths only from complete calls', async () => {
    const { limiter } = createHarness({ limits });
    const broken = await limiter.acquire({ model: sonnet, inputTokens: 0, maxOutputTokens: 2_000 });
    expect(broken.outputTokens).toBe(2_000);
    broken.reconcile(usage({ outputTokens: 10 }), { partial: true });
    const next = await limiter.acquire({ model: sonnet, inputTokens: 0, maxOutputTokens: 2_000 });
    expect(next.outputTokens).toBe(2_000);
    next.reconcile(usage({ outputTokens: 400 }));
    const third = await limiter.acquire({ model: sonnet, inputTokens: 0, maxOutputTokens: 2_000 });
    expect(third.outputTokens).toBeLessThan(2_000);
  });
});

describe('bad input', () => {
  it.each([
    ['limits.requestsPerMinute', { limits: { requestsPerMinute: -1 } }],
    ['limits.inputTokensPerMinute', { limits: { inputTokensPerMinute: Number.NaN } }],
    ['limits.outputTokensPerMinute', { limits: { outputTokensPerMinute: Number.POSITIVE_INFINITY } }],
    ['limits.tokensPerHour', { limits: { tokensPerHour: 5 } }],
    [
      'limitsByModelClass["claude-opus-4"].maxInFlight',
      { limitsByModelClass: { 'claude-opus-4': { maxInFlight: 0 } } },
    ],
    ['maxWaitMs', { maxWaitMs: -5 }],
    ['outputReservation', { outputReservation: 'everything' }],
    ['budgets.week', { budgets: { week: { maxTokens: 1 } } }],
    ['retries', { retries: 3 }],
  ])('refuses a bad option %s, naming it', (argument, options) => {
    let error: unknown;
    try {
      createRateLimiter(options as never);
    } catch (caught) {
      error = caught;
    }
    expect(InvalidArgumentError.isInstance(error)).toBe(true);
    expect((error as InvalidArgumentError).argument).toBe(`options.${argument}`);
  });

  it('refuses negative tokens in acquire, naming the field and the value', async () => {
    const { limiter } = createHarness();
    const error = await limiter
      .acquire({ model: sonnet, inputTokens: -3, maxOutputTokens: 1 })
      .catch((e) => e);
    expect(error).toBeInstanceOf(InvalidArgumentError);
    expect(error).toMatchObject({ argument: 'request.inputTokens', value: -3 });
  });

  it('refuses an unknown model when there is no default class', async () => {
    const { limiter } = createHarness();
    const error = await limiter
      .acquire({ model: 'my-model', inputTokens: 1, maxOutputTokens: 1 })
      .catch((e) => e);
    expect(error).toMatchObject({ argument: 'request.model', value: 'my-model' });
  });

  it('maps unknown models through modelClasses or to defaultModelClass', async () => {
    const { limiter } = createHarness({
      modelClasses: { 'my-sonnet': 'claude-sonnet-4' },
      defaultModelClass: 'other',
      limitsByModelClass: { 'claude-sonnet-4': { requestsPerMinute: 7 } },
    });
    expect((await limiter.levels('my-sonnet')).modelClass).toBe('claude-sonnet-4');
    expect(limiter.limitsOf('my-sonnet').requestsPerMinute).toBe(7);
    expect((await limiter.levels('some-model')).modelClass).toBe('other');
  });
});
