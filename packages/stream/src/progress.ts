/** The figures of one `stream:progress` event, without its request fields. */
export interface ProgressFigures {
  outputTokens: number;
  tokensPerSecond: number;
  percentOfMaxTokens: number;
  etaMs: number | null;
  elapsedMs: number;
}

/**
 * Progress arithmetic: rate over the elapsed time, share of `max_tokens` (capped at 100) and
 * the time left to reach `max_tokens` at that rate (`null` while the rate is still 0). The ETA
 * is an upper bound: most responses stop before `max_tokens`.
 */
export function computeProgress({
  outputTokens,
  maxTokens,
  startedAtMs,
  nowMs,
}: {
  outputTokens: number;
  maxTokens: number;
  startedAtMs: number;
  nowMs: number;
}): ProgressFigures {
  const elapsedMs = Math.max(0, nowMs - startedAtMs);
  const tokensPerSecond = elapsedMs > 0 ? (outputTokens * 1000) / elapsedMs : 0;
  const percentOfMaxTokens = maxTokens > 0 ? Math.min(100, (outputTokens / maxTokens) * 100) : 0;
  const remaining = Math.max(0, maxTokens - outputTokens);
  const etaMs = tokensPerSecond > 0 ? Math.round((remaining / tokensPerSecond) * 1000) : null;
  return { outputTokens, tokensPerSecond, percentOfMaxTokens, etaMs, elapsedMs };
}
