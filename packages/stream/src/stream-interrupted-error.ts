import type Anthropic from '@anthropic-ai/sdk';
import { BulwarkError, type GiveUpReason, type RetryReason } from '@bulwark/core';

const marker = 'bulwark.error.stream_interrupted';
const markerSymbol = Symbol.for(marker);

/**
 * A request failed for good, for the reason in `giveUpReason`: the failure was not retryable
 * (a 400, a spend-limit 429, ...), the retries ran out, the server asked for a longer wait
 * than `maxRetryAfterMs`, or the next wait would pass `maxTotalRetryDelayMs`. `partial` holds
 * the message received before it broke (text, thinking, tool input, citations, usage summed
 * over attempts), or `undefined` when nothing arrived. The SDK's error, if any, is the `cause`.
 */
export class StreamInterruptedError extends BulwarkError {
  readonly [markerSymbol] = true;
  readonly partial: Anthropic.Message | undefined;
  /** Attempts made, the failed one included. */
  readonly attempts: number;
  /** Why no further attempt was made. */
  readonly giveUpReason: GiveUpReason;
  /** Why the last attempt failed, when known (`overloaded`, `stream_dropped`, `stall`, ...). */
  readonly reason: RetryReason | undefined;
  /** The HTTP status of the last failure, when a response arrived. */
  readonly status: number | undefined;
  /** The API error type of the last failure (`invalid_request_error`, ...). */
  readonly errorType: string | undefined;
  /** `error.details.error_code` of the last failure (`enforced_spend_limit_reached`, ...). */
  readonly errorCode: string | undefined;

  constructor({
    message,
    cause,
    partial,
    attempts,
    giveUpReason,
    reason,
    status,
    errorType,
    errorCode,
    isRetryable = false,
  }: {
    message: string;
    cause?: unknown;
    partial: Anthropic.Message | undefined;
    attempts: number;
    giveUpReason: GiveUpReason;
    reason?: RetryReason | undefined;
    status?: number | undefined;
    errorType?: string | undefined;
    errorCode?: string | undefined;
    isRetryable?: boolean;
  }) {
    super({ message, code: 'stream_interrupted', cause, isRetryable });
    this.name = 'StreamInterruptedError';
    this.partial = partial;
    this.attempts = attempts;
    this.giveUpReason = giveUpReason;
    this.reason = reason;
    this.status = status;
    this.errorType = errorType;
    this.errorCode = errorCode;
  }

  static override isInstance(error: unknown): error is StreamInterruptedError {
    return BulwarkError.hasMarker(error, marker);
  }
}
