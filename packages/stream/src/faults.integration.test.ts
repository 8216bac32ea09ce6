import Anthropic from '@anthropic-ai/sdk';
import {
  AbortedError,
  type BulwarkEventName,
  type BulwarkEvents,
  createBus,
  createManualClock,
} from '@bulwark/core';
import { type Fault, startMockServer } from '@bulwark/testing';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { StreamingClientOptions } from './options.js';
import { StreamInterruptedError } from './stream-interrupted-error.js';
import { createStreamingClient } from './streaming-client.js';
import { createRecordingGate, recordEvents, settleWithClock, textOf } from './test-support/harness.js';

// claude-haiku-4-5 accepts prefill; claude-opus-4-6 does not (it gets the user-turn continuation).
const prefillModel = 'claude-haiku-4-5';
const userTurnModel = 'claude-opus-4-6';

let server: Awaited<ReturnType<typeof startMockServer>>;
let sdk: Anthropic;

beforeAll(async () => {
  server = await startMockServer({ seed: 7, outputTokens: { min: 60, max: 120 } });
  sdk = new Anthropic({ apiKey: 'test-key', baseURL: server.url, maxRetries: 2 });
});
afterAll(async () => {
  await server.close();
});
beforeEach(() => {
  server.reset();
  server.setFaults({});
});

function params(model = prefillModel, content = 'Tell me a story.') {
  return { model, max_tokens: 8000, messages: [{ role: 'user' as const, content }] };
}

function setup(options: StreamingClientOptions = {}) {
  const clock = createManualClock(1_000_000);
  const bus = createBus();
  const events = recordEvents(bus, [
    'request:start',
    'request:error',
    'retry:scheduled',
    'stream:resume',
    'stream:stall',
    'usage',
    'request:end',
  ]);
  const client = createStreamingClient({
    client: sdk,
    bus,
    clock,
    stallTimeoutMs: Number.POSITIVE_INFINITY,
    progressIntervalMs: Number.POSITIVE_INFINITY,
    ...options,
  });
  return { client, clock, bus, events };
}

/** Runs one request with `fault` on its first attempt; returns what the caller saw. */
async function runWithFault(fault: Fault, model = prefillModel, options: StreamingClientOptions = {}) {
  server.setFaults({ schedule: { 1: fault } });
  const { client, clock, events } = setup(options);
  let delivered = '';
  const request = params(model);
  const outcome = await settleWithClock(
    client.createMessage(request, { onText: (text) => (delivered += text) }),
    clock,
  ).then(
    (message) => ({ message, error: undefined }),
    (error: unknown) => ({ message: undefined, error }),
  );
  return { ...outcome, delivered, events, expected: server.expectedText(request), request };
}

function named<Name extends BulwarkEventName>(
  events: ReadonlyArray<{ name: BulwarkEventName; payload: unknown }>,
  name: Name,
): Array<{ name: Name; payload: BulwarkEvents[Name] }> {
  return events.filter((event) => event.name === name) as Array<{ name: Name; payload: BulwarkEvents[Name] }>;
}

