import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import Anthropic from '@anthropic-ai/sdk';
import { createBus, createManualClock } from '@bulwark/core';
import { createStreamingClient } from '@bulwark/stream';
import { startMockServer } from '@bulwark/testing';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { BasicTracerProvider, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { instrumentBulwark } from './instrument-bulwark.js';
import { createTestSdk } from './test-support/otel-sdk.js';

interface OtlpValue {
  stringValue?: string;
  intValue?: string | number;
  doubleValue?: number;
  boolValue?: boolean;
  arrayValue?: { values: OtlpValue[] };
}
interface OtlpSpan {
  spanId: string;
  parentSpanId?: string;
  name: string;
  kind: number;
  attributes: Array<{ key: string; value: OtlpValue }>;
  events: Array<{ name: string }>;
  status: { code?: number };
}

/** A collector on loopback that keeps what it is sent. */
async function startReceiver() {
  const bodies: Array<{
    path: string;
    contentType: string | undefined;
    headers: IncomingHttpHeaders;
    body: string;
  }> = [];
  const server: Server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      bodies.push({
        path: request.url ?? '',
        contentType: request.headers['content-type'],
        headers: request.headers,
        body: Buffer.concat(chunks).toString('utf8'),
      });
      response.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/v1/traces`,
    bodies,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

function otlpValue(value: OtlpValue): unknown {
  if (value.stringValue !== undefined) return value.stringValue;
  if (value.intValue !== undefined) return Number(value.intValue);
  if (value.doubleValue !== undefined) return value.doubleValue;
  if (value.boolValue !== undefined) return value.boolValue;
  return value.arrayValue?.values.map(otlpValue);
}

function attributesOf(span: OtlpSpan): Record<string, unknown> {
  return Object.fromEntries(span.attributes.map(({ key, value }) => [key, otlpValue(value)]));
}

const apiKey = 'sk-ant-api03-otlp-export-test-key-000';
let mock: Awaited<ReturnType<typeof startMockServer>>;
let receiver: Awaited<ReturnType<typeof startReceiver>>;

beforeAll(async () => {
  mock = await startMockServer({ seed: 4, apiKey, outputTokens: { min: 30, max: 60 } });
  receiver = await startReceiver();
});
afterAll(async () => {
  await mock.close();
  await receiver.close();
});

it('exports the request span and its attempts over OTLP/HTTP, with the prompt but never the API key', async () => {
  const tracerProvider = new BasicTracerProvider({
    spanProcessors: [new SimpleSpanProcessor(new OTLPTraceExporter({ url: receiver.url }))],
  });
  const bus = createBus();
  const clock = createManualClock();
  const instrumentation = instrumentBulwark(bus, {
    tracerProvider,
    meterProvider: createTestSdk().meterProvider,
    captureContent: true,
  });
  mock.setFaults({ schedule: { 1: { kind: 'drop', afterEvents: 8 } } });
  const client = createStreamingClient({
    client: new Anthropic({ apiKey, baseURL: mock.url, maxRetries: 0 }),
    bus,
    clock,
    random: () => 0,
    stallTimeoutMs: Number.POSITIVE_INFINITY,
    progressIntervalMs: Number.POSITIVE_INFINITY,
  });
  const params = {
    model: 'claude-haiku-4-5',
    max_tokens: 8000,
    system: 'Answer in one paragraph.',
    messages: [{ role: 'user' as const, content: 'Describe the harbour at dawn.' }],
  };
  instrumentation.recordPrompt('req_otlp', params);
  const message = await client.createMessage(params, { requestId: 'req_otlp' });
  instrumentation.recordAnswer('req_otlp', message);
  await tracerProvider.forceFlush();

  expect(receiver.bodies.length).toBeGreaterThan(0);
  for (const { path, contentType } of receiver.bodies) {
    expect(path).toBe('/v1/traces');
    expect(contentType).toContain('application/json');
  }
  const everything = JSON.stringify(receiver.bodies);
  expect(everything).not.toContain(apiKey);
  expect(everything).not.toContain('otlp-export-test-key');
  const spans: OtlpSpan[] = receiver.bodies.flatMap(({ body }) =>
    (
      JSON.parse(body) as { resourceSpans: Array<{ scopeSpans: Array<{ spans: OtlpSpan[] }> }> }
    ).resourceSpans.flatMap((resource) => resource.scopeSpans.flatMap((scope) => scope.spans)),
  );
  const request = spans.find((span) => span.name === 'chat claude-haiku-4-5')!;
  expect(request.kind).toBe(3); // SPAN_KIND_CLIENT
  const attributes = attributesOf(request);
  expect(attributes).toMatchObject({
    'gen_ai.operation.name': 'chat',
    'gen_ai.provider.name': 'anthropic',
    'gen_ai.usage.output_tokens': message.usage.output_tokens,
    'gen_ai.usage.input_tokens': message.usage.input_tokens,
    'gen_ai.response.finish_reasons': [message.stop_reason],
    'bulwark.attempts': 2,
    'bulwark.resumes': 1,
  });
  expect(JSON.parse(attributes['gen_ai.input.messages'] as string)).toEqual([
    { role: 'user', parts: [{ type: 'text', content: 'Describe the harbour at dawn.' }] },
  ]);
  expect(JSON.parse(attributes['gen_ai.output.messages'] as string)[0].parts[0].type).toBe('text');
  expect(request.events.map((event) => event.name)).toEqual(['bulwark.retry', 'bulwark.resume']);
  const attempts = spans.filter((span) => span.name === 'bulwark.attempt');
  expect(attempts).toHaveLength(2);
  for (const attempt of attempts) expect(attempt.parentSpanId).toBe(request.spanId);
  expect(attempts.map((attempt) => attempt.status.code ?? 0).sort()).toEqual([0, 2]); // UNSET, ERROR
});
