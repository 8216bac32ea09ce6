import { costOfUsage, InvalidArgumentError } from '@bulwark/core';
import { describe, expect, it } from 'vitest';
import { BudgetExceededError } from './errors.js';
import { periodStartMs } from './internal/usage-totals.js';
import { createHarness, sonnet, usage } from './test-support/limiter-harness.js';

const limits = {
  requestsPerMinute: 1_000,
  inputTokensPerMinute: 1_000_000,
  outputTokensPerMinute: 1_000_000,
};
const prices = { 'claude-sonnet-4': { inputPerMillionTokens: 3, outputPerMillionTokens: 15 } };

describe('budgets', () => {
  it('refuses a call that would pass the hourly token budget before it is made', async () => {
    const { limiter, eventsNamed } = createHarness({
      limits,
      outputReservation: { fixedTokens: 100 },
      budgets: { hour: { maxTokens: 1_000 } },
    });
    await limiter.acquire({ model: sonnet, inputTokens: 500, maxOutputTokens: 1_000 });
    const error = await limiter
      .acquire({ model: sonnet, inputTokens: 500, maxOutputTokens: 1_000, requestId: 'r2' })
      .catch((e) => e);
    expect(BudgetExceededError.isInstance(error)).toBe(true);
    expect(error).toMatchObject({ period: 'hour', kind: 'tokens', limit: 1_000, used: 600, requested: 600 });
    expect(eventsNamed('budget:exceeded')).toEqual([
      {
        requestId: 'r2',
        model: sonnet,
        period: 'hour',
        kind: 'tokens',
        limit: 1_000,
        used: 600,
        requested: 600,
      },
    ]);
  });

  it('reports how much of each cap is used after every settled call, held calls included', async () => {
    const { limiter, eventsNamed } = createHarness({
      limits,
      prices,
      outputReservation: { fixedTokens: 100 },
      budgets: { hour: { maxTokens: 10_000 }, day: { maxCostUsd: 1 } },
    });
    const held = await limiter.acquire({ model: sonnet, inputTokens: 400, maxOutputTokens: 1_000 });
    const settled = await limiter.acquire({ model: sonnet, inputTokens: 1_000, maxOutputTokens: 1_000 });
    settled.reconcile(usage({ inputTokens: 1_000, outputTokens: 1_000 }));
    const cost = costOfUsage(usage({ inputTokens: 1_000, outputTokens: 1_000 }), prices['claude-sonnet-4']);
    const heldCost = costOfUsage(usage({ inputTokens: 400, outputTokens: 100 }), prices['claude-sonnet-4']);
    const levels = eventsNamed('budget:level');
    expect(levels).toHaveLength(2);
    expect(levels[0]).toEqual({
      model: sonnet,
      period: 'hour',
      kind: 'tokens',
      limit: 10_000,
      used: 2_500,
      share: 0.25,
    });
    expect(levels[1]).toMatchObject({ model: sonnet, period: 'day', kind: 'cost', limit: 1 });
    expect(levels[1]?.used).toBeCloseTo(cost + heldCost, 12);
    held.release();
    expect(eventsNamed('budget:level')).toHaveLength(2);
  });

  it('counts what calls really used once reconciled', async () => {
    const { limiter } = createHarness({
      limits,
      outputReservation: { fixedTokens: 100 },
      budgets: { hour: { maxTokens: 1_000 } },
    });
    const first = await limiter.acquire({ model: sonnet, inputTokens: 500, maxOutputTokens: 1_000 });
    first.reconcile(usage({ inputTokens: 200, outputTokens: 50 }));
    await expect(
      limiter.acquire({ model: sonnet, inputTokens: 600, maxOutputTokens: 1_000 }),
    ).resolves.toBeDefined();
  });

  it('refuses a call that would pass the daily cost budget, priced per model class', async () => {
    const { limiter } = createHarness({
      limits,
      outputReservation: 'max_tokens',
      prices,
      budgets: { day: { maxCostUsd: 0.02 } },
    });
    // 1 000 input × $3/M + 1 000 output × $15/M = $0.018
    const first = await limiter.acquire({ model: sonnet, inputTokens: 1_000, maxOutputTokens: 1_000 });
    first.reconcile(usage({ inputTokens: 1_000, outputTokens: 1_000 }));
    const error = await limiter
      .acquire({ model: sonnet, inputTokens: 1_000, maxOutputTokens: 1_000 })
      .catch((e) => e);
    expect(error).toMatchObject({ period: 'day', kind: 'cost', limit: 0.02 });
    expect(error.used).toBeCloseTo(0.018);
  });

  it('needs a price for a model when a cost budget is set', async () => {
    const { limiter } = createHarness({ limits, budgets: { month: { maxCostUsd: 10 } } });
    const error = await limiter
      .acquire({ model: sonnet, inputTokens: 1, maxOutputTokens: 1 })
      .catch((e) => e);
    expect(InvalidArgumentError.isInstance(error)).toBe(true);
    expect(error.argument).toBe(`options.prices["${sonnet}"]`);
  });

  it('gives the budget back when a call is released', async () => {
    const { limiter } = createHarness({
      limits,
      outputReservation: { fixedTokens: 0 },
      budgets: { hour: { maxTokens: 1_000 } },
    });
    const first = await limiter.acquire({ model: sonnet, inputTokens: 800, maxOutputTokens: 1 });
    first.release();
    await expect(
      limiter.acquire({ model: sonnet, inputTokens: 800, maxOutputTokens: 1 }),
    ).resolves.toBeDefined();
  });

  it('starts a new hour afresh but keeps counting the day', async () => {
    const { limiter, clock } = createHarness({
      limits,
      outputReservation: { fixedTokens: 0 },
      budgets: { hour: { maxTokens: 1_000 }, day: { maxTokens: 1_500 } },
    });
    const first = await limiter.acquire({ model: sonnet, inputTokens: 900, maxOutputTokens: 1 });
    first.reconcile(usage({ inputTokens: 900 }));
    await clock.advance(60 * 60_000);
    await expect(
      limiter.acquire({ model: sonnet, inputTokens: 500, maxOutputTokens: 1 }),
    ).resolves.toBeDefined();
    const error = await limiter
      .acquire({ model: sonnet, inputTokens: 200, maxOutputTokens: 1 })
      .catch((e) => e);
    expect(error).toMatchObject({ period: 'day', kind: 'tokens' });
  });

  it('reports usage per model and period, with cost', async () => {
    const { limiter } = createHarness({ limits, prices, outputReservation: { fixedTokens: 0 } });
    const call = await limiter.acquire({ model: sonnet, inputTokens: 100, maxOutputTokens: 1 });
    const used = usage({ inputTokens: 100, outputTokens: 40, cacheReadInputTokens: 1_000 });
    call.reconcile(used);
    const other = await limiter.acquire({ model: 'claude-haiku-4-5', inputTokens: 10, maxOutputTokens: 1 });
    other.reconcile(usage({ inputTokens: 10, outputTokens: 5 }));
    const report = limiter.usage();
    expect(report.day.byModel[sonnet]).toEqual({
      requests: 1,
      usage: used,
      tokens: 1_140,
      costUsd: costOfUsage(used, prices['claude-sonnet-4']),
    });
    expect(report.month.total.requests).toBe(2);
    expect(report.month.total.costUsd).toBeUndefined();
    expect(report.hour.startMs).toBe(periodStartMs('hour', Date.UTC(2026, 0, 1)));
  });
});