describe('one fault per request, with the real SDK over loopback', () => {
  it('waits for retry-after on a 429 and then succeeds', async () => {
    const run = await runWithFault({ kind: 'status', status: 429, retryAfterSeconds: 3 });
    expect(textOf(run.message)).toBe(run.expected);
    const retries = named(run.events, 'retry:scheduled').map((event) => event.payload);
    expect(retries).toMatchObject([{ reason: 'rate_limited', status: 429, delayMs: 3000, resume: false }]);
    expect(server.requests.map((entry) => entry.status)).toEqual([429, 200]);
  });

  it('retries a 529', async () => {
    const run = await runWithFault({ kind: 'status', status: 529, errorType: 'overloaded_error' });
    expect(textOf(run.message)).toBe(run.expected);
    expect(named(run.events, 'retry:scheduled')[0]?.payload).toMatchObject({
      reason: 'overloaded',
      status: 529,
    });
  });

  it('retries a 500', async () => {
    const run = await runWithFault({ kind: 'status', status: 500, errorType: 'api_error' });
    expect(textOf(run.message)).toBe(run.expected);
    expect(named(run.events, 'retry:scheduled')[0]?.payload).toMatchObject({
      reason: 'server_error',
      status: 500,
    });
  });

  it('retries a connection reset before the headers', async () => {
    const run = await runWithFault({ kind: 'reset_before_headers' });
    expect(textOf(run.message)).toBe(run.expected);
    expect(named(run.events, 'retry:scheduled')[0]?.payload).toMatchObject({ reason: 'connection_error' });
  });

  it.each([prefillModel, userTurnModel])('resumes a socket dropped mid-stream (%s)', async (model) => {
    const run = await runWithFault({ kind: 'drop', afterEvents: 20 }, model);
    expect(textOf(run.message)).toBe(run.expected);
    expect(run.delivered).toBe(run.expected);
    expect(named(run.events, 'retry:scheduled')[0]?.payload).toMatchObject({
      reason: 'stream_dropped',
      resume: true,
    });
    expect(named(run.events, 'stream:resume')[0]?.payload).toMatchObject({
      strategy: model === prefillModel ? 'prefill' : 'user_turn',
    });
    expect(server.requests[1]?.continuation).toBe(model === prefillModel ? 'prefill' : 'user_turn');
  });

  it('resumes a stream closed without message_stop', async () => {
    const run = await runWithFault({ kind: 'close_without_stop', afterEvents: 15 });
    expect(run.delivered).toBe(run.expected);
    expect(named(run.events, 'retry:scheduled')[0]?.payload).toMatchObject({
      reason: 'stream_incomplete',
      resume: true,
    });
  });

  it('resumes after a mid-stream overloaded error event', async () => {
    const run = await runWithFault({ kind: 'error_event', afterEvents: 12, errorType: 'overloaded_error' });
    expect(run.delivered).toBe(run.expected);
    expect(named(run.events, 'retry:scheduled')[0]?.payload).toMatchObject({
      reason: 'overloaded',
      resume: true,
    });
  });

  it('resumes after a malformed frame', async () => {
    const run = await runWithFault({ kind: 'malformed', afterEvents: 12 });
    expect(run.delivered).toBe(run.expected);
    expect(named(run.events, 'retry:scheduled')[0]?.payload).toMatchObject({ reason: 'stream_malformed' });
  });

  it('does not retry a spend-limit 429', async () => {
    const run = await runWithFault({ kind: 'spend_limit' });
    expect(StreamInterruptedError.isInstance(run.error)).toBe(true);
    expect(run.error).toMatchObject({ status: 429, errorCode: 'enforced_spend_limit_reached', attempts: 1 });
    expect(server.requests).toHaveLength(1);
  });

  it('does not retry a 400', async () => {
    const run = await runWithFault({ kind: 'status', status: 400, errorType: 'invalid_request_error' });
    expect(StreamInterruptedError.isInstance(run.error)).toBe(true);
    expect(run.error).toMatchObject({ status: 400, attempts: 1 });
    expect(server.requests).toHaveLength(1);
  });

  it('gives up with the partial message once retries run out', async () => {
    server.setFaults({
      schedule: { 1: { kind: 'drop', afterEvents: 20 }, 2: { kind: 'status', status: 529 } },
    });
    const { client, clock } = setup({ retry: { maxRetries: 1 } });
    let delivered = '';
    const error = await settleWithClock(
      client.createMessage(params(), { onText: (text) => (delivered += text) }),
      clock,
    ).catch((reason: unknown) => reason);
    expect(StreamInterruptedError.isInstance(error)).toBe(true);
    const partial = (error as StreamInterruptedError).partial;
    expect(textOf(partial)).toBe(delivered);
    expect(delivered.length).toBeGreaterThan(0);
    expect(server.expectedText(params()).startsWith(delivered)).toBe(true);
  });

  it('stops at once on abort mid-stream, keeping what arrived, and never retries', async () => {
    const { client, clock } = setup();
    const controller = new AbortController();
    let delivered = '';
    const error = await settleWithClock(
      client.createMessage(params(), {
        signal: controller.signal,
        onText: (text) => {
          delivered += text;
          if (delivered.length > 40) controller.abort();
        },
      }),
      clock,
    ).catch((reason: unknown) => reason);
    expect(AbortedError.isInstance(error)).toBe(true);
    expect(textOf((error as AbortedError<Anthropic.Message>).partial)).toBe(delivered);
    expect(server.requests).toHaveLength(1);
  });

  it('sends exactly one HTTP request per attempt, even with an SDK client set to retry', async () => {
    server.setFaults({
      schedule: {
        1: { kind: 'status', status: 529 },
        2: { kind: 'status', status: 503 },
        3: { kind: 'drop', afterEvents: 9 },
      },
    });
    const { client, clock, events } = setup();
    const message = await settleWithClock(client.createMessage(params()), clock);
    expect(textOf(message)).toBe(server.expectedText(params()));
    expect(server.requests).toHaveLength(named(events, 'request:start').length);
    expect(server.requests).toHaveLength(4);
  });

  it('sums usage over attempts and reports each attempt once', async () => {
    const run = await runWithFault({ kind: 'drop', afterEvents: 20 });
    const usages = named(run.events, 'usage').map((event) => event.payload);
    expect(usages.map((usage) => usage.partial)).toEqual([true, false]);
    expect(run.message?.usage.input_tokens).toBe(usages[0]!.usage.inputTokens + usages[1]!.usage.inputTokens);
    expect(run.message?.usage.output_tokens).toBe(
      usages[0]!.usage.outputTokens + usages[1]!.usage.outputTokens,
    );
  });

  it('goes through the admission gate on every attempt and reports every response', async () => {
    const { gate, calls } = createRecordingGate();
    const run = await runWithFault(
      { kind: 'status', status: 529, errorType: 'overloaded_error' },
      prefillModel,
      {
        admission: gate,
      },
    );
    expect(textOf(run.message)).toBe(run.expected);
    expect(calls.map((call) => call.kind)).toEqual([
      'acquire',
      'release',
      'observe',
      'acquire',
      'observe',
      'reconcile',
    ]);
    expect(calls[2]).toMatchObject({
      kind: 'observe',
      feedback: { status: 529, errorType: 'overloaded_error' },
    });
    expect(calls[4]).toMatchObject({ kind: 'observe', feedback: { status: 200 } });
  });

  it('uses a non-streaming call with a timeout for a small request', async () => {
    server.setFaults({ schedule: { 1: { kind: 'status', status: 529 } } });
    // The timeout runs on the manual clock, which this test moves only to the backoff wait.
    const { client, clock, events } = setup({ nonStreamingTimeoutMs: Number.POSITIVE_INFINITY });
    const request = { ...params(), max_tokens: 1000 };
    const message = await settleWithClock(client.createMessage(request), clock);
    expect(textOf(message)).toBe(server.expectedText(request));
    expect(named(events, 'request:start')[0]?.payload).toMatchObject({
      streaming: false,
      streamingReason: 'not_needed',
    });
    expect(server.requests.map((entry) => entry.stream)).toEqual([false, false]);
  });

  it('answers getCompletion with the text', async () => {
    const { client, clock } = setup({ defaultModel: prefillModel });
    const text = await settleWithClock(client.getCompletion('Tell me a story.', { maxTokens: 8000 }), clock);
    expect(text).toBe(server.expectedText(params()));
  });
});

