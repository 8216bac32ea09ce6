import { APIConnectionError, APIConnectionTimeoutError, APIError } from '@anthropic-ai/sdk';
import { describe, expect, it } from 'vitest';
import { classifyFailure } from './retry-classification.js';
import { StreamFailure } from './stream-failure.js';

function statusError(status: number, type: string, headers: Record<string, string> = {}, details?: object) {
  return APIError.generate(
    status,
    { type: 'error', error: { type, message: 'x', ...(details ? { details } : {}) } },
    undefined,
    new Headers(headers),
  );
}

describe('classifyFailure', () => {
  it.each([
    [408, 'timeout_error', 'timeout'],
    [409, 'conflict_error', 'conflict'],
    [429, 'rate_limit_error', 'rate_limited'],
    [500, 'api_error', 'server_error'],
    [503, 'api_error', 'server_error'],
    [529, 'overloaded_error', 'overloaded'],
  ])('retries status %i', (status, type, reason) => {
    expect(classifyFailure(statusError(status, type))).toMatchObject({ retryable: true, reason, status });
  });

  it.each([
    [400, 'invalid_request_error'],
    [401, 'authentication_error'],
    [403, 'permission_error'],
    [404, 'not_found_error'],
    [413, 'request_too_large'],
  ])('never retries status %i', (status, type) => {
    expect(classifyFailure(statusError(status, type))).toMatchObject({ retryable: false, status });
  });

  it('never retries a spend-limit 429, whatever the headers say', () => {
    const error = statusError(
      429,
      'rate_limit_error',
      { 'x-should-retry': 'true' },
      {
        error_code: 'enforced_spend_limit_reached',
      },
    );
    expect(classifyFailure(error)).toMatchObject({
      retryable: false,
      status: 429,
      errorCode: 'enforced_spend_limit_reached',
    });
  });

  it('reads the wait from retry-after-ms before retry-after', () => {
    expect(classifyFailure(statusError(429, 'rate_limit_error', { 'retry-after': '3' })).retryAfterMs).toBe(
      3000,
    );
    expect(
      classifyFailure(statusError(429, 'rate_limit_error', { 'retry-after': '3', 'retry-after-ms': '250' }))
        .retryAfterMs,
    ).toBe(250);
  });

  it('obeys x-should-retry over the status', () => {
    expect(
      classifyFailure(statusError(400, 'invalid_request_error', { 'x-should-retry': 'true' })).retryable,
    ).toBe(true);
    expect(classifyFailure(statusError(503, 'api_error', { 'x-should-retry': 'false' })).retryable).toBe(
      false,
    );
  });

  it('retries connection errors and timeouts before a response', () => {
    expect(classifyFailure(new APIConnectionError({ cause: new TypeError('fetch failed') }))).toMatchObject({
      retryable: true,
      reason: 'connection_error',
    });
    expect(classifyFailure(new APIConnectionTimeoutError())).toMatchObject({
      retryable: true,
      reason: 'timeout',
    });
  });

  it('calls a socket that drops while the body is read a dropped stream', () => {
    expect(classifyFailure(new TypeError('terminated'), { streamStarted: true })).toMatchObject({
      retryable: true,
      reason: 'stream_dropped',
    });
  });

  it('retries mid-stream overloaded and api errors but not other error events', () => {
    const event = (errorType: string) => new StreamFailure('error_event', 'x', { errorType });
    expect(classifyFailure(event('overloaded_error'))).toMatchObject({
      retryable: true,
      reason: 'overloaded',
    });
    expect(classifyFailure(event('api_error'))).toMatchObject({ retryable: true, reason: 'stream_error' });
    expect(classifyFailure(event('invalid_request_error')).retryable).toBe(false);
  });

  it('retries a stall, an incomplete stream and a malformed frame', () => {
    expect(classifyFailure(new StreamFailure('stall', 'x')).reason).toBe('stall');
    expect(classifyFailure(new StreamFailure('incomplete', 'x')).reason).toBe('stream_incomplete');
    expect(classifyFailure(new StreamFailure('malformed', 'x')).reason).toBe('stream_malformed');
  });

  it("does not retry when the caller's own callback threw", () => {
    expect(classifyFailure(new StreamFailure('callback', 'x', { cause: new Error('bug') })).retryable).toBe(
      false,
    );
  });

  it('does not retry what it does not know', () => {
    expect(classifyFailure(new RangeError('bug')).retryable).toBe(false);
    expect(classifyFailure('a string').retryable).toBe(false);
  });
});
