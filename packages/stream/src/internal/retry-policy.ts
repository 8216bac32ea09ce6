import type { GiveUpReason } from '@bulwark/core';
import { computeRetryDelayMs } from './backoff.js';
import type { FailureClassification } from './retry-classification.js';
import type { RetrySettings } from './settings.js';

/** What a request has spent on retries so far. */
export interface RetryHistory {
  /** Retries that counted toward `maxRetries`. */
  countedRetries: number;
  /** Every wait so far, together (the server's `retry-after` of gate-paced 429s included). */
  totalDelayMs: number;
}

/** What happens after a failed attempt. */
export type RetryDecision =
  | {
      retry: true;
      /** The wait before the next attempt. */
      delayMs: number;
      /**
       * `backoff`: the client waits `delayMs` itself and the retry counts toward `maxRetries`.
       * `admission`: a rate-limit 429 the gate was told of; the gate makes the next `acquire`
       * wait, and the retry does not count.
       */
      pacedBy: 'backoff' | 'admission';
    }
  | { retry: false; giveUpReason: GiveUpReason; detail: string };

/**
 * Decides whether a failed attempt is tried again, after how long, and if not, why. The
 * server's `retry-after` is honoured up to `maxRetryAfterMs`; Bulwark's own backoff is capped
 * by `maxRetryDelayMs`; every wait counts toward `maxTotalRetryDelayMs`. With an admission
 * gate, a rate-limit 429 that says how long to wait is paced by the gate and does not use up
 * a retry (its wait still counts, so a server that always answers 429 cannot loop forever).
 */
export function decideRetry(
  classification: FailureClassification,
  history: RetryHistory,
  { retry, random, hasAdmission }: { retry: RetrySettings; random: () => number; hasAdmission: boolean },
): RetryDecision {
  if (!classification.retryable) {
    return { retry: false, giveUpReason: 'not_retryable', detail: 'the failure is not retryable' };
  }
  const { retryAfterMs } = classification;
  const pacedByAdmission =
    hasAdmission && classification.status === 429 && retryAfterMs !== undefined && retryAfterMs > 0;
  if (!pacedByAdmission && history.countedRetries >= retry.maxRetries) {
    return {
      retry: false,
      giveUpReason: 'max_retries',
      detail: `all ${retry.maxRetries} retries are used up`,
    };
  }
  if (retryAfterMs !== undefined && retryAfterMs > retry.maxRetryAfterMs) {
    return {
      retry: false,
      giveUpReason: 'retry_after_too_long',
      detail: `the server asked to wait ${retryAfterMs} ms, more than maxRetryAfterMs (${retry.maxRetryAfterMs} ms)`,
    };
  }
  const delayMs = computeRetryDelayMs({
    retryNumber: history.countedRetries + 1,
    retryAfterMs,
    initialRetryDelayMs: retry.initialRetryDelayMs,
    maxRetryDelayMs: retry.maxRetryDelayMs,
    random,
  });
  if (history.totalDelayMs + delayMs > retry.maxTotalRetryDelayMs) {
    return {
      retry: false,
      giveUpReason: 'total_delay_exhausted',
      detail: `waiting ${delayMs} ms more would pass maxTotalRetryDelayMs (${retry.maxTotalRetryDelayMs} ms; ${history.totalDelayMs} ms waited so far)`,
    };
  }
  return { retry: true, delayMs, pacedBy: pacedByAdmission ? 'admission' : 'backoff' };
}
