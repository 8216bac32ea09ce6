/**
 * Running the mock server for your own tests: `@bulwark/testing` is a real HTTP server on
 * loopback that the official SDK talks to unchanged through `baseURL`. It is deterministic
 * (same seed and request, same bytes), counts tokens, enforces rate limits, and injects the
 * failures the real API shows: here a 529 that the SDK's own retry absorbs, a mid-stream
 * `overloaded_error` that it does not, and a request log to assert against.
 *
 * Run: pnpm --filter @bulwark/examples exec tsx src/mock-server-for-tests.ts
 */
import Anthropic from '@anthropic-ai/sdk';
import { startMockServer } from '@bulwark/testing';

const server = await startMockServer({
  seed: 7,
  rateLimits: { requestsPerMinute: 50, inputTokensPerMinute: 40_000, outputTokensPerMinute: 8_000 },
  // The first messages request is answered 529 overloaded (with x-should-retry: true).
  faults: { schedule: { 1: { kind: 'status', status: 529 } } },
});
console.log(`mock Messages API listening on ${server.url}`);

const client = new Anthropic({ apiKey: 'offline-example-key', baseURL: server.url, maxRetries: 2 });
const request = {
  model: 'claude-sonnet-4-6',
  max_tokens: 60,
  messages: [{ role: 'user' as const, content: 'Say something about resilient clients.' }],
};

try {
  console.log('\n1. A 529 the SDK retries on its own, then the answer and its rate-limit headers');
  const { data: message, response } = await client.messages.create(request).withResponse();
  const text = message.content.map((block) => (block.type === 'text' ? block.text : '')).join('');
  console.log(`  ${message.usage.output_tokens} output tokens, stop_reason ${message.stop_reason}`);
  console.log(`  text starts: "${text.slice(0, 60)}..."`);
  console.log(`  matches server.expectedText(request): ${text === server.expectedText(request)}`);
  for (const name of ['requests', 'input-tokens', 'output-tokens']) {
    const remaining = response.headers.get(`anthropic-ratelimit-${name}-remaining`);
    const limit = response.headers.get(`anthropic-ratelimit-${name}-limit`);
    console.log(`  anthropic-ratelimit-${name}: ${remaining} of ${limit} remaining`);
  }

  console.log('\n2. A stream that fails half way: the SDK does not retry once bytes have arrived');
  const stream = client.messages.stream(request, {
    headers: {
      'x-bulwark-fault': JSON.stringify({
        kind: 'error_event',
        afterEvents: 12,
        errorType: 'overloaded_error',
      }),
    },
  });
  let received = '';
  stream.on('text', (delta) => {
    received += delta;
  });
  try {
    await stream.finalMessage();
  } catch (error) {
    const type = (error as { type?: string }).type;
    console.log(
      `  ${(error as Error).constructor.name} with type ${type} after ${received.length} characters`,
    );
  }

  console.log('\n3. The request log, to assert on in your tests');
  for (const entry of server.requests) {
    console.log(
      `  #${entry.index} ${entry.method} ${entry.path} → ${entry.status}${entry.fault ? ` (fault: ${entry.fault.kind})` : ''}, ${entry.eventsSent} events, ${entry.inputTokens} in / ${entry.outputTokens} out`,
    );
  }
  console.log(
    `  stats: ${server.stats.messages} messages, ${server.stats.faults} faults, by status ${JSON.stringify(server.stats.byStatus)}`,
  );
} finally {
  await server.close();
}
