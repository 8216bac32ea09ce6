import type { AlertSeverity, BudgetLevelEvent, BulwarkEventListeners } from '@bulwark/core';
import { type AlertRule, percent, type RuleCheck } from './rule.js';

export interface BudgetRuleSettings {
  threshold: number;
  severity: AlertSeverity;
}

interface BudgetReading {
  share: number;
  limit: number;
  used: number;
  /** When the budget's period (UTC) ends: the share starts again from 0. */
  periodEndsAt: number;
}

/** The end of the UTC hour, day or month that contains `nowMs`. */
export function periodEnd(period: BudgetLevelEvent['period'], nowMs: number): number {
  const date = new Date(nowMs);
  if (period === 'hour') {
    return Date.UTC(date.getUTCFullYear(), date.getUTCMonth(), date.getUTCDate(), date.getUTCHours() + 1);
  }
  if (period === 'day') return Date.UTC(date.getUTCFullYear(), date.getUTCMonth(), date.getUTCDate() + 1);
  return Date.UTC(date.getUTCFullYear(), date.getUTCMonth() + 1, 1);
}

/**
 * `budgetNearLimit` / `budgetExceeded`: one alert per budget (`day cost`, `hour tokens`, ...),
 * raised when its share of the period reaches the threshold (a refused call counts with what
 * it asked for), resolved when a later reading is below it or the period ends.
 */
export class BudgetRule implements AlertRule {
  readonly severity: AlertSeverity;
  readonly listeners: Partial<BulwarkEventListeners>;
  private readonly readings = new Map<string, BudgetReading>();

  constructor(
    readonly id: string,
    private readonly settings: BudgetRuleSettings,
    now: () => number,
  ) {
    this.severity = settings.severity;
    const read = (
      event: { period: BudgetLevelEvent['period']; kind: BudgetLevelEvent['kind']; limit: number },
      used: number,
    ): void => {
      const share = event.limit > 0 ? used / event.limit : Number.POSITIVE_INFINITY;
      this.readings.set(`${event.period} ${event.kind}`, {
        share,
        limit: event.limit,
        used,
        periodEndsAt: periodEnd(event.period, now()),
      });
    };
    this.listeners = {
      'budget:level': (event) => read(event, event.used),
      'budget:exceeded': (event) => read(event, event.used + event.requested),
    };
  }

  check(nowMs: number): RuleCheck[] {
    const { threshold } = this.settings;
    const checks: RuleCheck[] = [];
    for (const [subject, reading] of this.readings) {
      const ended = nowMs >= reading.periodEndsAt;
      const share = ended ? 0 : reading.share;
      checks.push({
        subject,
        value: share,
        threshold,
        raise: share >= threshold,
        resolve: share < threshold,
        message: ended
          ? `The ${subject} budget's period ended`
          : `The ${subject} budget is at ${percent(share)} (${reading.used} of ${reading.limit}; threshold ${percent(threshold)})`,
      });
      if (ended) this.readings.delete(subject);
    }
    return checks;
  }
}
