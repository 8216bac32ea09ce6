import Anthropic from '@anthropic-ai/sdk';
import { createBus, type Usage, usageFromApi } from '@bulwark/core';
import { type MockServer, startMockServer } from '@bulwark/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRateLimiter, type RateLimiter } from './index.js';

const model = 'claude-sonnet-4-5';
// Tight enough that 200 calls need more than one minute's burst of every bucket, loose enough
// that the batch refills in a few seconds.
const serverLimits = { requestsPerMinute: 180, inputTokensPerMinute: 11_500, outputTokensPerMinute: 7_000 };
const messages = [
  {
    role: 'user' as const,
    content:
      'Write two short sentences about the sea, the tides that move it twice a day, the boats that cross it ' +
      'at dawn, the birds that follow them home, and the light that changes over the water from grey to gold.',
  },
];

/** One call through the limiter the way a client would wire it, retried after a 429. */
async function callThroughLimiter(
  client: Anthropic,
  limiter: RateLimiter,
  inputTokens: number,
  requestId: string,
): Promise<Usage> {
  for (;;) {
    const reservation = await limiter.acquire({ model, inputTokens, maxOutputTokens: 100, requestId });
    try {
      const { data, response } = await client.messages
        .create({ model, max_tokens: 100, messages })
        .withResponse();
      limiter.observe({ model, status: response.status, headers: response.headers, requestId });
      const usage = usageFromApi(data.usage);
      reservation.reconcile(usage);
      return usage;
    } catch (error) {
      reservation.release();
      if (!(error instanceof Anthropic.APIError) || error.status !== 429) throw error;
      limiter.observe({
        model,
        status: error.status,
        headers: error.headers,
        errorType: 'rate_limit_error',
        requestId,
      });
    }
  }
}

describe('against @bulwark/testing enforcing rate limits, with the real SDK', () => {
  let server: MockServer;

  beforeAll(async () => {
    server = await startMockServer({ seed: 5, outputTokens: { min: 20, max: 60 }, rateLimits: serverLimits });
  });

  afterAll(async () => {
    await server.close();
  });

  it('completes 200 calls issued at once with at most 1 % answered 429, learning the limits from headers', async () => {
    const client = new Anthropic({ apiKey: 'test-key', baseURL: server.url, maxRetries: 0 });
    const { input_tokens: inputTokens } = await client.messages.countTokens({ model, messages });
    server.reset();
    const limiter = createRateLimiter({ bus: createBus() });
    const usages = await Promise.all(
      Array.from({ length: 200 }, (_, index) =>
        callThroughLimiter(client, limiter, inputTokens, `call-${index}`),
      ),
    );
    limiter.close();
    const answered429 = server.requests.filter((entry) => entry.status === 429).length;
    expect(usages).toHaveLength(200);
    expect(answered429 / server.requests.length).toBeLessThanOrEqual(0.01);
    expect(limiter.limitsOf(model)).toMatchObject(serverLimits);
  }, 90_000);
});
