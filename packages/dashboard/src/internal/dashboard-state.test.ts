import { createBus, createManualClock, defaultPriceOf } from '@bulwark/core';
import { describe, expect, it } from 'vitest';
import { script } from '../test-support/events.js';
import { DashboardState } from './dashboard-state.js';

function setUp(limits?: { maxRequests: number; staleAfterMs: number }) {
  const bus = createBus();
  const clock = createManualClock(Date.UTC(2026, 0, 5));
  const state = new DashboardState(clock, defaultPriceOf, limits);
  for (const [name, listener] of Object.entries(state.listeners())) bus.on(name as never, listener as never);
  return { bus, clock, state };
}

describe('DashboardState', () => {
  it('keeps nothing of a request once it ended: 10,000 requests leave the same footprint as ten', () => {
    const { bus, clock, state } = setUp();
    for (let index = 0; index < 10_000; index += 1) {
      script.complete(bus, `req_${index}`);
      if (index % 10 === 0) clock.tick(1_000);
    }
    expect(state.requests.size).toBe(0);
    expect(state.series.completedSince(clock.now(), 0).length).toBeLessThanOrEqual(900);
    expect(state.totals.snapshot()['claude-sonnet-4-6']).toMatchObject({
      completed: 10_000,
      attempts: 10_000,
    });
  });

  it('bounds the requests it tracks when ends never come, dropping the longest silent', () => {
    const { bus, clock, state } = setUp({ maxRequests: 100, staleAfterMs: 60_000 });
    for (let index = 0; index < 250; index += 1) script.start(bus, `lost_${index}`);
    expect(state.requests.size).toBe(100);
    expect(state.requests.get('lost_249')).toBeDefined();
    clock.tick(61_000);
    script.start(bus, 'fresh');
    state.requests.sweep(clock.now());
    expect(state.requests.size).toBe(1);
  });

  it('shows a stalled request as stalled while it waits to resume, then resuming', () => {
    const { bus, clock, state } = setUp();
    script.start(bus, 'req_s');
    bus.emit('stream:stall', {
      requestId: 'req_s',
      model: 'claude-sonnet-4-6',
      attempt: 1,
      idleMs: 5_000,
      pingsCountAsActivity: false,
    });
    bus.emit('request:error', {
      requestId: 'req_s',
      model: 'claude-sonnet-4-6',
      attempt: 1,
      error: { name: 'StreamFailure', message: 'stalled' },
      willRetry: true,
    });
    bus.emit('retry:scheduled', {
      requestId: 'req_s',
      model: 'claude-sonnet-4-6',
      attempt: 1,
      nextAttempt: 2,
      delayMs: 2_000,
      reason: 'stall',
      resume: true,
    });
    expect(state.requests.get('req_s')).toMatchObject({ state: 'stalled', retryAt: clock.now() + 2_000 });
    bus.emit('stream:resume', {
      requestId: 'req_s',
      model: 'claude-sonnet-4-6',
      attempt: 2,
      strategy: 'user_turn',
      keptOutputTokens: 40,
      keptTextLength: 160,
      regeneratedBlocks: 0,
    });
    expect(state.requests.get('req_s')!.state).toBe('resuming');
    expect(state.totals.snapshot()['claude-sonnet-4-6']).toMatchObject({
      stalls: 1,
      retries: 1,
      resumes: 1,
      keptTokens: 40,
    });
  });

  it('shows cost as unknown for a model without a price', () => {
    const { bus, state } = setUp();
    bus.emit('usage', {
      requestId: 'r',
      model: 'my-fine-tune',
      attempt: 1,
      partial: false,
      usage: { inputTokens: 10, outputTokens: 10, cacheCreationInputTokens: 0, cacheReadInputTokens: 0 },
    });
    expect(state.totals.snapshot()['my-fine-tune']!.costUsd).toBeNull();
  });
});
