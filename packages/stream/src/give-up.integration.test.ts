import { type AdmissionGate, createBus, createManualClock } from '@bulwark/core';
import { getHeader } from '@bulwark/core/internal';
import type { Fault } from '@bulwark/testing';
import { describe, expect, it } from 'vitest';
import type { RetryOptions } from './options.js';
import { StreamInterruptedError } from './stream-interrupted-error.js';
import { createStreamingClient } from './streaming-client.js';
import { createRecordingGate, recordEvents, settleWithClock, textOf } from './test-support/harness.js';
import { useMockServer, withoutTimers } from './test-support/mock-server.js';

const mock = useMockServer({ seed: 31, outputTokens: { min: 20, max: 60 } });

const request = {
  model: 'claude-haiku-4-5',
  max_tokens: 6000,
  messages: [{ role: 'user' as const, content: 'Once more, please.' }],
};

/** Every attempt of the request gets `fault`, through the mock's per-request header. */
function always(fault: Fault) {
  return { headers: { 'x-bulwark-fault': JSON.stringify(fault) } };
}

function rateLimited(retryAfterSeconds: number): Fault {
  return { kind: 'status', status: 429, retryAfterSeconds };
}

async function run({
  retry,
  admission,
  faults,
}: {
  retry?: RetryOptions;
  admission?: AdmissionGate;
  faults?: Fault;
}) {
  const clock = createManualClock(0);
  const bus = createBus();
  const errorEvents = recordEvents(bus, ['request:error']);
  const retryEvents = recordEvents(bus, ['retry:scheduled']);
  const client = createStreamingClient({
    client: mock.sdk,
    bus,
    clock,
    random: () => 0,
    ...withoutTimers,
    ...(retry ? { retry } : {}),
    ...(admission ? { admission } : {}),
  });
  const outcome = await settleWithClock(
    client.createMessage(request, faults ? always(faults) : {}),
    clock,
  ).then(
    (message) => ({ message, error: undefined }),
    (error: unknown) => ({ message: undefined, error }),
  );
  const retries = retryEvents.map((event) => event.payload);
  const errors = errorEvents.map((event) => event.payload);
  return { ...outcome, retries, errors, waitedMs: clock.now() };
}

function interrupted(error: unknown): StreamInterruptedError {
  expect(StreamInterruptedError.isInstance(error)).toBe(true);
  return error as StreamInterruptedError;
}

describe('waits the server asks for', () => {
  it("honours a 2 s retry-after although maxRetryDelayMs is 300 ms: that caps only Bulwark's backoff", async () => {
    mock.server.setFaults({ schedule: { 1: rateLimited(2) } });
    const outcome = await run({ retry: { maxRetryDelayMs: 300 } });
    expect(textOf(outcome.message)).toBe(mock.server.expectedText(request));
    expect(outcome.retries).toMatchObject([{ reason: 'rate_limited', delayMs: 2000 }]);
    expect(outcome.waitedMs).toBe(2000);
  });

  it('gives up with retry_after_too_long when the server asks for more than maxRetryAfterMs', async () => {
    mock.server.setFaults({ schedule: { 1: rateLimited(120) } });
    const outcome = await run({});
    const error = interrupted(outcome.error);
    expect(error.giveUpReason).toBe('retry_after_too_long');
    expect(error.message).toContain(
      'the server asked to wait 120000 ms, more than maxRetryAfterMs (60000 ms)',
    );
    expect(error.message).not.toContain('retries');
    expect(outcome.errors).toMatchObject([{ willRetry: false, giveUpReason: 'retry_after_too_long' }]);
    expect(mock.server.requests).toHaveLength(1);
    expect(outcome.waitedMs).toBe(0);
  });

  it('waits for a long retry-after when maxRetryAfterMs allows it', async () => {
    mock.server.setFaults({ schedule: { 1: rateLimited(120) } });
    const outcome = await run({ retry: { maxRetryAfterMs: 180_000 } });
    expect(textOf(outcome.message)).toBe(mock.server.expectedText(request));
    expect(outcome.waitedMs).toBe(120_000);
  });
});

