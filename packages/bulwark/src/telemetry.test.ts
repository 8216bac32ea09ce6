import { type MockServer, startMockServer } from '@bulwark/testing';
import { SpanKind } from '@opentelemetry/api';
import { MeterProvider, MetricReader } from '@opentelemetry/sdk-metrics';
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  SimpleSpanProcessor,
} from '@opentelemetry/sdk-trace-base';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createClient, InvalidArgumentError } from './index.js';

const model = 'claude-sonnet-4-6';
const apiKey = 'sk-ant-api03-bundle-telemetry-test-key';
const params = {
  model,
  max_tokens: 6000,
  system: 'Be brief.',
  messages: [{ role: 'user' as const, content: 'Tell me about lighthouses.' }],
};

class ManualReader extends MetricReader {
  protected override async onForceFlush(): Promise<void> {}
  protected override async onShutdown(): Promise<void> {}
}

let server: MockServer;

function telemetrySdk() {
  const exporter = new InMemorySpanExporter();
  const tracerProvider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
  const reader = new ManualReader();
  const meterProvider = new MeterProvider({ readers: [reader] });
  const requestSpans = () =>
    exporter
      .getFinishedSpans()
      .filter((span) => span.kind === SpanKind.CLIENT && span.instrumentationScope.name === '@bulwark/otel');
  return { exporter, tracerProvider, meterProvider, reader, requestSpans };
}

beforeEach(async () => {
  server = await startMockServer({ seed: 8, apiKey, outputTokens: { min: 40, max: 80 } });
});
afterEach(async () => {
  await server.close();
});

describe('createClient({ telemetry })', () => {
  it('traces every request on the client bus and stops at close()', async () => {
    const sdk = telemetrySdk();
    const client = createClient({
      apiKey,
      baseURL: server.url,
      retry: { initialRetryDelayMs: 1, maxRetryDelayMs: 5 },
      telemetry: { tracerProvider: sdk.tracerProvider, meterProvider: sdk.meterProvider },
    });
    server.setFaults({ schedule: { 1: { kind: 'status', status: 529 } } });
    await client.createMessage(params);
    await client.getCompletion('And about harbours?', { maxTokens: 600 });
    await client.close();
    const [first, second, ...others] = sdk.requestSpans();
    expect(others).toEqual([]);
    expect(first!.attributes).toMatchObject({
      'gen_ai.request.model': model,
      'bulwark.attempts': 2,
      'bulwark.retries': 1,
    });
    expect(second!.attributes['bulwark.attempts']).toBe(1);
    expect(first!.attributes['gen_ai.input.messages']).toBeUndefined();
    expect(client.bus.listenerCount('request:start')).toBe(0);
  });

  it('records prompts and answers with captureContent, never the API key', async () => {
    const sdk = telemetrySdk();
    const client = createClient({
      apiKey,
      baseURL: server.url,
      telemetry: {
        tracerProvider: sdk.tracerProvider,
        meterProvider: sdk.meterProvider,
        captureContent: true,
      },
    });
    const message = await client.createMessage(params, { requestId: 'req_mine' });
    await client.close();
    const [span] = sdk.requestSpans();
    expect(span!.attributes['bulwark.request.id']).toBe('req_mine');
    expect(JSON.parse(span!.attributes['gen_ai.system_instructions'] as string)).toEqual([
      { type: 'text', content: 'Be brief.' },
    ]);
    expect(JSON.parse(span!.attributes['gen_ai.output.messages'] as string)[0].parts[0].content).toBe(
      (message.content[0] as { text: string }).text,
    );
    expect(
      JSON.stringify(sdk.exporter.getFinishedSpans().map((each) => [each.attributes, each.events])),
    ).not.toContain('bundle-telemetry-test-key');
  });

  it('counts cost at the client prices', async () => {
    const sdk = telemetrySdk();
    const client = createClient({
      apiKey,
      baseURL: server.url,
      prices: { [model]: { inputPerMillionTokens: 1_000_000, outputPerMillionTokens: 0 } },
      telemetry: { tracerProvider: sdk.tracerProvider, meterProvider: sdk.meterProvider },
    });
    const message = await client.createMessage(params);
    await client.close();
    const { resourceMetrics } = await sdk.reader.collect();
    const cost = resourceMetrics.scopeMetrics
      .flatMap((scope) => scope.metrics)
      .find((metric) => metric.descriptor.name === 'bulwark.cost');
    expect(cost?.dataPoints[0]?.value).toBe(message.usage.input_tokens);
  });

  it('refuses an unknown telemetry option at once, naming it', () => {
    expect(() => createClient({ telemetry: { tracerprovider: {} } as never })).toThrow(InvalidArgumentError);
  });

  it('refuses a bad telemetry value on the first call, naming it as written', async () => {
    const client = createClient({
      apiKey,
      baseURL: server.url,
      telemetry: { captureContent: 'yes' as never },
    });
    const failure = await client.createMessage(params).catch((error: unknown) => error);
    expect(InvalidArgumentError.isInstance(failure)).toBe(true);
    expect((failure as InvalidArgumentError).argument).toBe('options.telemetry.captureContent');
    await client.close();
  });
});
