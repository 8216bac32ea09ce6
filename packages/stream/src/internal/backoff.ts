/** What `computeRetryDelayMs` needs to know. */
export interface RetryDelayInput {
  /** 1 for the first retry. */
  retryNumber: number;
  /** The wait the server asked for, which wins over backoff when present. */
  retryAfterMs?: number | undefined;
  /** The first backoff step. @default 500 */
  initialRetryDelayMs?: number;
  /** The cap on any single backoff step. @default 60000 */
  maxRetryDelayMs?: number;
  /** A number in [0, 1), for the jitter. @default Math.random */
  random?: () => number;
}

/**
 * The wait before a retry: the server's `retry-after` when it sent one; otherwise exponential
 * backoff with full jitter, `random() × min(maxRetryDelayMs, initialRetryDelayMs × 2^(n−1))`,
 * which spreads clients that failed together over the whole window.
 */
export function computeRetryDelayMs({
  retryNumber,
  retryAfterMs,
  initialRetryDelayMs = 500,
  maxRetryDelayMs = 60_000,
  random = Math.random,
}: RetryDelayInput): number {
  if (retryAfterMs !== undefined && Number.isFinite(retryAfterMs) && retryAfterMs >= 0) return retryAfterMs;
  const exponent = Math.max(0, retryNumber - 1);
  const ceiling = Math.min(maxRetryDelayMs, initialRetryDelayMs * 2 ** Math.min(exponent, 52));
  const fraction = Math.min(Math.max(random(), 0), 1);
  return Math.floor(fraction * ceiling);
}