describe('time on the manual clock, moved by the stream itself', () => {
  it('reports progress every interval with output tokens that only grow', async () => {
    const clock = createManualClock(0);
    const bus = createBus();
    const progress = recordEvents(bus, ['stream:progress']);
    const client = createStreamingClient({
      client: sdk,
      bus,
      clock,
      progressIntervalMs: 1000,
      stallTimeoutMs: Number.POSITIVE_INFINITY,
    });
    // Each text delta "takes" 250 ms: the progress timer falls due every fourth delta.
    const message = await client.createMessage(params(), { onText: () => clock.tick(250) });
    const figures = progress.map((event) => event.payload);
    expect(figures.length).toBeGreaterThan(3);
    figures.forEach((figure, index) => {
      expect(figure.elapsedMs).toBe((index + 1) * 1000);
      expect(figure.percentOfMaxTokens).toBe((figure.outputTokens / 8000) * 100);
      if (index > 0) expect(figure.outputTokens).toBeGreaterThanOrEqual(figures[index - 1]!.outputTokens);
    });
    expect(figures.at(-1)!.outputTokens).toBeGreaterThan(0);
    expect(message.usage.output_tokens).toBeGreaterThan(0);
    expect(clock.pendingTimers).toBe(0);
  });

  it('detects a stall when the clock passes the timeout between two events, and resumes', async () => {
    const clock = createManualClock(0);
    const bus = createBus();
    const events = recordEvents(bus, ['stream:stall', 'retry:scheduled']);
    const client = createStreamingClient({
      client: sdk,
      bus,
      clock,
      random: () => 0,
      stallTimeoutMs: 5000,
      progressIntervalMs: Number.POSITIVE_INFINITY,
    });
    let delivered = '';
    let stalled = false;
    const message = await client.createMessage(params(), {
      onText: (text) => {
        delivered += text;
        if (!stalled && delivered.length > 50) {
          stalled = true;
          clock.tick(5000);
        }
      },
    });
    expect(named(events, 'stream:stall').map((event) => event.payload.idleMs)).toEqual([5000]);
    expect(named(events, 'retry:scheduled')[0]?.payload).toMatchObject({ reason: 'stall', resume: true });
    expect(delivered).toBe(server.expectedText(params()));
    expect(textOf(message)).toBe(delivered);
  });

  it("does not retry when the caller's onText throws", async () => {
    const { client, clock } = setup();
    const error = await settleWithClock(
      client.createMessage(params(), {
        onText: () => {
          throw new Error('bug in the caller');
        },
      }),
      clock,
    ).catch((reason: unknown) => reason);
    expect(StreamInterruptedError.isInstance(error)).toBe(true);
    expect(((error as Error).cause as Error).cause).toEqual(new Error('bug in the caller'));
    expect(server.requests).toHaveLength(1);
  });
});

