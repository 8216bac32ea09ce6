import {
  type BudgetExceededEvent,
  type BudgetLevelEvent,
  costOfUsage,
  type ModelPrice,
  type PriceTable,
  type Usage,
} from '@bulwark/core';
import type { BudgetPeriod, Budgets, PeriodUsage, UsageReport } from '../budgets.js';
import { BudgetExceededError } from '../errors.js';
import {
  emptyPeriod,
  mergePeriod,
  periodEndMs,
  periodStartMs,
  recordUsage,
  tokensOf,
} from './usage-totals.js';

const budgetPeriods = ['hour', 'day', 'month'] as const satisfies readonly BudgetPeriod[];

/** What a call holds against the budgets until it is settled. */
export interface BudgetHold {
  tokens: number;
  costUsd: number;
}

/**
 * Tracks usage per period and refuses calls that would pass a cap. A call holds its expected
 * tokens and cost while in flight, so concurrent calls cannot pass a cap together; settling
 * moves the real usage into the period totals.
 */
export class BudgetTracker {
  /**
   * Calls are recorded into the current hour only; finished hours are folded into the day and
   * month they belong to when the hour changes. Recording three periods on every call cost a
   * fifth of an acquire + reconcile.
   */
  private hour: PeriodUsage | undefined;
  private hourEndMs = 0;
  /** The finished hours of the current day and month (the current hour not included). */
  private finished: { day: PeriodUsage; month: PeriodUsage } | undefined;
  private readonly priceCache = new Map<string, ModelPrice | undefined>();
  private heldTokens = 0;
  private heldCostUsd = 0;
  /** Whether a cost cap is configured (then every model needs a price). */
  readonly needsPrices: boolean;
  readonly hasCaps: boolean;

  constructor(
    private readonly budgets: Budgets,
    private readonly prices: PriceTable,
    private readonly priceKeyOf: (model: string) => string | undefined,
  ) {
    this.needsPrices = budgetPeriods.some((period) => budgets[period]?.maxCostUsd !== undefined);
    this.hasCaps = budgetPeriods.some((period) => budgets[period] !== undefined);
  }

  priceOf(model: string): ModelPrice | undefined {
    // Cached: looking a missing key up in the table twice per call showed in profiles.
    if (this.priceCache.has(model)) return this.priceCache.get(model);
    const price = this.prices[model] ?? this.prices[this.priceKeyOf(model) ?? ''];
    this.priceCache.set(model, price);
    return price;
  }

  /**
   * Holds `expected` (the call's expected usage) or throws `BudgetExceededError`, after calling
   * `onExceeded` with the event payload.
   */
  hold(
    model: string,
    expected: Usage,
    nowMs: number,
    onExceeded: (event: BudgetExceededEvent) => void,
    requestId?: string,
  ): BudgetHold {
    const price = this.priceOf(model);
    const hold: BudgetHold = {
      tokens: tokensOf(expected),
      costUsd: price ? costOfUsage(expected, price) : 0,
    };
    for (const period of budgetPeriods) {
      const exceeded = this.exceeded(period, hold, nowMs);
      if (!exceeded) continue;
      const details = { model, period, ...exceeded };
      onExceeded(requestId === undefined ? details : { ...details, requestId });
      throw new BudgetExceededError(details);
    }
    this.heldTokens += hold.tokens;
    this.heldCostUsd += hold.costUsd;
    return hold;
  }

  /** Gives back a hold; with `usage`, records what the call really used. */
  settle(model: string, hold: BudgetHold | undefined, usage: Usage | undefined, nowMs: number): void {
    if (hold) {
      this.heldTokens = Math.max(0, this.heldTokens - hold.tokens);
      this.heldCostUsd = Math.max(0, this.heldCostUsd - hold.costUsd);
    }
    if (!usage) return;
    const price = this.priceOf(model);
    recordUsage(this.currentHour(nowMs), model, usage, price ? costOfUsage(usage, price) : undefined);
  }

