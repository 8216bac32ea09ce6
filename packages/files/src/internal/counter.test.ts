import type { TokenEstimator } from '@bulwark/core';
import { createTokenEstimator } from '@bulwark/tokens';
import { describe, expect, it } from 'vitest';
import { chunkText } from '../chunk-text.js';
import { createCountingEstimator, referenceCount } from '../test-support/estimators.js';
import { counterFor } from './counter.js';

const text = 'The quick brown fox jumps over the lazy dog. '.repeat(60);

describe('counterFor', () => {
  it('chunks exactly through countTokens when the estimator has no countTokensSync', async () => {
    const asyncOnly = createCountingEstimator();
    const viaCountTokens = await chunkText(text, { maxTokens: 50, overlapTokens: 10, estimator: asyncOnly });
    const viaSync = await chunkText(text, {
      maxTokens: 50,
      overlapTokens: 10,
      estimator: createTokenEstimator(),
    });
    expect(asyncOnly.calls).toBeGreaterThan(0);
    expect(viaCountTokens).toEqual(viaSync);
    for (const chunk of viaCountTokens) expect(chunk.tokenCount).toBe(referenceCount(chunk.text));
  });

  it('counts synchronously after ready() when the estimator offers both', async () => {
    const real = createTokenEstimator();
    const events: string[] = [];
    const estimator: TokenEstimator = {
      countTokens: async () => {
        throw new Error('countTokens must not be used when the synchronous path is offered');
      },
      estimateRequest: (request) => real.estimateRequest(request),
      ready: async () => {
        events.push('ready');
        await real.ready();
      },
      countTokensSync: (value) => {
        events.push('sync');
        return real.countTokensSync(value);
      },
    };
    const count = await counterFor(estimator);
    expect(count('hello world')).toBe(2);
    expect(events).toEqual(['ready', 'sync']);
  });

  it('uses countTokens when countTokensSync is offered without ready()', async () => {
    const asyncOnly = createCountingEstimator();
    const estimator: TokenEstimator = {
      countTokens: (value) => asyncOnly.countTokens(value),
      estimateRequest: (request) => asyncOnly.estimateRequest(request),
      countTokensSync: () => {
        throw new Error('not ready: countTokensSync must wait for a ready() this estimator lacks');
      },
    };
    const count = await counterFor(estimator);
    expect(await count('hello world')).toBe(2);
    expect(asyncOnly.calls).toBe(1);
  });
});
