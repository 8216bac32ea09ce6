/**
 * OpenTelemetry traces of a faulted request. The first attempt is answered 529, the second
 * stream drops half way, the third resumes it. `createClient({ telemetry })` turns the bus into
 * spans under the GenAI semantic conventions: one `chat {model}` span for the whole request, a
 * `bulwark.attempt` child per attempt, and span events for the retries and the resume. The SDK's
 * `ConsoleSpanExporter` prints them as they end (children first).
 *
 * Run: pnpm --filter @bulwark/examples exec tsx src/otel-console.ts
 */
import { BasicTracerProvider, ConsoleSpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { createClient } from 'bulwark';
import { openEnvironment } from './support/environment.js';

const environment = await openEnvironment({
  seed: 12,
  outputTokens: 400,
  tokensPerSecond: 4_000,
  faults: {
    schedule: {
      1: { kind: 'status', status: 529 },
      2: { kind: 'drop', afterEvents: 150 },
    },
  },
});
console.log(environment.describe());

// Your application would register a NodeSDK with an OTLP exporter instead; the console shows the same spans.
const tracerProvider = new BasicTracerProvider({
  spanProcessors: [new SimpleSpanProcessor(new ConsoleSpanExporter())],
});
const client = createClient({
  ...environment.clientOptions,
  retry: { initialRetryDelayMs: 100, maxRetryDelayMs: 500 },
  telemetry: { tracerProvider, attributes: { 'deployment.environment.name': 'example' } },
});

try {
  const message = await client.createMessage({
    model: 'claude-sonnet-4-6',
    max_tokens: 8_000,
    messages: [{ role: 'user', content: 'Describe a harbour at dawn.' }],
  });
  const totals = client.usage()['claude-sonnet-4-6'];
  console.log(
    `\ncompleted: ${message.usage.output_tokens} output tokens, stop_reason ${message.stop_reason}; ` +
      `attempts ${totals?.attempts}, retries ${totals?.retries}, resumes ${totals?.resumes}`,
  );
} finally {
  await client.close();
  await tracerProvider.shutdown();
  await environment.close();
}
