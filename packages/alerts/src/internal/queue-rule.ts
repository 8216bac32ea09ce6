import type { AlertSeverity, BulwarkEventListeners } from '@bulwark/core';
import type { AlertRule, RuleCheck } from './rule.js';

export interface QueueRuleSettings {
  thresholdMs: number;
  severity: AlertSeverity;
}

interface QueueState {
  length: number;
  /** When the queue last went from empty to non-empty; `undefined` while empty. */
  nonEmptySince: number | undefined;
  /** Lengths sampled at each evaluation over the last `thresholdMs`, oldest first. */
  history: Array<{ at: number; length: number }>;
}

/**
 * `queueGrowing`: per model class, raised when the rate-limit queue has been non-empty for
 * `thresholdMs` and is longer than it was `thresholdMs` ago; resolved when it empties or is no
 * longer longer than a window ago. The length comes from `ratelimit:wait` (which reports it) and
 * falls by one at each `ratelimit:admit` of a caller that waited.
 */
export class QueueRule implements AlertRule {
  readonly id = 'queueGrowing';
  readonly severity: AlertSeverity;
  readonly listeners: Partial<BulwarkEventListeners>;
  private readonly queues = new Map<string, QueueState>();

  constructor(
    private readonly settings: QueueRuleSettings,
    now: () => number,
  ) {
    this.severity = settings.severity;
    const set = (modelClass: string, length: number): void => {
      const queue = this.queueOf(modelClass);
      if (queue.length === 0 && length > 0) queue.nonEmptySince = now();
      if (length === 0) queue.nonEmptySince = undefined;
      queue.length = length;
    };
    this.listeners = {
      'ratelimit:wait': ({ modelClass, queueLength }) => set(modelClass, queueLength),
      'ratelimit:admit': ({ modelClass, waitedMs }) => {
        if (waitedMs > 0) set(modelClass, Math.max(0, this.queueOf(modelClass).length - 1));
      },
    };
  }

  private queueOf(modelClass: string): QueueState {
    let queue = this.queues.get(modelClass);
    if (!queue) {
      queue = { length: 0, nonEmptySince: undefined, history: [] };
      this.queues.set(modelClass, queue);
    }
    return queue;
  }

  check(nowMs: number): RuleCheck[] {
    const { thresholdMs } = this.settings;
    const checks: RuleCheck[] = [];
    for (const [modelClass, queue] of this.queues) {
      queue.history.push({ at: nowMs, length: queue.length });
      // Keep the newest sample at or before the window's start, to compare with.
      while (queue.history.length > 1 && queue.history[1]!.at <= nowMs - thresholdMs) queue.history.shift();
      const before = queue.history[0]!;
      const nonEmptyMs = queue.nonEmptySince === undefined ? 0 : nowMs - queue.nonEmptySince;
      const windowCovered = before.at <= nowMs - thresholdMs;
      const growing = windowCovered && queue.length > before.length;
      checks.push({
        subject: modelClass,
        value: nonEmptyMs,
        threshold: thresholdMs,
        raise: nonEmptyMs >= thresholdMs && growing,
        resolve: queue.length === 0 || (windowCovered && !growing),
        message: `The ${modelClass} rate-limit queue holds ${queue.length} callers, up from ${before.length} ${Math.round((nowMs - before.at) / 1000)} s ago, and has not emptied for ${Math.round(nonEmptyMs / 1000)} s`,
      });
    }
    return checks;
  }
}
