import { createManualClock, InvalidArgumentError, systemClock } from '@bulwark/core';
import { describe, expect, it } from 'vitest';
import { defaultBatchOptions } from './batches/options.js';
import { parseMockServerOptions } from './options.js';

describe('parseMockServerOptions', () => {
  it('fills every default when no option is given', () => {
    expect(parseMockServerOptions({})).toEqual({
      port: 0,
      seed: 1,
      apiKey: undefined,
      outputTokens: { min: 40, max: 400 },
      tokensPerSecond: 0,
      pingIntervalMs: 0,
      tokenizer: {},
      rateLimits: {},
      rateLimitsByModelClass: {},
      faults: {},
      batches: defaultBatchOptions,
      clock: systemClock,
    });
  });

  it('keeps only the limits a class sets, so they spread over the common ones', () => {
    const settings = parseMockServerOptions({
      rateLimits: { requestsPerMinute: 50, inputTokensPerMinute: 30_000 },
      rateLimitsByModelClass: { 'claude-opus-4': { inputTokensPerMinute: 10_000 } },
    });
    expect(settings.rateLimitsByModelClass).toEqual({ 'claude-opus-4': { inputTokensPerMinute: 10_000 } });
    expect(Object.keys(settings.rateLimitsByModelClass['claude-opus-4'] ?? {})).toEqual([
      'inputTokensPerMinute',
    ]);
    expect(Object.keys(settings.rateLimits)).toEqual(['requestsPerMinute', 'inputTokensPerMinute']);
  });

  it('keeps only the tokenizer settings given, so the tokenizer fills in the rest', () => {
    expect(parseMockServerOptions({ tokenizer: { ratio: 2 } }).tokenizer).toEqual({ ratio: 2 });
  });

  it('turns a single outputTokens count into a range of one', () => {
    expect(parseMockServerOptions({ outputTokens: 25 }).outputTokens).toEqual({ min: 25, max: 25 });
  });

  it('accepts a manual clock and refuses an object that is not a clock, naming options.clock', () => {
    const clock = createManualClock(0);
    expect(parseMockServerOptions({ clock }).clock).toBe(clock);
    expect(() => parseMockServerOptions({ clock: { now: () => 0 } as never })).toThrow(InvalidArgumentError);
    expect(() => parseMockServerOptions({ clock: { now: () => 0 } as never })).toThrow(/options\.clock/);
  });

  it('names the nested option that is wrong', () => {
    expect(() => parseMockServerOptions({ rateLimits: { requestsPerMinute: 0 } })).toThrow(
      /options\.rateLimits\.requestsPerMinute/,
    );
    expect(() =>
      parseMockServerOptions({ rateLimitsByModelClass: { 'claude-opus-4': { rpm: 1 } as never } }),
    ).toThrow(/options\.rateLimitsByModelClass\.claude-opus-4/);
    expect(() => parseMockServerOptions({ tokenizer: { ratio: 0 } })).toThrow(/options\.tokenizer\.ratio/);
  });
});
