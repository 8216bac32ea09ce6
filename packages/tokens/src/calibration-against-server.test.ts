import Anthropic from '@anthropic-ai/sdk';
import { AbortedError, usageFromApi } from '@bulwark/core';
import { type MockServer, startMockServer } from '@bulwark/testing';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { TokenCountError } from './errors.js';
import { createTokenEstimator } from './token-estimator.js';

const words =
  'the of and a to in is you that it he was for on are as with his they I at be this have from or one had by word but not what all were we when your can said there use an each which she do how their if will up other about out many then them these so some her would make like him into time has look two more write go see number no way could people my than first water been call who oil its now find long down day did get come made may part'.split(
    ' ',
  );

/** Varied prose of `count` words from a seed (a linear congruential generator). */
function prose(seed: number, count: number): string {
  let state = seed;
  const out: string[] = [];
  for (let index = 0; index < count; index += 1) {
    state = (Math.imul(state, 1103515245) + 12345) >>> 0;
    out.push(words[(state >>> 8) % words.length]!);
    if (state % 11 === 0) out.push('.');
  }
  return out.join(' ');
}

function params(index: number): Anthropic.MessageCreateParamsNonStreaming {
  return {
    model: 'claude-sonnet-4-5',
    max_tokens: 64,
    system: 'Answer briefly.',
    messages: [
      { role: 'user', content: prose(index * 7 + 1, 60 + ((index * 37) % 400)) },
      { role: 'assistant', content: prose(index * 13 + 5, 20) },
      { role: 'user', content: [{ type: 'text', text: `Question ${index}: ${prose(index, 15)}?` }] },
    ],
  };
}

describe('against @bulwark/testing with the real SDK', () => {
  let server: MockServer;
  let client: Anthropic;

  beforeEach(async () => {
    server = await startMockServer({ seed: 1 });
    client = new Anthropic({ apiKey: 'test-key', baseURL: server.url, maxRetries: 0 });
  });

  afterEach(async () => {
    await server.close();
  });

  it('comes within 5 % of the server count after 20 requests of calibration', async () => {
    const estimator = createTokenEstimator();
    for (let index = 0; index < 20; index += 1) {
      const body = params(index);
      const estimate = await estimator.estimateRequest(body);
      const message = await client.messages.create(body);
      estimator.calibrate(estimate, usageFromApi(message.usage));
    }
    for (const index of [100, 101, 102]) {
      const body = params(index);
      const estimate = await estimator.estimateRequest(body);
      const actual = (await client.messages.countTokens(body)).input_tokens;
      expect(Math.abs(estimate.inputTokens - actual) / actual).toBeLessThan(0.05);
    }
  });

  it('starts from the prior, further than 5 % from this server', async () => {
    const estimator = createTokenEstimator({ defaultCalibrationPrior: 1 });
    const body = params(100);
    const estimate = await estimator.estimateRequest(body);
    const actual = (await client.messages.countTokens(body)).input_tokens;
    expect(Math.abs(estimate.inputTokens - actual) / actual).toBeGreaterThan(0.05);
  });

  it("returns the API's own count from countWithApi and asks once for the same request", async () => {
    const estimator = createTokenEstimator({ client });
    const body = params(3);
    const expected = (await client.messages.countTokens(body)).input_tokens;
    server.reset();
    expect(await estimator.countWithApi(body)).toBe(expected);
    expect(await estimator.countWithApi(body)).toBe(expected);
    expect(server.requests.filter((entry) => entry.path.includes('count_tokens'))).toHaveLength(1);
  });

  it('waits for an encoding that is still loading instead of refusing countWithApi', async () => {
    let finishLoading: () => void = () => {};
    const loaded = new Promise<void>((resolve) => {
      finishLoading = resolve;
    });
    const estimator = createTokenEstimator({
      client,
      loadRankFile: async () => {
        await loaded;
        return (await import('js-tiktoken/ranks/cl100k_base')).default;
      },
    });
    const loading = estimator.ready();
    expect(estimator.status).toBe('loading');
    const counted = estimator.countWithApi(params(7));
    finishLoading();
    await loading;
    expect(await counted).toBe((await client.messages.countTokens(params(7))).input_tokens);
  });

  it('learns the ratio from countWithApi answers too', async () => {
    const estimator = createTokenEstimator({ client, defaultCalibrationPrior: 1 });
    await estimator.countWithApi(params(4));
    expect(estimator.calibrationRatio('claude-sonnet-4-5')).toBeGreaterThan(1.05);
  });

  it('stops countWithApi with an AbortedError when the signal is already aborted', async () => {
    const estimator = createTokenEstimator({ client });
    const error = await estimator
      .countWithApi(params(5), { signal: AbortSignal.abort() })
      .catch((caught: unknown) => caught);
    expect(AbortedError.isInstance(error)).toBe(true);
  });

  it('wraps an API failure of countWithApi in a TokenCountError with the status', async () => {
    const guarded = await startMockServer({ apiKey: 'test-key' });
    try {
      const estimator = createTokenEstimator({
        client: new Anthropic({ apiKey: 'wrong-key', baseURL: guarded.url, maxRetries: 0 }),
      });
      const error = await estimator.countWithApi(params(6)).catch((caught: unknown) => caught);
      expect(TokenCountError.isInstance(error)).toBe(true);
      expect((error as TokenCountError).status).toBe(401);
    } finally {
      await guarded.close();
    }
  });

  it('refuses countWithApi without a client, naming the option', async () => {
    await expect(createTokenEstimator().countWithApi(params(1))).rejects.toThrow(/options.client/);
  });
});
