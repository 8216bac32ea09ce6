import type { AlertSeverity, BulwarkEventListeners } from '@bulwark/core';
import { type AlertRule, type RuleCheck, resolveBelow } from './rule.js';
import { quantile, SampleWindow } from './sliding-window.js';

export interface LatencyRuleSettings {
  thresholdMs: number;
  minSamples: number;
  severity: AlertSeverity;
}

/**
 * `timeToFirstToken`: the 95th percentile of `stream:first_token` times in the window, raised
 * above `thresholdMs` with `minSamples` samples, resolved below the hysteresis bound or when
 * the window is empty.
 */
export class LatencyRule implements AlertRule {
  readonly id = 'timeToFirstToken';
  readonly severity: AlertSeverity;
  readonly listeners: Partial<BulwarkEventListeners>;
  private readonly window: SampleWindow;

  constructor(
    private readonly settings: LatencyRuleSettings,
    windowMs: number,
    private readonly hysteresis: number,
    now: () => number,
  ) {
    this.severity = settings.severity;
    this.window = new SampleWindow(windowMs);
    this.listeners = {
      'stream:first_token': ({ timeToFirstTokenMs }) => this.window.add(now(), timeToFirstTokenMs),
    };
  }

  check(nowMs: number): RuleCheck[] {
    const samples = this.window.samples(nowMs);
    const p95 = quantile(samples, 0.95) ?? 0;
    const { thresholdMs, minSamples } = this.settings;
    return [
      {
        value: p95,
        threshold: thresholdMs,
        raise: samples.length >= minSamples && p95 > thresholdMs,
        resolve: samples.length === 0 || p95 < resolveBelow(thresholdMs, this.hysteresis),
        message: `p95 time to first token is ${Math.round(p95)} ms over ${samples.length} streams (threshold ${thresholdMs} ms)`,
      },
    ];
  }
}
