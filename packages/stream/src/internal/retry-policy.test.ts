import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { FailureClassification } from './retry-classification.js';
import { decideRetry } from './retry-policy.js';
import type { RetrySettings } from './settings.js';

const retry: RetrySettings = {
  maxRetries: 3,
  initialRetryDelayMs: 500,
  maxRetryDelayMs: 300,
  maxRetryAfterMs: 60_000,
  maxTotalRetryDelayMs: 10_000,
};
const fresh = { countedRetries: 0, totalDelayMs: 0 };
const overloaded: FailureClassification = { retryable: true, reason: 'overloaded', status: 529 };
const rateLimited = (retryAfterMs?: number): FailureClassification => ({
  retryable: true,
  reason: 'rate_limited',
  status: 429,
  ...(retryAfterMs === undefined ? {} : { retryAfterMs }),
});
const options = (hasAdmission = false) => ({ retry, random: () => 0.99, hasAdmission });

describe('decideRetry', () => {
  it('caps its own backoff by maxRetryDelayMs', () => {
    expect(
      decideRetry(
        overloaded,
        { countedRetries: 5, totalDelayMs: 0 },
        { ...options(), retry: { ...retry, maxRetries: 9 } },
      ),
    ).toEqual({
      retry: true,
      delayMs: 297,
      pacedBy: 'backoff',
    });
  });

  it("honours the server's retry-after above maxRetryDelayMs", () => {
    expect(decideRetry(rateLimited(2000), fresh, options())).toEqual({
      retry: true,
      delayMs: 2000,
      pacedBy: 'backoff',
    });
  });

  it('lets the gate pace a 429 with a retry-after, without counting it', () => {
    const decision = decideRetry(rateLimited(2000), { countedRetries: 3, totalDelayMs: 0 }, options(true));
    expect(decision).toEqual({ retry: true, delayMs: 2000, pacedBy: 'admission' });
  });

  it('gives each reason for giving up', () => {
    const reason = (classification: FailureClassification, history = fresh, hasAdmission = false) => {
      const decision = decideRetry(classification, history, options(hasAdmission));
      return decision.retry ? undefined : decision.giveUpReason;
    };
    expect(reason({ retryable: false, reason: undefined, status: 400 })).toBe('not_retryable');
    expect(reason(overloaded, { countedRetries: 3, totalDelayMs: 0 })).toBe('max_retries');
    expect(reason(rateLimited(60_001))).toBe('retry_after_too_long');
    expect(reason(rateLimited(60_001), fresh, true)).toBe('retry_after_too_long');
    expect(reason(rateLimited(3000), { countedRetries: 0, totalDelayMs: 8000 }, true)).toBe(
      'total_delay_exhausted',
    );
  });

  it('never lets the waits of one request pass maxTotalRetryDelayMs, nor counted retries pass maxRetries', () => {
    const failure = fc.oneof(
      fc.constant(overloaded),
      fc.integer({ min: 0, max: 70_000 }).map((retryAfterMs) => rateLimited(retryAfterMs)),
      fc.constant(rateLimited()),
    );
    fc.assert(
      fc.property(fc.array(failure, { maxLength: 200 }), fc.boolean(), (failures, hasAdmission) => {
        const history = { countedRetries: 0, totalDelayMs: 0 };
        for (const classification of failures) {
          const decision = decideRetry(classification, history, options(hasAdmission));
          if (!decision.retry) break;
          history.totalDelayMs += decision.delayMs;
          if (decision.pacedBy === 'backoff') history.countedRetries += 1;
        }
        expect(history.totalDelayMs).toBeLessThanOrEqual(retry.maxTotalRetryDelayMs);
        expect(history.countedRetries).toBeLessThanOrEqual(retry.maxRetries);
      }),
    );
  });
});
