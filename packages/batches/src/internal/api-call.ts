import type { Bus, Clock, HeadersLike } from '@bulwark/core';
import { isAbortError } from '@bulwark/core';
import { parseRetryAfterMs, sleep, summarizeError } from '@bulwark/core/internal';
import { BatchApiError, type BatchOperation } from '../errors.js';
import { apiRetryDelayMs } from './backoff.js';

/** What the runner needs to know of a failed call. */
export interface ApiFailure {
  /** Another try may succeed: 408, 409, 429, 5xx, a connection or stream failure. */
  retryable: boolean;
  status: number | undefined;
  /** The API's error type (`rate_limit_error`, ...), when it sent one. */
  type: string | undefined;
  /** The wait the response asked for (`retry-after-ms`, `retry-after`). */
  retryAfterMs: number | undefined;
}

/** Reads an SDK error (or a broken results stream) into an `ApiFailure`. */
export function classifyApiFailure(error: unknown, nowMs: number): ApiFailure {
  const fields = (typeof error === 'object' && error !== null ? error : {}) as {
    status?: unknown;
    headers?: unknown;
    type?: unknown;
  };
  const status = typeof fields.status === 'number' ? fields.status : undefined;
  const type = typeof fields.type === 'string' ? fields.type : undefined;
  const headers = (fields.headers ?? undefined) as HeadersLike | undefined;
  const retryAfterMs = parseRetryAfterMs(headers, nowMs);
  // No status: the connection failed or the body broke off; the same call may well work again.
  const retryable =
    status === undefined || status === 408 || status === 409 || status === 429 || status >= 500;
  return { retryable, status, type, retryAfterMs };
}

/** The runner's settings every call shares. */
export interface ApiCallContext {
  jobId: string;
  bus: Bus;
  clock: Clock;
  random: () => number;
  /** Retries of one call after a transient failure. */
  maxApiRetries: number;
}

/** Wraps a final failure of `operation` as a `BatchApiError`. */
export function batchApiError(
  operation: BatchOperation,
  batchId: string | undefined,
  error: unknown,
  failure: ApiFailure,
  attempts: number,
): BatchApiError {
  const what = batchId === undefined ? operation : `${operation} ${batchId}`;
  const reason = error instanceof Error ? error.message : String(error);
  return new BatchApiError({
    operation,
    batchId,
    status: failure.status,
    message: failure.retryable
      ? `Message Batches ${what} still failing after ${attempts} attempts: ${reason}`
      : `Message Batches ${what} refused: ${reason}`,
    cause: error,
    isRetryable: failure.retryable,
  });
}

/**
 * Runs one call to the batch endpoints, retrying transient failures with backoff (the
 * server's `retry-after` honoured) and emitting `batch:throttled` before each wait. Aborts pass
 * through untouched; a refusal or the last failure becomes a `BatchApiError`.
 */
export async function callWithRetries<T>(
  context: ApiCallContext,
  operation: BatchOperation,
  batchId: string | undefined,
  call: () => Promise<T>,
  signal?: AbortSignal,
): Promise<T> {
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await call();
    } catch (error) {
      if (isAbortError(error) || signal?.aborted) throw error;
      const failure = classifyApiFailure(error, context.clock.now());
      if (!failure.retryable || attempt > context.maxApiRetries) {
        throw batchApiError(operation, batchId, error, failure, attempt);
      }
      const delayMs = apiRetryDelayMs(attempt, failure.retryAfterMs, context.random);
      context.bus.emit('batch:throttled', {
        jobId: context.jobId,
        operation,
        ...(batchId === undefined ? {} : { batchId }),
        error: summarizeError(error, { status: failure.status, type: failure.type }),
        delayMs,
        attempt,
      });
      await sleep(context.clock, delayMs, signal);
    }
  }
}
