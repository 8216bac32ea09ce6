import { createBus, emptyUsage } from '@bulwark/core';
import { describe, expect, it } from 'vitest';
import { createLiveDisplay, renderTable } from './live-display.js';

function capture(isTTY: boolean) {
  const chunks: string[] = [];
  return {
    output: { isTTY, columns: 120, write: (text: string) => chunks.push(text) },
    text: () => chunks.join(''),
  };
}

function playBatch(bus: ReturnType<typeof createBus>) {
  const model = 'claude-sonnet-4-5';
  bus.emit('request:start', {
    requestId: 'req_a',
    model,
    attempt: 1,
    streaming: true,
    streamingReason: 'max_tokens',
    maxTokens: 8_000,
    resuming: false,
  });
  bus.emit('stream:progress', {
    requestId: 'req_a',
    model,
    attempt: 1,
    outputTokens: 4_000,
    tokensPerSecond: 400,
    percentOfMaxTokens: 50,
    etaMs: 10_000,
    elapsedMs: 10_000,
  });
  bus.emit('request:error', {
    requestId: 'req_a',
    model,
    attempt: 1,
    error: { name: 'APIError', message: 'Overloaded', type: 'overloaded_error' },
    willRetry: true,
  });
  bus.emit('retry:scheduled', {
    requestId: 'req_a',
    model,
    attempt: 1,
    nextAttempt: 2,
    delayMs: 1_500,
    reason: 'stream_error',
    resume: true,
  });
  bus.emit('stream:resume', {
    requestId: 'req_a',
    model,
    attempt: 2,
    strategy: 'prefill',
    keptOutputTokens: 4_000,
    keptTextLength: 20_000,
    regeneratedBlocks: 0,
  });
  bus.emit('request:end', {
    requestId: 'req_a',
    model,
    durationMs: 20_000,
    attempts: 2,
    retries: 1,
    resumes: 1,
    stopReason: 'end_turn',
    usage: { ...emptyUsage(), outputTokens: 8_000 },
  });
  bus.emit('request:start', {
    requestId: 'req_b',
    model,
    attempt: 1,
    streaming: false,
    streamingReason: 'not_needed',
    maxTokens: 100,
    resuming: false,
  });
  bus.emit('request:error', {
    requestId: 'req_b',
    model,
    attempt: 1,
    error: { name: 'RateLimitError', message: 'rate limited', status: 429 },
    willRetry: false,
  });
}

describe('createLiveDisplay', () => {
  it('writes plain lines without control codes when output is not a terminal', () => {
    const bus = createBus();
    const { output, text } = capture(false);
    const display = createLiveDisplay({ bus, output, labelOf: (id) => `#${id.slice(-1)}` });
    playBatch(bus);
    display.stop();
    expect(text()).not.toContain('\u001b');
    expect(text()).toContain('#a resume in 1.5s (stream_error)');
    expect(text()).toContain('#a resuming by prefill, keeping 4000 output tokens');
    expect(text()).toContain('#a done: 8000 output tokens, 1 retries, 1 resumes');
    expect(text()).toContain('#b failed: rate limited');
    expect(display.totals()).toEqual({
      completed: 1,
      failed: 1,
      retries: 1,
      resumes: 1,
      rateLimited: 1,
      stalls: 0,
    });
  });

  it('draws the progress bar of a request that waited for rate-limit capacity before it started', () => {
    const bus = createBus();
    const { output, text } = capture(true);
    const display = createLiveDisplay({ bus, output, labelOf: () => '#w' });
    const model = 'claude-sonnet-4-6';
    bus.emit('ratelimit:wait', {
      requestId: 'req_w',
      model,
      modelClass: 'claude-sonnet-4',
      bucket: 'output_tokens',
      waitMs: 500,
      queueLength: 1,
    });
    bus.emit('request:start', {
      requestId: 'req_w',
      model,
      attempt: 1,
      streaming: true,
      streamingReason: 'max_tokens',
      maxTokens: 1_000,
      resuming: false,
    });
    bus.emit('stream:progress', {
      requestId: 'req_w',
      model,
      attempt: 1,
      outputTokens: 500,
      tokensPerSecond: 100,
      percentOfMaxTokens: 50,
      etaMs: 5_000,
      elapsedMs: 5_000,
    });
    display.stop();
    expect(text()).toContain(`#w     ${'█'.repeat(10)}${'░'.repeat(10)}`);
  });

  it('redraws in place on a terminal and leaves a final summary frame', () => {
    const bus = createBus();
    const { output, text } = capture(true);
    const display = createLiveDisplay({ bus, output });
    playBatch(bus);
    display.stop();
    expect(text()).toContain('\u001b[2K');
    expect(text()).toContain('1 done · 1 failed · 0 running');
    expect(text()).toContain('1 × 429');
    expect(bus.listenerCount('request:start')).toBe(0);
  });
});

describe('renderTable', () => {
  it('aligns a header, a rule and rows', () => {
    expect(
      renderTable(
        ['what', 'n'],
        [
          ['completed', '20'],
          ['failed', '0'],
        ],
      ),
    ).toBe('what        n\n─────────  ──\ncompleted  20\nfailed      0');
  });
});
