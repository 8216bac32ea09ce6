import type { AlertSeverity, BulwarkEventListeners } from '@bulwark/core';
import { type AlertRule, percent, type RuleCheck, resolveBelow } from './rule.js';
import { SlidingSum } from './sliding-window.js';

export interface ShareRuleSettings {
  threshold: number;
  minSamples: number;
  severity: AlertSeverity;
}

/** What one share rule counts: which events add to the numerator and which to the denominator. */
interface ShareDefinition {
  id: string;
  /** Completes "…% of …" in the message, e.g. "attempts answered 429". */
  describe: string;
  /** Subscribes `count(part)` to the events of each part. */
  wire(count: (part: 'hit' | 'total') => void): Partial<BulwarkEventListeners>;
}

/**
 * A rule over the share of events in the sliding window (429s per attempt, failures per
 * request, ...). Raised at `threshold` once `minSamples` events are in the window; resolved
 * when the share falls below the hysteresis bound, or when the window is empty.
 */
export class ShareRule implements AlertRule {
  readonly id: string;
  readonly severity: AlertSeverity;
  readonly listeners: Partial<BulwarkEventListeners>;
  private readonly hits: SlidingSum;
  private readonly totals: SlidingSum;

  constructor(
    private readonly definition: ShareDefinition,
    private readonly settings: ShareRuleSettings,
    windowMs: number,
    private readonly hysteresis: number,
    now: () => number,
  ) {
    this.id = definition.id;
    this.severity = settings.severity;
    this.hits = new SlidingSum(windowMs);
    this.totals = new SlidingSum(windowMs);
    this.listeners = definition.wire((part) => (part === 'hit' ? this.hits : this.totals).add(now()));
  }

  check(nowMs: number): RuleCheck[] {
    const total = this.totals.total(nowMs);
    const share = total === 0 ? 0 : this.hits.total(nowMs) / total;
    const { threshold, minSamples } = this.settings;
    return [
      {
        value: share,
        threshold,
        raise: total >= minSamples && share >= threshold,
        resolve: total === 0 || share < resolveBelow(threshold, this.hysteresis),
        message: `${percent(share)} of ${this.definition.describe} in the window (threshold ${percent(threshold)}, ${total} in all)`,
      },
    ];
  }
}

/** The four share rules: 429s, failures, stalls and retries. */
export const shareDefinitions = {
  rateLimited: {
    id: 'rateLimited',
    describe: 'attempts answered 429',
    wire: (count) => ({
      'request:start': () => count('total'),
      'request:error': ({ error }) => {
        if (error.status === 429) count('hit');
      },
    }),
  },
  failures: {
    id: 'failures',
    describe: 'requests failed',
    wire: (count) => ({
      'request:end': () => count('total'),
      'request:error': ({ willRetry }) => {
        if (willRetry) return;
        count('hit');
        count('total');
      },
    }),
  },
  stalls: {
    id: 'stalls',
    describe: 'streaming attempts stalled',
    wire: (count) => ({
      'request:start': ({ streaming }) => {
        if (streaming) count('total');
      },
      'stream:stall': () => count('hit'),
    }),
  },
  retries: {
    id: 'retries',
    describe: 'attempts followed by a retry',
    wire: (count) => ({
      'request:start': () => count('total'),
      'retry:scheduled': () => count('hit'),
    }),
  },
} as const satisfies Record<string, ShareDefinition>;
