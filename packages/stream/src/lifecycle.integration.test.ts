import { AbortedError, type AdmissionGate, createBus, createManualClock } from '@bulwark/core';
import { describe, expect, it } from 'vitest';
import { createStreamingClient } from './streaming-client.js';
import { recordEvents, settleWithClock } from './test-support/harness.js';
import { useMockServer, withoutTimers } from './test-support/mock-server.js';

const mock = useMockServer({ seed: 31, outputTokens: { min: 40, max: 80 } });

const request = {
  model: 'claude-haiku-4-5',
  max_tokens: 600,
  messages: [{ role: 'user' as const, content: 'Say something.' }],
};

const closingNames = ['request:start', 'request:end', 'request:error'] as const;

/** The events that close a request: `request:end`, or `request:error` without a retry. */
function closingEvents(events: ReturnType<typeof recordEvents<(typeof closingNames)[number]>>) {
  return events.filter(
    (event) =>
      event.name === 'request:end' ||
      (event.name === 'request:error' && 'willRetry' in event.payload && !event.payload.willRetry),
  );
}

describe('every request ends with exactly one closing event', () => {
  it('reports a request the admission gate refuses, though no attempt started', async () => {
    const bus = createBus();
    const events = recordEvents(bus, closingNames);
    const refusal = Object.assign(new Error('Budget exceeded'), { code: 'budget_exceeded' });
    const gate: AdmissionGate = {
      acquire: () => Promise.reject(refusal),
      observe: () => {},
    };
    const client = createStreamingClient({ client: mock.sdk, bus, admission: gate, ...withoutTimers });
    await expect(client.createMessage(request, { requestId: 'refused' })).rejects.toBe(refusal);
    expect(events.map((event) => event.name)).toEqual(['request:error']);
    expect(events[0]?.payload).toMatchObject({
      requestId: 'refused',
      attempt: 1,
      willRetry: false,
      giveUpReason: 'not_retryable',
      error: { message: 'Budget exceeded', code: 'budget_exceeded' },
    });
    expect(mock.server.requests).toHaveLength(0);
  });

  it('closes a request aborted during its backoff wait, after the request:error that promised a retry', async () => {
    const bus = createBus();
    const clock = createManualClock(0);
    const events = recordEvents(bus, closingNames);
    mock.server.setFaults({ schedule: { 1: { kind: 'status', status: 529 } } });
    const client = createStreamingClient({
      client: mock.sdk,
      bus,
      clock,
      random: () => 0.5,
      ...withoutTimers,
    });
    const controller = new AbortController();
    bus.on('retry:scheduled', () => controller.abort(new Error('stop')));
    const outcome = await settleWithClock(
      client.createMessage(request, { signal: controller.signal }),
      clock,
    ).catch((error: unknown) => error);
    expect(AbortedError.isInstance(outcome)).toBe(true);
    expect(
      events.map((event) => [event.name, 'willRetry' in event.payload && event.payload.willRetry]),
    ).toEqual([
      ['request:start', false],
      ['request:error', true],
      ['request:error', false],
    ]);
    expect(closingEvents(events)).toHaveLength(1);
    expect(events[2]?.payload).not.toHaveProperty('giveUpReason');
  });

  it('closes a request whose signal was aborted before it began, without sending it', async () => {
    const bus = createBus();
    const events = recordEvents(bus, closingNames);
    const client = createStreamingClient({ client: mock.sdk, bus, ...withoutTimers });
    const outcome = await client
      .createMessage(request, { signal: AbortSignal.abort() })
      .catch((error: unknown) => error);
    expect(AbortedError.isInstance(outcome)).toBe(true);
    expect(closingEvents(events)).toHaveLength(1);
    expect(mock.server.requests).toHaveLength(0);
  });

  it('ends a completed request with the answer id and model, and a first-token event for a stream', async () => {
    const bus = createBus();
    const events = recordEvents(bus, closingNames);
    const firstTokens = recordEvents(bus, ['stream:first_token']);
    const client = createStreamingClient({ client: mock.sdk, bus, ...withoutTimers });
    const message = await client.createMessage({ ...request, stream: true });
    expect(closingEvents(events)).toHaveLength(1);
    expect(events.at(-1)?.payload).toMatchObject({ responseId: message.id, responseModel: message.model });
    expect(message.id).toMatch(/^msg_/);
    expect(firstTokens).toHaveLength(1);
    expect(firstTokens[0]?.payload).toMatchObject({ attempt: 1, model: request.model });
    expect(firstTokens[0]?.payload.timeToFirstTokenMs).toBeGreaterThanOrEqual(0);
  });
});
