import Anthropic from '@anthropic-ai/sdk';
import { createManualClock } from '@bulwark/core';
import { describe, expect, it } from 'vitest';
import { roundTokensRemaining } from './internal/rate-limiter.js';
import { failureOf, startWithClient, userRequest } from './test-support/harness.js';

const start = Date.parse('2026-01-01T00:00:00Z');

describe('rate limits', () => {
  it('sends every anthropic-ratelimit header, consistent with the buckets', async () => {
    const clock = createManualClock(start);
    const { server, client } = await startWithClient({
      clock,
      rateLimits: { requestsPerMinute: 50, inputTokensPerMinute: 40_000, outputTokensPerMinute: 8_000 },
    });
    const { response } = await client.messages.create(userRequest('Hi')).withResponse();
    const header = (name: string) => response.headers.get(`anthropic-ratelimit-${name}`);
    const inputTokens = server.requests[0]?.inputTokens ?? 0;
    expect(header('requests-limit')).toBe('50');
    expect(header('requests-remaining')).toBe('49');
    expect(header('input-tokens-limit')).toBe('40000');
    expect(header('input-tokens-remaining')).toBe(String(roundTokensRemaining(40_000 - inputTokens)));
    expect(header('output-tokens-remaining')).toBe('8000');
    expect(header('tokens-limit')).toBe('8000');
    // one request of 50 per minute refills in 1.2 s, rounded up to the next second
    expect(header('requests-reset')).toBe('2026-01-01T00:00:02Z');
    expect(header('input-tokens-reset')).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    const second = await client.messages.create(userRequest('Hi')).withResponse();
    const outputTokens = server.requests[0]?.outputTokens ?? 0;
    expect(second.response.headers.get('anthropic-ratelimit-output-tokens-remaining')).toBe(
      String(roundTokensRemaining(8_000 - outputTokens)),
    );
  });

  it('rounds token remaining down to thousands above 1,000 only', () => {
    expect(roundTokensRemaining(38_997.5)).toBe(38_000);
    expect(roundTokensRemaining(1_000)).toBe(1_000);
    expect(roundTokensRemaining(999.9)).toBe(999);
    expect(roundTokensRemaining(-5)).toBe(0);
  });

  it('answers 429 rate_limit_error with retry-after when a bucket is empty, and refills over time', async () => {
    const clock = createManualClock(start);
    const { server, client } = await startWithClient({ clock, rateLimits: { requestsPerMinute: 2 } });
    await client.messages.create(userRequest('Hi'));
    await client.messages.create(userRequest('Hi'));
    const error = await failureOf(client.messages.create(userRequest('Hi')));
    expect(error).toBeInstanceOf(Anthropic.RateLimitError);
    expect(error.type).toBe('rate_limit_error');
    // 2 per minute: one request back in 30 s
    expect(error.headers?.get('retry-after')).toBe('30');
    expect(error.headers?.get('anthropic-ratelimit-requests-remaining')).toBe('0');
    expect(server.stats.rateLimited).toBe(1);
    clock.tick(30_000);
    await expect(client.messages.create(userRequest('Hi'))).resolves.toMatchObject({ type: 'message' });
  });

  it('limits input tokens per minute by the server tokenizer count', async () => {
    const clock = createManualClock(start);
    const { server, client } = await startWithClient({ clock, rateLimits: { inputTokensPerMinute: 100 } });
    const big = userRequest('word '.repeat(60));
    expect(server.tokenizer.countRequest(big)).toBeGreaterThan(50);
    await client.messages.create(big);
    const error = await client.messages.create(big).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(Anthropic.RateLimitError);
  });

  it('counts output tokens as generated against the output bucket', async () => {
    const clock = createManualClock(start);
    const { client } = await startWithClient({
      clock,
      outputTokens: 100,
      rateLimits: { outputTokensPerMinute: 150 },
    });
    await client.messages.create(userRequest('Hi'));
    await client.messages.create(userRequest('Hi'));
    const error = await client.messages.create(userRequest('Hi')).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(Anthropic.RateLimitError);
  });

  it('keeps separate buckets per model class, with per-class overrides', async () => {
    const clock = createManualClock(start);
    const { client } = await startWithClient({
      clock,
      rateLimits: { requestsPerMinute: 1 },
      rateLimitsByModelClass: { 'claude-opus-4': { requestsPerMinute: 3 } },
    });
    await client.messages.create(userRequest('Hi', { model: 'claude-haiku-4-5' }));
    await client.messages.create(userRequest('Hi', { model: 'claude-sonnet-4-6' }));
    for (const model of ['claude-opus-4-6', 'claude-opus-4-7', 'claude-opus-4-6']) {
      await client.messages.create(userRequest('Hi', { model }));
    }
    await expect(
      client.messages.create(userRequest('Hi', { model: 'claude-opus-4-7' })),
    ).rejects.toBeInstanceOf(Anthropic.RateLimitError);
    await expect(
      client.messages.create(userRequest('Hi', { model: 'claude-haiku-4-5' })),
    ).rejects.toBeInstanceOf(Anthropic.RateLimitError);
  });

  it('sends large limits when none are configured', async () => {
    const { client } = await startWithClient();
    const { response } = await client.messages.create(userRequest('Hi')).withResponse();
    expect(Number(response.headers.get('anthropic-ratelimit-requests-limit'))).toBeGreaterThanOrEqual(
      1_000_000,
    );
  });
});
