import { createBus } from '@bulwark/core';
import { pickOptions } from '@bulwark/core/internal';
import { describe, expect, it } from 'vitest';
import { parseClientSettings } from './internal/settings.js';
import { type StreamingBehaviourOptions, streamingBehaviourOptions } from './options.js';
import { createStreamingClient } from './streaming-client.js';

describe('the streaming options', () => {
  it('fill in every default, the retry group included', () => {
    const settings = parseClientSettings({ apiKey: 'test-key' });
    expect(settings).toMatchObject({
      defaultModel: 'claude-sonnet-4-6',
      streaming: 'auto',
      streamingThresholdTokens: 4096,
      stallTimeoutMs: 60_000,
      pingsCountAsActivity: false,
      nonStreamingTimeoutMs: 600_000,
      progressIntervalMs: 1000,
      checkpointEveryTokens: 500,
      checkpointIntervalMs: 10_000,
      prefillByModel: {},
      random: Math.random,
      retry: {
        maxRetries: 8,
        initialRetryDelayMs: 500,
        maxRetryDelayMs: 60_000,
        maxRetryAfterMs: 60_000,
        maxTotalRetryDelayMs: 300_000,
      },
    });
  });

  it('fill in the retry defaults a partial retry group leaves out', () => {
    expect(parseClientSettings({ apiKey: 'k', retry: { maxRetries: 2 } }).retry).toEqual({
      maxRetries: 2,
      initialRetryDelayMs: 500,
      maxRetryDelayMs: 60_000,
      maxRetryAfterMs: 60_000,
      maxTotalRetryDelayMs: 300_000,
    });
  });

  it('give each client a bus of its own when none is given', () => {
    const first = createStreamingClient({ apiKey: 'k' });
    const second = createStreamingClient({ apiKey: 'k' });
    expect(first.bus).not.toBe(second.bus);
    const bus = createBus();
    expect(createStreamingClient({ apiKey: 'k', bus }).bus).toBe(bus);
  });

  it("pass a bundle's options straight through, options left undefined taking their defaults", () => {
    interface BundleOptions extends StreamingBehaviourOptions {
      logLevel?: 'info' | 'debug' | undefined;
    }
    const bundle: BundleOptions = {
      logLevel: 'debug',
      stallTimeoutMs: 5000,
      streaming: undefined,
      retry: { maxRetries: 2, maxRetryAfterMs: undefined },
    };
    const settings = parseClientSettings({ apiKey: 'k', ...pickOptions(bundle, streamingBehaviourOptions) });
    expect(settings.stallTimeoutMs).toBe(5000);
    expect(settings.streaming).toBe('auto');
    expect(settings.retry.maxRetries).toBe(2);
    expect(settings.retry.maxRetryAfterMs).toBe(60_000);
  });
});
