/** Spreads a delay over ±20 % so that many pollers do not wake at once. */
export function jittered(delayMs: number, random: () => number): number {
  return Math.round(delayMs * (0.8 + 0.4 * random()));
}

/**
 * The wait before the next poll: back to `pollIntervalMs` when a batch moved since the last
 * poll, otherwise 1.5 times the last wait, up to `maxPollIntervalMs`.
 */
export function nextPollIntervalMs(
  currentMs: number,
  { pollIntervalMs, maxPollIntervalMs }: { pollIntervalMs: number; maxPollIntervalMs: number },
  progressed: boolean,
): number {
  if (progressed) return pollIntervalMs;
  return Math.min(maxPollIntervalMs, Math.max(pollIntervalMs, currentMs * 1.5));
}

/** The wait before retrying a failed call: the server's `retry-after` when it sent one, else 1, 2, 4 … 60 s. */
export function apiRetryDelayMs(
  attempt: number,
  retryAfterMs: number | undefined,
  random: () => number,
): number {
  if (retryAfterMs !== undefined) return retryAfterMs;
  return jittered(Math.min(60_000, 1_000 * 2 ** Math.max(0, attempt - 1)), random);
}
