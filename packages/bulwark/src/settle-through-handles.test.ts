import Anthropic from '@anthropic-ai/sdk';
import { createManualClock } from '@bulwark/core';
import { createRateLimiter } from '@bulwark/ratelimit';
import { createStreamingClient } from '@bulwark/stream';
import { type MockServer, startMockServer } from '@bulwark/testing';
import { createTokenEstimator } from '@bulwark/tokens';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createClient } from './index.js';

const model = 'claude-sonnet-4-6';
const question = (index: number) => ({
  model,
  max_tokens: 200,
  messages: [
    { role: 'user' as const, content: `Question ${index}: ${'why do rivers meander? '.repeat(30)}` },
  ],
});

let server: MockServer;

beforeEach(async () => {
  server = await startMockServer({ seed: 12, outputTokens: { min: 50, max: 150 } });
});

afterEach(async () => {
  await server.close();
});

describe('parts wired together, each with its own private bus', () => {
  it('still calibrates the estimator and reconciles the limiter: nothing travels on a shared bus', async () => {
    // Each part makes its own bus: none of them is given one, so no event reaches another part.
    const estimator = createTokenEstimator({ defaultCalibrationPrior: 1 });
    const limiter = createRateLimiter({
      limits: { requestsPerMinute: 1_000, inputTokensPerMinute: 1_000_000, outputTokensPerMinute: 100_000 },
    });
    const client = createStreamingClient({
      client: new Anthropic({ apiKey: 'test-key', baseURL: server.url, maxRetries: 0 }),
      estimator,
      admission: limiter,
    });
    const before = estimator.calibrationRatio(model);
    let outputTokens = 0;
    for (let index = 0; index < 5; index += 1) {
      outputTokens += (await client.createMessage(question(index))).usage.output_tokens;
    }
    // The mock counts more tokens than cl100k: the ratio moved off the prior of 1.
    expect(estimator.calibrationRatio(model)).toBeGreaterThan(before + 0.05);
    // The limiter's totals come from reconciled reservations only: all five, with the real usage.
    const { total } = limiter.usage().hour;
    expect(total.requests).toBe(5);
    expect(total.usage.outputTokens).toBe(outputTokens);
    limiter.close();
  });
});

describe('a rate-limit 429 through the bundle', () => {
  it('goes back into the limiter queue instead of using up a retry', async () => {
    const clock = createManualClock(Date.now());
    const client = createClient({
      apiKey: 'test-key',
      baseURL: server.url,
      clock,
      retry: { maxRetries: 0 },
      // No timers but the limiter's own: the clock moves only to release the throttled call.
      stallTimeoutMs: Number.POSITIVE_INFINITY,
      progressIntervalMs: Number.POSITIVE_INFINITY,
      nonStreamingTimeoutMs: Number.POSITIVE_INFINITY,
      limits: { requestsPerMinute: 1_000, inputTokensPerMinute: 1_000_000, outputTokensPerMinute: 100_000 },
    });
    const throttledUntil: number[] = [];
    const startedAt: number[] = [];
    client.bus.on('ratelimit:throttled', ({ resumeAt }) => throttledUntil.push(resumeAt));
    client.bus.on('request:start', () => startedAt.push(clock.now()));
    server.setFaults({ schedule: { 1: { kind: 'status', status: 429, retryAfterSeconds: 2 } } });
    const params = question(1);
    const message = await clock.runUntilSettled(client.createMessage(params));
    await client.close();
    expect(message.content[0]).toMatchObject({ type: 'text', text: server.expectedText(params) });
    // With no retries allowed, the second attempt happened because the limiter paced it: it
    // waited out the server's retry-after in the queue.
    expect(startedAt).toHaveLength(2);
    expect(throttledUntil).toHaveLength(1);
    expect(startedAt[1]).toBeGreaterThanOrEqual(throttledUntil[0]!);
    expect(startedAt[1]! - startedAt[0]!).toBeGreaterThanOrEqual(2_000);
    expect(client.usage()[model]).toMatchObject({ requests: 1, failed: 0, rateLimited: 1 });
  });

  it('fails at once when retries are off and no limiter paces it: a 529 is not a rate limit', async () => {
    const client = createClient({ apiKey: 'test-key', baseURL: server.url, retry: { maxRetries: 0 } });
    server.setFaults({ schedule: { 1: { kind: 'status', status: 529 } } });
    const outcome = await client.createMessage(question(2)).catch((error: unknown) => error);
    await client.close();
    expect(outcome).toMatchObject({ code: 'stream_interrupted', giveUpReason: 'max_retries' });
  });
});
