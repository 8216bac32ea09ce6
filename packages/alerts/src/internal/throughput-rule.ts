import type { AlertSeverity, BulwarkEventListeners } from '@bulwark/core';
import { type AlertRule, percent, type RuleCheck } from './rule.js';
import { SlidingSum } from './sliding-window.js';

export interface ThroughputRuleSettings {
  threshold: number;
  minSamples: number;
  learnMs: number;
  severity: AlertSeverity;
}

interface ModelRate {
  sum: SlidingSum;
  count: SlidingSum;
  /** The rate learnt for the model; `undefined` until a window had `minSamples` reports. */
  learnt: number | undefined;
  learntAt: number;
}

/**
 * `slowOutput`: per model, the mean `tokensPerSecond` of the `stream:progress` reports in the
 * window, as a share of the rate learnt for that model. The learnt rate follows the window's
 * mean with time constant `learnMs`, and stands still while the alert is raised, so a slow
 * spell cannot become the new normal and resolve itself.
 */
export class ThroughputRule implements AlertRule {
  readonly id = 'slowOutput';
  readonly severity: AlertSeverity;
  readonly listeners: Partial<BulwarkEventListeners>;
  private readonly models = new Map<string, ModelRate>();

  constructor(
    private readonly settings: ThroughputRuleSettings,
    private readonly windowMs: number,
    private readonly hysteresis: number,
    now: () => number,
  ) {
    this.severity = settings.severity;
    this.listeners = {
      'stream:progress': ({ model, tokensPerSecond }) => {
        if (!Number.isFinite(tokensPerSecond)) return;
        const rate = this.rateOf(model);
        rate.sum.add(now(), tokensPerSecond);
        rate.count.add(now());
      },
    };
  }

  private rateOf(model: string): ModelRate {
    let rate = this.models.get(model);
    if (!rate) {
      rate = {
        sum: new SlidingSum(this.windowMs),
        count: new SlidingSum(this.windowMs),
        learnt: undefined,
        learntAt: 0,
      };
      this.models.set(model, rate);
    }
    return rate;
  }

  check(nowMs: number, isActive: (subject: string | undefined) => boolean): RuleCheck[] {
    const { threshold, minSamples, learnMs } = this.settings;
    const checks: RuleCheck[] = [];
    for (const [model, rate] of this.models) {
      const count = rate.count.total(nowMs);
      const mean = count === 0 ? 0 : rate.sum.total(nowMs) / count;
      const active = isActive(model);
      if (count >= minSamples && !active) {
        const weight = rate.learnt === undefined ? 1 : Math.min(1, (nowMs - rate.learntAt) / learnMs);
        rate.learnt = rate.learnt === undefined ? mean : rate.learnt + (mean - rate.learnt) * weight;
        rate.learntAt = nowMs;
      }
      if (rate.learnt === undefined || rate.learnt <= 0) continue;
      const share = mean / rate.learnt;
      checks.push({
        subject: model,
        value: share,
        threshold,
        raise: count >= minSamples && share < threshold,
        resolve: count === 0 || share > threshold * (1 + this.hysteresis),
        message: `${model} streams at ${mean.toFixed(1)} tokens/s, ${percent(share)} of its learnt ${rate.learnt.toFixed(1)} tokens/s (threshold ${percent(threshold)})`,
      });
    }
    return checks;
  }
}
