import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { computeRetryDelayMs } from './backoff.js';

describe('computeRetryDelayMs', () => {
  it('uses the wait the server asked for, without jitter', () => {
    expect(computeRetryDelayMs({ retryNumber: 3, retryAfterMs: 1234, random: () => 0.5 })).toBe(1234);
  });

  it('spreads the first retry over the whole initial window (full jitter)', () => {
    expect(computeRetryDelayMs({ retryNumber: 1, initialRetryDelayMs: 1000, random: () => 0 })).toBe(0);
    expect(computeRetryDelayMs({ retryNumber: 1, initialRetryDelayMs: 1000, random: () => 0.5 })).toBe(500);
  });

  it('doubles the window with each retry', () => {
    const at = (retryNumber: number) =>
      computeRetryDelayMs({ retryNumber, initialRetryDelayMs: 100, maxRetryDelayMs: 1e9, random: () => 0.5 });
    expect([at(1), at(2), at(3), at(4)]).toEqual([50, 100, 200, 400]);
  });

  it('never exceeds the cap and never goes negative', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 200 }), fc.double({ min: 0, max: 1, noNaN: true }), (n, r) => {
        const delay = computeRetryDelayMs({ retryNumber: n, maxRetryDelayMs: 5000, random: () => r });
        return delay >= 0 && delay <= 5000;
      }),
    );
  });
});