describe('stall detection (system clock, short timeout)', () => {
  it('aborts a silent stream and resumes it', async () => {
    server.setFaults({ schedule: { 1: { kind: 'stall', afterEvents: 10, durationMs: 30_000 } } });
    const bus = createBus();
    const stalls = recordEvents(bus, ['stream:stall']);
    const client = createStreamingClient({ client: sdk, bus, stallTimeoutMs: 300, random: () => 0 });
    let delivered = '';
    const message = await client.createMessage(params(), { onText: (text) => (delivered += text) });
    expect(delivered).toBe(server.expectedText(params()));
    expect(textOf(message)).toBe(delivered);
    expect(stalls.length).toBeGreaterThanOrEqual(1);
    expect(stalls[0]?.payload.pingsCountAsActivity).toBe(false);
  });

  it('counts a stream that only sends pings as stalled when pings do not count', async () => {
    const pinging = await startMockServer({
      seed: 7,
      pingIntervalMs: 20,
      outputTokens: { min: 60, max: 120 },
    });
    try {
      pinging.setFaults({
        schedule: { 1: { kind: 'stall', afterEvents: 10, durationMs: 30_000, pings: true } },
      });
      const bus = createBus();
      const stalls = recordEvents(bus, ['stream:stall']);
      const client = createStreamingClient({
        client: new Anthropic({ apiKey: 'test-key', baseURL: pinging.url }),
        bus,
        stallTimeoutMs: 300,
        random: () => 0,
      });
      const message = await client.createMessage(params());
      expect(textOf(message)).toBe(pinging.expectedText(params()));
      expect(stalls.length).toBeGreaterThanOrEqual(1);
    } finally {
      await pinging.close();
    }
  });

  it('lets pings keep a stream alive when they count as activity', async () => {
    const pinging = await startMockServer({
      seed: 7,
      pingIntervalMs: 20,
      outputTokens: { min: 60, max: 120 },
    });
    try {
      // Silent but for pings for longer than the stall timeout: only the pings keep it alive.
      pinging.setFaults({
        schedule: { 1: { kind: 'stall', afterEvents: 10, durationMs: 3000, pings: true } },
      });
      const bus = createBus();
      const stalls = recordEvents(bus, ['stream:stall']);
      const client = createStreamingClient({
        client: new Anthropic({ apiKey: 'test-key', baseURL: pinging.url }),
        bus,
        stallTimeoutMs: 2000,
        pingsCountAsActivity: true,
      });
      const message = await client.createMessage(params());
      expect(textOf(message)).toBe(pinging.expectedText(params()));
      expect(stalls).toEqual([]);
      expect(pinging.requests).toHaveLength(1);
    } finally {
      await pinging.close();
    }
  });
});