describe('the reason a request gives up', () => {
  it('says not_retryable for a 400, on the error and on the last request:error', async () => {
    const outcome = await run({
      faults: { kind: 'status', status: 400, errorType: 'invalid_request_error' },
    });
    const error = interrupted(outcome.error);
    expect(error.giveUpReason).toBe('not_retryable');
    expect(error.message).toContain('the failure is not retryable');
    expect(outcome.errors).toMatchObject([{ willRetry: false, giveUpReason: 'not_retryable' }]);
  });

  it('says not_retryable for a spend-limit 429, even with an admission gate', async () => {
    const { gate } = createRecordingGate();
    const outcome = await run({ admission: gate, faults: { kind: 'spend_limit' } });
    expect(interrupted(outcome.error).giveUpReason).toBe('not_retryable');
    expect(mock.server.requests).toHaveLength(1);
  });

  it('says max_retries once every retry is used up', async () => {
    const outcome = await run({ retry: { maxRetries: 2 }, faults: { kind: 'status', status: 529 } });
    const error = interrupted(outcome.error);
    expect(error.giveUpReason).toBe('max_retries');
    expect(error.attempts).toBe(3);
    expect(error.message).toContain('all 2 retries are used up');
    expect(outcome.errors.map((event) => [event.willRetry, event.giveUpReason])).toEqual([
      [true, undefined],
      [true, undefined],
      [false, 'max_retries'],
    ]);
  });

  it('says total_delay_exhausted when the next wait would pass maxTotalRetryDelayMs', async () => {
    const outcome = await run({ retry: { maxTotalRetryDelayMs: 7000 }, faults: rateLimited(3) });
    const error = interrupted(outcome.error);
    expect(error.giveUpReason).toBe('total_delay_exhausted');
    expect(error.message).toContain('would pass maxTotalRetryDelayMs (7000 ms; 6000 ms waited so far)');
    expect(outcome.retries.map((retry) => retry.delayMs)).toEqual([3000, 3000]);
    expect(outcome.waitedMs).toBe(6000);
    expect(mock.server.requests).toHaveLength(3);
  });
});

describe('rate-limit 429s paced by an admission gate', () => {
  it('does not count them toward maxRetries, and leaves the waiting to the gate', async () => {
    mock.server.setFaults({
      schedule: {
        1: rateLimited(1),
        2: rateLimited(1),
        3: rateLimited(1),
        4: { kind: 'status', status: 529 },
      },
    });
    const { gate, calls } = createRecordingGate();
    const outcome = await run({ admission: gate, retry: { maxRetries: 1 } });
    expect(textOf(outcome.message)).toBe(mock.server.expectedText(request));
    expect(mock.server.requests).toHaveLength(5);
    expect(outcome.retries.map((retry) => [retry.reason, retry.delayMs])).toEqual([
      ['rate_limited', 1000],
      ['rate_limited', 1000],
      ['rate_limited', 1000],
      ['overloaded', 0],
    ]);
    // The client slept for none of the 429s (the recording gate admits at once).
    expect(outcome.waitedMs).toBe(0);
    const throttles = calls.flatMap((call) =>
      call.kind === 'observe' && call.feedback.status === 429 ? [call.feedback] : [],
    );
    expect(throttles).toHaveLength(3);
    for (const feedback of throttles) expect(getHeader(feedback.headers, 'retry-after')).toBe('1');
  });

  it('still stops at maxTotalRetryDelayMs when the server always answers 429', async () => {
    const { gate, calls } = createRecordingGate();
    const outcome = await run({
      admission: gate,
      retry: { maxRetries: 0, maxTotalRetryDelayMs: 10_000 },
      faults: rateLimited(3),
    });
    const error = interrupted(outcome.error);
    expect(error.giveUpReason).toBe('total_delay_exhausted');
    expect(error.attempts).toBe(4);
    expect(outcome.retries.map((retry) => retry.delayMs)).toEqual([3000, 3000, 3000]);
    expect(calls.filter((call) => call.kind === 'acquire')).toHaveLength(4);
  });

  it('counts a 429 without retry-after as an ordinary retry', async () => {
    const { gate } = createRecordingGate();
    const outcome = await run({
      admission: gate,
      retry: { maxRetries: 1 },
      faults: { kind: 'status', status: 429 },
    });
    expect(interrupted(outcome.error).giveUpReason).toBe('max_retries');
    expect(mock.server.requests).toHaveLength(2);
  });
});
