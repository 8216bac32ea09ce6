import Anthropic from '@anthropic-ai/sdk';
import { createBus, createManualClock } from '@bulwark/core';
import { createRateLimiter } from '@bulwark/ratelimit';
import { createStreamingClient } from '@bulwark/stream';
import { startMockServer } from '@bulwark/testing';
import { context, metrics, SpanKind, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { instrumentBulwark } from './instrument-bulwark.js';
import { childrenOf, createTestSdk, parentOf, pointWith } from './test-support/otel-sdk.js';

let server: Awaited<ReturnType<typeof startMockServer>>;
let sdk: Anthropic;
const model = 'claude-sonnet-4-6';

beforeAll(async () => {
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  server = await startMockServer({ seed: 3, outputTokens: { min: 20, max: 40 } });
  sdk = new Anthropic({ apiKey: 'test-key', baseURL: server.url, maxRetries: 0 });
});
afterAll(async () => {
  context.disable();
  trace.disable();
  metrics.disable();
  await server.close();
});

describe('the caller context', () => {
  it("makes each caller's active span the parent, even when the rate limiter admits a request from another one", async () => {
    const otel = createTestSdk();
    const bus = createBus();
    const clock = createManualClock();
    // One call in flight at a time: each waiter is admitted when the call before it settles,
    // inside that other call's context. (Limits high enough that no wait needs the clock.)
    const limiter = createRateLimiter({
      bus,
      clock,
      limits: {
        maxInFlight: 1,
        requestsPerMinute: 1000,
        inputTokensPerMinute: 1e7,
        outputTokensPerMinute: 1e7,
      },
    });
    instrumentBulwark(bus, { tracerProvider: otel.tracerProvider, meterProvider: otel.meterProvider });
    const client = createStreamingClient({
      client: sdk,
      bus,
      clock,
      admission: limiter,
      stallTimeoutMs: Number.POSITIVE_INFINITY,
      progressIntervalMs: Number.POSITIVE_INFINITY,
    });
    const app = otel.tracerProvider.getTracer('app');
    const handle = (index: number) =>
      app.startActiveSpan(`GET /answers/${index}`, { kind: SpanKind.SERVER }, async (span) => {
        try {
          return await client.createMessage(
            { model, max_tokens: 8000, messages: [{ role: 'user', content: `Question ${index}.` }] },
            { requestId: `req_${index}` },
          );
        } finally {
          span.end();
        }
      });
    await Promise.all([0, 1, 2, 3, 4].map(handle));
    limiter.close();

    const spans = otel.spans();
    const servers = new Map(
      spans.filter((span) => span.kind === SpanKind.SERVER).map((span) => [span.name.slice(-1), span]),
    );
    const requests = spans.filter(
      (span) => span.kind === SpanKind.CLIENT && span.instrumentationScope.name === '@bulwark/otel',
    );
    expect(requests).toHaveLength(5);
    let waits = 0;
    for (const request of requests) {
      const index = String(request.attributes['bulwark.request.id']).slice(-1);
      const server = servers.get(index)!;
      expect(parentOf(request)).toBe(server.spanContext().spanId);
      expect(request.spanContext().traceId).toBe(server.spanContext().traceId);
      waits += childrenOf(spans, request, 'bulwark.ratelimit.wait').length;
    }
    expect(waits).toBeGreaterThan(0);
  });

  it('uses the globally registered providers when none are given', async () => {
    const otel = createTestSdk();
    trace.setGlobalTracerProvider(otel.tracerProvider);
    metrics.setGlobalMeterProvider(otel.meterProvider);
    const bus = createBus();
    const instrumentation = instrumentBulwark(bus);
    const clock = createManualClock();
    const client = createStreamingClient({
      client: sdk,
      bus,
      clock,
      stallTimeoutMs: Number.POSITIVE_INFINITY,
      progressIntervalMs: Number.POSITIVE_INFINITY,
    });
    await client.createMessage({ model, max_tokens: 8000, messages: [{ role: 'user', content: 'Hi.' }] });
    instrumentation.detach();
    // The SDK traces its own API calls through the global provider too (`anthropic.messages.create`).
    const ours = otel.spans().filter((span) => span.instrumentationScope.name === '@bulwark/otel');
    expect(ours.filter((span) => span.kind === SpanKind.CLIENT)).toHaveLength(1);
    expect(pointWith((await otel.collect()).get('gen_ai.client.operation.duration'), {})?.count).toBe(1);
  });
});
