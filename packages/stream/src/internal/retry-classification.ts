import type { HeadersLike, RetryReason } from '@bulwark/core';
import { getHeader, parseRetryAfterMs } from '@bulwark/core/internal';
import { StreamFailure } from './stream-failure.js';

/** What a failed attempt means for the next one. */
export interface FailureClassification {
  /** Whether another attempt may succeed. */
  retryable: boolean;
  /** Why it is retried; set for every failure, retryable or not, when it is known. */
  reason: RetryReason | undefined;
  /** The HTTP status, when a response arrived. */
  status?: number;
  /** The API error type (`rate_limit_error`, `overloaded_error`, ...). */
  errorType?: string;
  /** `error.details.error_code`, such as `enforced_spend_limit_reached`. */
  errorCode?: string;
  /** The response headers of an error response. */
  headers?: HeadersLike;
  /** The wait the server asked for (`retry-after-ms`, then `retry-after`). */
  retryAfterMs?: number;
}

/** The spend-limit 429: retrying does not help until someone raises the limit. */
export const spendLimitErrorCode = 'enforced_spend_limit_reached';

/** Mid-stream `event: error` types that are worth another attempt. */
const retryableStreamErrorTypes = new Set([
  'overloaded_error',
  'api_error',
  'rate_limit_error',
  'timeout_error',
]);

interface ErrorFields {
  name?: unknown;
  message?: unknown;
  status?: unknown;
  headers?: unknown;
  type?: unknown;
  errorCode?: unknown;
  error?: unknown;
  cause?: unknown;
}

function reasonForStatus(status: number, errorType: string | undefined): RetryReason | undefined {
  if (status === 408) return 'timeout';
  if (status === 409) return 'conflict';
  if (status === 429) return 'rate_limited';
  if (status === 529 || errorType === 'overloaded_error') return 'overloaded';
  if (status >= 500) return 'server_error';
  return undefined;
}

function errorCodeOf(fields: ErrorFields): string | undefined {
  if (typeof fields.errorCode === 'string') return fields.errorCode;
  const body = fields.error as { error?: { details?: { error_code?: unknown } } } | undefined;
  const code = body?.error?.details?.error_code;
  return typeof code === 'string' ? code : undefined;
}

/**
 * Classifies the error of one attempt: 408, 409, 429, 5xx and 529, connection errors, a dropped
 * socket, a mid-stream `overloaded_error` / `api_error`, a stream closed without
 * `message_stop`, a malformed frame and a stall are retryable; 400, 401, 403, 404, 413, a
 * spend-limit 429 and everything unknown are not. `x-should-retry` overrides the status
 * (never the spend limit). Aborts are the caller's business and are not classified here.
 *
 * `streamStarted` says whether the response body was being read, which tells a dropped stream
 * from a connection that failed before any response.
 */
export function classifyFailure(
  error: unknown,
  { streamStarted = false, nowMs = Date.now() }: { streamStarted?: boolean; nowMs?: number } = {},
): FailureClassification {
  if (error instanceof StreamFailure) {
    switch (error.kind) {
      case 'stall':
        return { retryable: true, reason: 'stall' };
      case 'incomplete':
        return { retryable: true, reason: 'stream_incomplete' };
      case 'malformed':
        return { retryable: true, reason: 'stream_malformed' };
      case 'timeout':
        return { retryable: true, reason: 'timeout' };
      case 'callback':
        // The caller's own callback threw: another attempt would only throw again.
        return { retryable: false, reason: undefined };
      case 'error_event': {
        const errorType = error.errorType;
        const retryable = errorType !== undefined && retryableStreamErrorTypes.has(errorType);
        const reason: RetryReason =
          errorType === 'overloaded_error'
            ? 'overloaded'
            : errorType === 'rate_limit_error'
              ? 'rate_limited'
              : 'stream_error';
        return { retryable, reason, ...(errorType === undefined ? {} : { errorType }) };
      }
    }
  }
  if (typeof error !== 'object' || error === null) return { retryable: false, reason: undefined };
  const fields = error as ErrorFields;
  const name = typeof fields.name === 'string' ? fields.name : '';

  if (typeof fields.status === 'number') {
    const status = fields.status;
    const errorType = typeof fields.type === 'string' ? fields.type : undefined;
    const errorCode = errorCodeOf(fields);
    const headers = (fields.headers ?? undefined) as HeadersLike | undefined;
    const retryAfterMs = parseRetryAfterMs(headers, nowMs);
    const base: FailureClassification = {
      retryable: false,
      reason: reasonForStatus(status, errorType),
      status,
      ...(errorType === undefined ? {} : { errorType }),
      ...(errorCode === undefined ? {} : { errorCode }),
      ...(headers === undefined ? {} : { headers }),
      ...(retryAfterMs === undefined ? {} : { retryAfterMs }),
    };
    if (errorCode === spendLimitErrorCode) return base;
    const shouldRetry = getHeader(headers, 'x-should-retry');
    if (shouldRetry === 'true') return { ...base, retryable: true, reason: base.reason ?? 'server_error' };
    if (shouldRetry === 'false') return base;
    return { ...base, retryable: base.reason !== undefined };
  }

  if (name === 'SyntaxError') return { retryable: true, reason: 'stream_malformed' };
  if (name === 'APIConnectionTimeoutError') return { retryable: true, reason: 'timeout' };
  if (name === 'APIConnectionError') return { retryable: true, reason: 'connection_error' };
  // A socket that drops while the body is read surfaces from fetch as `TypeError: terminated`
  // (undici), or as another network error on other runtimes: all of them mean the stream broke.
  if (streamStarted) return { retryable: true, reason: 'stream_dropped' };
  if (name === 'TypeError' || name === 'AnthropicError')
    return { retryable: true, reason: 'connection_error' };
  return { retryable: false, reason: undefined };
}
