import { createBus, emptyUsage, type ModelPrice } from '@bulwark/core';
import { describe, expect, it } from 'vitest';
import { createUsageTracker } from './usage-tracker.js';

const sonnetPrices: ModelPrice = { inputPerMillionTokens: 3, outputPerMillionTokens: 15 };
const pricesOf = (model: string) => (model.startsWith('claude-sonnet') ? sonnetPrices : undefined);

describe('createUsageTracker', () => {
  it('totals attempts, completions, failures, retries, resumes, 429s, stalls and billed tokens per model', () => {
    const bus = createBus();
    const tracker = createUsageTracker(bus, { pricesOf });
    const model = 'claude-sonnet-4-5';
    bus.emit('request:start', {
      requestId: 'a',
      model,
      attempt: 1,
      streaming: true,
      streamingReason: 'max_tokens',
      maxTokens: 8_000,
      resuming: false,
    });
    bus.emit('request:error', {
      requestId: 'a',
      model,
      attempt: 1,
      error: { name: 'RateLimitError', message: '429', status: 429 },
      willRetry: true,
    });
    bus.emit('retry:scheduled', {
      requestId: 'a',
      model,
      attempt: 1,
      nextAttempt: 2,
      delayMs: 10,
      reason: 'rate_limited',
      status: 429,
      resume: false,
    });
    bus.emit('request:start', {
      requestId: 'a',
      model,
      attempt: 2,
      streaming: true,
      streamingReason: 'max_tokens',
      maxTokens: 8_000,
      resuming: false,
    });
    bus.emit('usage', {
      requestId: 'a',
      model,
      attempt: 2,
      usage: { ...emptyUsage(), inputTokens: 100, outputTokens: 40 },
      partial: true,
    });
    bus.emit('stream:stall', {
      requestId: 'a',
      model,
      attempt: 2,
      idleMs: 30_000,
      pingsCountAsActivity: false,
    });
    bus.emit('stream:resume', {
      requestId: 'a',
      model,
      attempt: 3,
      strategy: 'prefill',
      keptOutputTokens: 40,
      keptTextLength: 180,
      regeneratedBlocks: 0,
    });
    bus.emit('retry:scheduled', {
      requestId: 'a',
      model,
      attempt: 2,
      nextAttempt: 3,
      delayMs: 10,
      reason: 'stall',
      resume: true,
    });
    bus.emit('request:start', {
      requestId: 'a',
      model,
      attempt: 3,
      streaming: true,
      streamingReason: 'max_tokens',
      maxTokens: 8_000,
      resuming: true,
    });
    bus.emit('usage', {
      requestId: 'a',
      model,
      attempt: 3,
      usage: { ...emptyUsage(), inputTokens: 140, outputTokens: 60 },
      partial: false,
    });
    bus.emit('request:end', {
      requestId: 'a',
      model,
      durationMs: 5,
      attempts: 3,
      retries: 2,
      resumes: 1,
      stopReason: 'end_turn',
      usage: { ...emptyUsage(), inputTokens: 240, outputTokens: 100 },
    });
    bus.emit('request:start', {
      requestId: 'b',
      model,
      attempt: 1,
      streaming: false,
      streamingReason: 'not_needed',
      maxTokens: 100,
      resuming: false,
    });
    bus.emit('request:error', {
      requestId: 'b',
      model,
      attempt: 1,
      error: { name: 'BadRequestError', message: 'bad', status: 400 },
      willRetry: false,
    });

    const totals = tracker.snapshot()[model];
    expect(totals).toEqual({
      requests: 1,
      failed: 1,
      attempts: 4,
      usage: { inputTokens: 240, outputTokens: 100, cacheCreationInputTokens: 0, cacheReadInputTokens: 0 },
      costUsd: expect.closeTo((240 * 3 + 100 * 15) / 1_000_000, 12),
      retries: 2,
      resumes: 1,
      outputTokensKeptByResume: 40,
      rateLimited: 1,
      stalls: 1,
    });
  });

  it('reports no cost for a model without a price, and keeps models apart', () => {
    const bus = createBus();
    const tracker = createUsageTracker(bus, { pricesOf });
    bus.emit('usage', {
      requestId: 'x',
      model: 'my-fine-tune',
      attempt: 1,
      usage: { ...emptyUsage(), outputTokens: 5 },
      partial: false,
    });
    bus.emit('usage', {
      requestId: 'y',
      model: 'claude-sonnet-4-6',
      attempt: 1,
      usage: { ...emptyUsage(), outputTokens: 5 },
      partial: false,
    });
    const snapshot = tracker.snapshot();
    expect(snapshot['my-fine-tune']?.costUsd).toBeUndefined();
    expect(snapshot['claude-sonnet-4-6']?.costUsd).toBeCloseTo(75 / 1_000_000, 12);
    expect(snapshot['my-fine-tune']?.usage.outputTokens).toBe(5);
  });

  it('stops counting after stop(), and snapshots are copies', () => {
    const bus = createBus();
    const tracker = createUsageTracker(bus, { pricesOf });
    bus.emit('stream:stall', {
      requestId: 'a',
      model: 'm',
      attempt: 1,
      idleMs: 1,
      pingsCountAsActivity: true,
    });
    const first = tracker.snapshot();
    first.m!.stalls = 99;
    tracker.stop();
    bus.emit('stream:stall', {
      requestId: 'a',
      model: 'm',
      attempt: 1,
      idleMs: 1,
      pingsCountAsActivity: true,
    });
    expect(tracker.snapshot().m?.stalls).toBe(1);
    expect(bus.listenerCount('usage')).toBe(0);
  });
});
