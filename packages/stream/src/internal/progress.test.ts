import { describe, expect, it } from 'vitest';
import { computeProgress } from './progress.js';

describe('computeProgress', () => {
  it('derives rate, share of max_tokens and time left from tokens and elapsed time', () => {
    const figures = computeProgress({
      outputTokens: 500,
      maxTokens: 2000,
      startedAtMs: 10_000,
      nowMs: 15_000,
    });
    expect(figures.elapsedMs).toBe(5000);
    expect(figures.tokensPerSecond).toBe(100);
    expect(figures.percentOfMaxTokens).toBe(25);
    expect(figures.etaMs).toBe(15_000);
  });

  it('has no ETA before any time has passed', () => {
    expect(computeProgress({ outputTokens: 0, maxTokens: 10, startedAtMs: 5, nowMs: 5 }).etaMs).toBeNull();
  });

  it('caps the share at 100 when an estimate overshoots max_tokens', () => {
    const figures = computeProgress({ outputTokens: 150, maxTokens: 100, startedAtMs: 0, nowMs: 1000 });
    expect(figures.percentOfMaxTokens).toBe(100);
    expect(figures.etaMs).toBe(0);
  });
});