  /** How much of each configured cap is used now, held calls included (for `budget:level`). */
  levels(nowMs: number): Array<Omit<BudgetLevelEvent, 'model'>> {
    const levels: Array<Omit<BudgetLevelEvent, 'model'>> = [];
    for (const period of budgetPeriods) {
      const cap = this.budgets[period];
      if (!cap) continue;
      const used = this.totals(period, nowMs);
      if (cap.maxTokens !== undefined) {
        const tokens = used.tokens + this.heldTokens;
        levels.push({
          period,
          kind: 'tokens',
          limit: cap.maxTokens,
          used: tokens,
          share: tokens / cap.maxTokens,
        });
      }
      if (cap.maxCostUsd !== undefined && used.costUsd !== undefined) {
        const cost = used.costUsd + this.heldCostUsd;
        levels.push({
          period,
          kind: 'cost',
          limit: cap.maxCostUsd,
          used: cost,
          share: cost / cap.maxCostUsd,
        });
      }
    }
    return levels;
  }

  report(nowMs: number): UsageReport {
    const hour = structuredClone(this.currentHour(nowMs));
    const { day, month } = structuredClone(this.finished!);
    mergePeriod(day, hour);
    mergePeriod(month, hour);
    return { hour, day, month };
  }

  /** The cap of `period` that `hold` would pass, if any: which kind, its limit, used and requested. */
  private exceeded(period: BudgetPeriod, hold: BudgetHold, nowMs: number) {
    const cap = this.budgets[period];
    if (!cap) return undefined;
    const used = this.totals(period, nowMs);
    const tokensUsed = used.tokens + this.heldTokens;
    if (cap.maxTokens !== undefined && tokensUsed + hold.tokens > cap.maxTokens) {
      return { kind: 'tokens' as const, limit: cap.maxTokens, used: tokensUsed, requested: hold.tokens };
    }
    const costUsed = (used.costUsd ?? 0) + this.heldCostUsd;
    if (cap.maxCostUsd !== undefined && costUsed + hold.costUsd > cap.maxCostUsd) {
      return { kind: 'cost' as const, limit: cap.maxCostUsd, used: costUsed, requested: hold.costUsd };
    }
    return undefined;
  }

  /** The totals of `period` so far: its finished hours plus the current one. */
  private totals(period: BudgetPeriod, nowMs: number): { tokens: number; costUsd: number | undefined } {
    const hour = this.currentHour(nowMs).total;
    if (period === 'hour') return hour;
    const finished = this.finished![period].total;
    return {
      tokens: finished.tokens + hour.tokens,
      costUsd:
        finished.costUsd === undefined || hour.costUsd === undefined
          ? undefined
          : finished.costUsd + hour.costUsd,
    };
  }

  private currentHour(nowMs: number): PeriodUsage {
    if (this.hour && nowMs >= this.hour.startMs && nowMs < this.hourEndMs) return this.hour;
    const startMs = periodStartMs('hour', nowMs);
    if (this.hour && this.hour.startMs === startMs) {
      this.hourEndMs = periodEndMs('hour', startMs);
      return this.hour;
    }
    // A new hour: fold the old one into its day and month, then start afresh where those changed.
    if (this.hour && this.finished) {
      mergePeriod(this.finished.day, this.hour);
      mergePeriod(this.finished.month, this.hour);
    }
    const dayStartMs = periodStartMs('day', nowMs);
    const monthStartMs = periodStartMs('month', nowMs);
    this.finished = {
      day: this.finished?.day.startMs === dayStartMs ? this.finished.day : emptyPeriod(dayStartMs),
      month: this.finished?.month.startMs === monthStartMs ? this.finished.month : emptyPeriod(monthStartMs),
    };
    this.hour = emptyPeriod(startMs);
    this.hourEndMs = periodEndMs('hour', startMs);
    return this.hour;
  }
}
