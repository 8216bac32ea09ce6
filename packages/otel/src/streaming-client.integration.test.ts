import Anthropic from '@anthropic-ai/sdk';
import { createBus, createManualClock } from '@bulwark/core';
import { createStreamingClient, StreamInterruptedError } from '@bulwark/stream';
import { startMockServer } from '@bulwark/testing';
import { SpanKind, SpanStatusCode } from '@opentelemetry/api';
import { BasicTracerProvider, type ReadableSpan, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { instrumentBulwark } from './instrument-bulwark.js';
import type { InstrumentBulwarkOptions } from './options.js';
import { childrenOf, createTestSdk, pointWith } from './test-support/otel-sdk.js';

let server: Awaited<ReturnType<typeof startMockServer>>;
let sdk: Anthropic;
const model = 'claude-sonnet-4-6';
const request = (content = 'Tell me a story.') => ({
  model,
  max_tokens: 8000,
  messages: [{ role: 'user' as const, content }],
});

beforeAll(async () => {
  server = await startMockServer({ seed: 7, outputTokens: { min: 40, max: 80 } });
  sdk = new Anthropic({ apiKey: 'test-key', baseURL: server.url, maxRetries: 0 });
});
beforeEach(() => {
  server.reset();
  server.setFaults({});
});
afterAll(async () => {
  await server.close();
});

/**
 * The streaming client of `@bulwark/stream` on a bus instrumented with the real OpenTelemetry SDK
 * (or with `telemetry`), on a manual clock with no timer to move: no stall or progress timers, and
 * backoff waits of 0 ms.
 */
function instrumentedClient({
  maxRetries,
  telemetry = {},
}: {
  maxRetries?: number;
  telemetry?: InstrumentBulwarkOptions;
} = {}) {
  const otel = createTestSdk();
  const bus = createBus();
  instrumentBulwark(bus, {
    tracerProvider: otel.tracerProvider,
    meterProvider: otel.meterProvider,
    ...telemetry,
  });
  const client = createStreamingClient({
    client: sdk,
    bus,
    clock: createManualClock(),
    random: () => 0,
    stallTimeoutMs: Number.POSITIVE_INFINITY,
    progressIntervalMs: Number.POSITIVE_INFINITY,
    retry: { maxRetries },
  });
  const requestSpans = () => otel.spans().filter((span) => span.kind === SpanKind.CLIENT);
  return { ...otel, client, requestSpans };
}

describe('with the real SDK and @bulwark/testing', () => {
  it('turns a 529, a dropped stream and a resume into one request span with three attempts and summed usage', async () => {
    server.setFaults({
      schedule: { 1: { kind: 'status', status: 529 }, 2: { kind: 'drop', afterEvents: 12 } },
    });
    const { client, spans, requestSpans, collect } = instrumentedClient();
    const message = await client.createMessage(request(), { requestId: 'req_story' });

    const all = spans();
    const [span, ...others] = requestSpans();
    expect(others).toEqual([]);
    expect(span!.name).toBe(`chat ${model}`);
    expect(span!.attributes).toMatchObject({
      'gen_ai.operation.name': 'chat',
      'gen_ai.provider.name': 'anthropic',
      'gen_ai.request.model': model,
      'gen_ai.request.max_tokens': 8000,
      'gen_ai.request.stream': true,
      'gen_ai.response.finish_reasons': [message.stop_reason],
      'gen_ai.usage.input_tokens': message.usage.input_tokens,
      'gen_ai.usage.output_tokens': message.usage.output_tokens,
      'bulwark.request.id': 'req_story',
      'bulwark.attempts': 3,
      'bulwark.retries': 2,
      'bulwark.resumes': 1,
    });
    expect(span!.attributes['bulwark.kept_output_tokens']).toBeGreaterThan(0);
    const attempts = childrenOf(all, span!, 'bulwark.attempt');
    expect(
      attempts.map((attempt) => [attempt.attributes['bulwark.attempt.number'], attempt.status.code]),
    ).toEqual([
      [1, SpanStatusCode.ERROR],
      [2, SpanStatusCode.ERROR],
      [3, SpanStatusCode.UNSET],
    ]);
    expect(attempts[0]!.attributes).toMatchObject({
      'error.type': 'overloaded_error',
      'http.response.status_code': 529,
    });
    expect(attempts[1]!.attributes['bulwark.usage.partial']).toBe(true);
    expect(attempts[2]!.attributes['bulwark.attempt.resuming']).toBe(true);
    const attemptOutput = attempts.reduce(
      (sum, attempt) => sum + Number(attempt.attributes['gen_ai.usage.output_tokens'] ?? 0),
      0,
    );
    expect(attemptOutput).toBe(message.usage.output_tokens);
    expect(
      span!.events.map((event) => [event.name, event.attributes?.['bulwark.retry.reason'] ?? null]),
    ).toEqual([
      ['bulwark.retry', 'overloaded'],
      ['bulwark.retry', 'stream_dropped'],
      ['bulwark.resume', null],
    ]);

    const metrics = await collect();
    expect(
      pointWith(metrics.get('gen_ai.client.token.usage'), { 'gen_ai.token.type': 'output' })?.value,
    ).toBe(message.usage.output_tokens);
    expect(
      pointWith(metrics.get('gen_ai.client.operation.duration'), { 'gen_ai.request.model': model })?.count,
    ).toBe(1);
    expect(pointWith(metrics.get('bulwark.retries'), { 'bulwark.retry.reason': 'overloaded' })?.value).toBe(
      1,
    );
    expect(pointWith(metrics.get('bulwark.resumes'), {})?.value).toBe(1);
    expect(pointWith(metrics.get('bulwark.requests.in_flight'), {})?.value).toBe(0);
    expect(pointWith(metrics.get('bulwark.cost'), {})?.value).toBeGreaterThan(0);
  });

  it('marks a request that fails with error.type and status ERROR', async () => {
    server.setFaults({
      schedule: { 1: { kind: 'status', status: 529 }, 2: { kind: 'status', status: 529 } },
    });
    const { client, requestSpans, collect } = instrumentedClient({ maxRetries: 1 });
    const failure = await client.createMessage(request()).catch((error: unknown) => error);
    expect(StreamInterruptedError.isInstance(failure)).toBe(true);
    const [span] = requestSpans();
    expect(span!.status.code).toBe(SpanStatusCode.ERROR);
    expect(span!.attributes).toMatchObject({
      'error.type': 'overloaded_error',
      'bulwark.attempts': 2,
      'bulwark.retries': 1,
    });
    const duration = pointWith((await collect()).get('gen_ai.client.operation.duration'), {
      'error.type': 'overloaded_error',
    });
    expect(duration?.count).toBe(1);
  });

  it('never cross-links the spans of concurrent requests', async () => {
    server.setFaults({
      random: {
        probability: 0.4,
        faults: [
          { kind: 'status', status: 529 },
          { kind: 'status', status: 500 },
          { kind: 'drop', afterEvents: 6 },
          { kind: 'error_event', afterEvents: 4 },
        ],
      },
    });
    const { client, spans, requestSpans } = instrumentedClient();
    const count = 30;
    const results = await Promise.allSettled(
      Array.from({ length: count }, (_, index) =>
        client.createMessage(request(`Prompt ${index}.`), { requestId: `req_${index}` }),
      ),
    );
    expect(results.every((result) => result.status === 'fulfilled')).toBe(true);
    const all = spans();
    const requests = requestSpans();
    expect(new Set(requests.map((span) => span.attributes['bulwark.request.id'])).size).toBe(count);
    let attemptsSeen = 0;
    for (const span of requests) {
      const attempts = childrenOf(all, span, 'bulwark.attempt');
      expect(attempts).toHaveLength(span.attributes['bulwark.attempts'] as number);
      for (const attempt of attempts) expect(attempt.spanContext().traceId).toBe(span.spanContext().traceId);
      attemptsSeen += attempts.length;
    }
    // Every attempt is one HTTP request, and every span belongs to exactly one request.
    expect(attemptsSeen).toBe(server.requests.length);
    expect(all.filter((span: ReadableSpan) => span.kind !== SpanKind.CLIENT)).toHaveLength(attemptsSeen);
  });

  it('neither fails nor slows a request when the exporter fails, and logs the failure once', async () => {
    const logger = { debug: vi.fn(), info: vi.fn(), warn: vi.fn(), error: vi.fn() };
    const throwing = {
      export: () => {
        throw new Error('collector unreachable');
      },
      shutdown: async () => {},
    };
    const failing = {
      // ExportResultCode.FAILED of @opentelemetry/core
      export: (_spans: unknown, done: (result: { code: number }) => void) => done({ code: 1 }),
      shutdown: async () => {},
    };
    const hanging = { export: () => {}, shutdown: async () => {} }; // never calls back
    const explodingProcessor = {
      onStart() {},
      onEnd() {
        throw new Error('processor exploded');
      },
      forceFlush: async () => {},
      shutdown: async () => {},
    };
    const tracerProvider = new BasicTracerProvider({
      spanProcessors: [
        new SimpleSpanProcessor(throwing),
        new SimpleSpanProcessor(failing),
        new SimpleSpanProcessor(hanging),
        explodingProcessor,
      ],
    });
    const { client } = instrumentedClient({ telemetry: { tracerProvider, logger } });
    server.setFaults({ schedule: { 1: { kind: 'status', status: 529 } } });
    for (let index = 0; index < 3; index += 1) {
      const message = await client.createMessage(request(`Prompt ${index}.`));
      expect(message.content.length).toBeGreaterThan(0);
    }
    expect(logger.error).toHaveBeenCalledTimes(1);
  });
});
