import { describe, expect, it } from 'vitest';
import { decideStreaming } from './streaming-decision.js';

describe('decideStreaming', () => {
  it('streams when the caller asks', () => {
    expect(decideStreaming({ max_tokens: 10, stream: true })).toEqual({
      streaming: true,
      reason: 'requested',
    });
  });

  it('streams when max_tokens is above the threshold', () => {
    expect(decideStreaming({ max_tokens: 4097 })).toEqual({ streaming: true, reason: 'max_tokens' });
    expect(decideStreaming({ max_tokens: 4096 })).toEqual({ streaming: false, reason: 'not_needed' });
  });

  it('streams when the thinking budget is above the threshold', () => {
    const params = { max_tokens: 3000, thinking: { type: 'enabled', budget_tokens: 2000 } };
    expect(decideStreaming(params, { thresholdTokens: 1500 })).toEqual({
      streaming: true,
      reason: 'thinking_budget',
    });
  });

  it('never streams when turned off', () => {
    expect(decideStreaming({ max_tokens: 50_000, stream: true }, { mode: 'never' })).toEqual({
      streaming: false,
      reason: 'disabled',
    });
  });
});
