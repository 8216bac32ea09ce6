import { describe, expect, it } from 'vitest';
import { costOfUsage, defaultPriceOf, priceOf } from './prices.js';
import { emptyUsage } from './usage.js';

describe('prices', () => {
  it('knows the list prices by generation, and nothing for unknown models', () => {
    expect(defaultPriceOf('claude-opus-4-5-20251101')).toEqual({
      inputPerMillionTokens: 5,
      outputPerMillionTokens: 25,
    });
    expect(defaultPriceOf('claude-opus-4-1')).toEqual({
      inputPerMillionTokens: 15,
      outputPerMillionTokens: 75,
    });
    expect(defaultPriceOf('claude-sonnet-4-6')).toEqual({
      inputPerMillionTokens: 3,
      outputPerMillionTokens: 15,
    });
    expect(defaultPriceOf('claude-haiku-4-5')).toEqual({
      inputPerMillionTokens: 1,
      outputPerMillionTokens: 5,
    });
    expect(defaultPriceOf('claude-3-5-haiku-20241022')).toEqual({
      inputPerMillionTokens: 0.8,
      outputPerMillionTokens: 4,
    });
    expect(defaultPriceOf('claude-opus-5')).toBeUndefined();
    expect(defaultPriceOf('my-model')).toBeUndefined();
  });

  it('prefers a configured price by id, then by class, then the default', () => {
    const table = {
      'claude-sonnet-4-6': { inputPerMillionTokens: 1, outputPerMillionTokens: 2 },
      'claude-opus-4': { inputPerMillionTokens: 7, outputPerMillionTokens: 8 },
    };
    expect(priceOf('claude-sonnet-4-6', table)?.inputPerMillionTokens).toBe(1);
    expect(priceOf('claude-opus-4-7', table)?.inputPerMillionTokens).toBe(7);
    expect(priceOf('claude-haiku-4-5', table)?.inputPerMillionTokens).toBe(1);
    expect(priceOf('claude-sonnet-4-5', undefined)?.inputPerMillionTokens).toBe(3);
  });

  it('costs each kind of token at its rate, and half of that at batch prices', () => {
    const usage = {
      ...emptyUsage(),
      inputTokens: 1_000_000,
      outputTokens: 100_000,
      cacheCreationInputTokens: 200_000,
      cacheReadInputTokens: 500_000,
    };
    const price = { inputPerMillionTokens: 3, outputPerMillionTokens: 15 };
    // 3 + 1.5 + 0.2 × 3.75 + 0.5 × 0.3
    expect(costOfUsage(usage, price)).toBeCloseTo(3 + 1.5 + 0.75 + 0.15, 10);
    expect(costOfUsage(usage, price, { batch: true })).toBeCloseTo((3 + 1.5 + 0.75 + 0.15) / 2, 10);
    expect(
      costOfUsage(usage, { ...price, cacheWritePerMillionTokens: 10, cacheReadPerMillionTokens: 1 }),
    ).toBeCloseTo(3 + 1.5 + 2 + 0.5, 10);
  });
});
