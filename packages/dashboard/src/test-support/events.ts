import type { Bus } from '@bulwark/core';

const model = 'claude-sonnet-4-6';

/** Scripted events of one request's life, as the streaming client emits them. */
export const script = {
  start(bus: Bus, requestId: string, { attempt = 1, resuming = false, maxTokens = 1_000 } = {}) {
    bus.emit('request:start', {
      requestId,
      model,
      attempt,
      streaming: true,
      streamingReason: 'requested',
      maxTokens,
      resuming,
    });
  },
  progress(bus: Bus, requestId: string, outputTokens: number, maxTokens = 1_000) {
    bus.emit('stream:progress', {
      requestId,
      model,
      attempt: 1,
      outputTokens,
      tokensPerSecond: 50,
      percentOfMaxTokens: (outputTokens / maxTokens) * 100,
      etaMs: ((maxTokens - outputTokens) / 50) * 1000,
      elapsedMs: 1_000,
    });
  },
  usage(bus: Bus, requestId: string, outputTokens: number) {
    bus.emit('usage', {
      requestId,
      model,
      attempt: 1,
      usage: { inputTokens: 100, outputTokens, cacheCreationInputTokens: 0, cacheReadInputTokens: 0 },
      partial: false,
    });
  },
  end(bus: Bus, requestId: string, outputTokens: number) {
    bus.emit('request:end', {
      requestId,
      model,
      durationMs: 2_000,
      attempts: 1,
      retries: 0,
      resumes: 0,
      stopReason: 'end_turn',
      usage: { inputTokens: 100, outputTokens, cacheCreationInputTokens: 0, cacheReadInputTokens: 0 },
    });
  },
  /** A whole successful request: start, one progress report, usage, end. */
  complete(bus: Bus, requestId: string, outputTokens = 200) {
    script.start(bus, requestId);
    script.progress(bus, requestId, outputTokens / 2);
    script.usage(bus, requestId, outputTokens);
    script.end(bus, requestId, outputTokens);
  },
};
