import { describe, expect, it } from 'vitest';
import { apiRetryDelayMs, jittered, nextPollIntervalMs } from './backoff.js';

const polling = { pollIntervalMs: 1_000, maxPollIntervalMs: 5_000 };

describe('polling backoff', () => {
  it('grows 1.5x per poll that saw no change, up to the maximum', () => {
    const waits = [1_000];
    for (let poll = 0; poll < 6; poll += 1) waits.push(nextPollIntervalMs(waits.at(-1)!, polling, false));
    expect(waits).toEqual([1_000, 1_500, 2_250, 3_375, 5_000, 5_000, 5_000]);
  });

  it('goes back to the first interval when a batch moved', () => {
    expect(nextPollIntervalMs(5_000, polling, true)).toBe(1_000);
  });

  it('spreads waits over ±20 %', () => {
    expect(jittered(1_000, () => 0)).toBe(800);
    expect(jittered(1_000, () => 0.999_999)).toBe(1_200);
  });
});

describe('retry delays of failed calls', () => {
  it("honours the server's retry-after", () => {
    expect(apiRetryDelayMs(3, 7_000, () => 0.5)).toBe(7_000);
  });

  it('doubles from one second up to a minute without one', () => {
    expect([1, 2, 3, 7, 10].map((attempt) => apiRetryDelayMs(attempt, undefined, () => 0.5))).toEqual([
      1_000, 2_000, 4_000, 60_000, 60_000,
    ]);
  });
});