describe('usage across periods', () => {
  it('sums finished hours and the current one into the day and month, and starts a new day afresh', async () => {
    const { limiter, clock } = createHarness({ limits, outputReservation: { fixedTokens: 0 } });
    const call = async (inputTokens: number) => {
      const reservation = await limiter.acquire({ model: sonnet, inputTokens, maxOutputTokens: 1 });
      reservation.reconcile(usage({ inputTokens }));
    };
    await call(100);
    await clock.advance(60 * 60_000);
    await call(20);
    let report = limiter.usage();
    expect([report.hour.total.tokens, report.day.total.tokens, report.month.total.tokens]).toEqual([
      20, 120, 120,
    ]);
    expect(report.day.byModel[sonnet]?.requests).toBe(2);
    await clock.advance(24 * 60 * 60_000);
    await call(3);
    report = limiter.usage();
    expect([report.hour.total.tokens, report.day.total.tokens, report.month.total.tokens]).toEqual([
      3, 3, 123,
    ]);
  });
});

describe('periodStartMs', () => {
  it('gives the start of the UTC hour, day and month', () => {
    const at = Date.UTC(2026, 4, 17, 13, 45, 12);
    expect(periodStartMs('hour', at)).toBe(Date.UTC(2026, 4, 17, 13));
    expect(periodStartMs('day', at)).toBe(Date.UTC(2026, 4, 17));
    expect(periodStartMs('month', at)).toBe(Date.UTC(2026, 4, 1));
  });
});
