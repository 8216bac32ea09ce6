import type { Bus, Clock, ClockTimer } from '@bulwark/core';

/** The figures of one `stream:progress` event, without its request fields. */
export interface ProgressFigures {
  outputTokens: number;
  tokensPerSecond: number;
  percentOfMaxTokens: number;
  etaMs: number | null;
  elapsedMs: number;
}

/**
 * Progress arithmetic: rate over the elapsed time, share of `max_tokens` (capped at 100) and
 * the time left to reach `max_tokens` at that rate (`null` while the rate is still 0). The ETA
 * is an upper bound: most responses stop before `max_tokens`.
 */
export function computeProgress({
  outputTokens,
  maxTokens,
  startedAtMs,
  nowMs,
}: {
  outputTokens: number;
  maxTokens: number;
  startedAtMs: number;
  nowMs: number;
}): ProgressFigures {
  const elapsedMs = Math.max(0, nowMs - startedAtMs);
  const tokensPerSecond = elapsedMs > 0 ? (outputTokens * 1000) / elapsedMs : 0;
  const percentOfMaxTokens = maxTokens > 0 ? Math.min(100, (outputTokens / maxTokens) * 100) : 0;
  const remaining = Math.max(0, maxTokens - outputTokens);
  const etaMs = tokensPerSecond > 0 ? Math.round((remaining / tokensPerSecond) * 1000) : null;
  return { outputTokens, tokensPerSecond, percentOfMaxTokens, etaMs, elapsedMs };
}

/** Emits `stream:progress` for one request every `intervalMs` until stopped. */
export class ProgressReporter {
  private timer: ClockTimer | undefined;

  constructor(
    private readonly options: {
      bus: Bus;
      clock: Clock;
      intervalMs: number;
      requestId: string;
      model: string;
      maxTokens: number;
      startedAtMs: number;
      /** The attempt under way and the output tokens so far, as of now. */
      read: () => { attempt: number; outputTokens: number };
    },
  ) {}

  start(): void {
    if (Number.isFinite(this.options.intervalMs)) this.schedule();
  }

  stop(): void {
    this.timer?.cancel();
    this.timer = undefined;
  }

  private schedule(): void {
    this.timer = this.options.clock.setTimeout(() => this.report(), this.options.intervalMs);
  }

  private report(): void {
    const { bus, clock, requestId, model, maxTokens, startedAtMs } = this.options;
    const { attempt, outputTokens } = this.options.read();
    bus.emit('stream:progress', {
      requestId,
      model,
      attempt,
      ...computeProgress({ outputTokens, maxTokens, startedAtMs, nowMs: clock.now() }),
    });
    this.schedule();
  }
}
