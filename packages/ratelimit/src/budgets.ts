import { type BudgetExceededEvent, emptyUsage, type Usage } from '@bulwark/core';
import { BudgetExceededError } from './errors.js';

/** A budget period: calendar hour, day or month in UTC. */
export type BudgetPeriod = 'hour' | 'day' | 'month';

export const budgetPeriods = ['hour', 'day', 'month'] as const satisfies readonly BudgetPeriod[];

/** The caps of one period. */
export interface BudgetCap {
  /** Tokens per period: input (uncached, cache writes and cache reads) plus output. */
  maxTokens?: number;
  /** US dollars per period, priced with `prices`. */
  maxCostUsd?: number;
}

/** Caps per period, such as `{ day: { maxCostUsd: 50 } }`. */
export type Budgets = Partial<Record<BudgetPeriod, BudgetCap>>;

/** US dollars per million tokens for one model. */
export interface ModelPrice {
  inputPerMillionTokens: number;
  outputPerMillionTokens: number;
  /** @default 1.25 × inputPerMillionTokens (5-minute cache writes) */
  cacheWritePerMillionTokens?: number;
  /** @default 0.1 × inputPerMillionTokens */
  cacheReadPerMillionTokens?: number;
}

/** Prices by model id or model class (an id entry wins over its class). */
export type PriceTable = Readonly<Record<string, ModelPrice>>;

/** Totals over the calls of a period. */
export interface UsageTotals {
  /** Calls reconciled. */
  requests: number;
  usage: Usage;
  /** All input tokens plus output tokens. */
  tokens: number;
  /** `undefined` when some model had no price. */
  costUsd: number | undefined;
}

/** Totals of the current period. */
export interface PeriodUsage {
  /** Epoch milliseconds when the period began (UTC). */
  startMs: number;
  total: UsageTotals;
  byModel: Record<string, UsageTotals>;
}

/** `usage()`: the current hour, day and month. */
export type UsageReport = Record<BudgetPeriod, PeriodUsage>;

/** The start of the UTC calendar period that contains `nowMs`. */
export function periodStartMs(period: BudgetPeriod, nowMs: number): number {
  const date = new Date(nowMs);
  switch (period) {
    case 'hour':
      return Date.UTC(date.getUTCFullYear(), date.getUTCMonth(), date.getUTCDate(), date.getUTCHours());
    case 'day':
      return Date.UTC(date.getUTCFullYear(), date.getUTCMonth(), date.getUTCDate());
    case 'month':
      return Date.UTC(date.getUTCFullYear(), date.getUTCMonth(), 1);
  }
}

/** The end (exclusive) of the UTC calendar period that starts at `startMs`. */
function periodEndMs(period: BudgetPeriod, startMs: number): number {
  const date = new Date(startMs);
  if (period === 'hour') return startMs + 3_600_000;
  if (period === 'day') return startMs + 86_400_000;
  return Date.UTC(date.getUTCFullYear(), date.getUTCMonth() + 1, 1);
}

/** The cost of `usage` in US dollars under `price`. */
export function costOfUsage(usage: Usage, price: ModelPrice): number {
  const write = price.cacheWritePerMillionTokens ?? price.inputPerMillionTokens * 1.25;
  const read = price.cacheReadPerMillionTokens ?? price.inputPerMillionTokens * 0.1;
  return (
    (usage.inputTokens * price.inputPerMillionTokens +
      usage.outputTokens * price.outputPerMillionTokens +
      usage.cacheCreationInputTokens * write +
      usage.cacheReadInputTokens * read) /
    1_000_000
  );
}

function tokensOf(usage: Usage): number {
  return usage.inputTokens + usage.cacheCreationInputTokens + usage.cacheReadInputTokens + usage.outputTokens;
}

function emptyTotals(): UsageTotals {
  return { requests: 0, usage: emptyUsage(), tokens: 0, costUsd: 0 };
}

function addToTotals(totals: UsageTotals, usage: Usage, costUsd: number | undefined): void {
  totals.requests += 1;
  // In place: this runs twice per call.
  totals.usage.inputTokens += usage.inputTokens;
  totals.usage.outputTokens += usage.outputTokens;
  totals.usage.cacheCreationInputTokens += usage.cacheCreationInputTokens;
  totals.usage.cacheReadInputTokens += usage.cacheReadInputTokens;
  totals.tokens += tokensOf(usage);
  totals.costUsd =
    totals.costUsd === undefined || costUsd === undefined ? undefined : totals.costUsd + costUsd;
}

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
   * Holds `usage` (the call's expected usage) or throws `BudgetExceededError`, after calling
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
      const cap = this.budgets[period];
      if (!cap) continue;
      const used = this.totals(period, nowMs);
      const checks = [
        {
          kind: 'tokens' as const,
          limit: cap.maxTokens,
          used: used.tokens + this.heldTokens,
          requested: hold.tokens,
        },
        {
          kind: 'cost' as const,
          limit: cap.maxCostUsd,
          used: (used.costUsd ?? 0) + this.heldCostUsd,
          requested: hold.costUsd,
        },
      ];
      for (const check of checks) {
        if (check.limit === undefined || check.used + check.requested <= check.limit) continue;
        const details = {
          model,
          period,
          kind: check.kind,
          limit: check.limit,
          used: check.used,
          requested: check.requested,
        };
        onExceeded(requestId === undefined ? details : { ...details, requestId });
        throw new BudgetExceededError(details);
      }
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
    const costUsd = price ? costOfUsage(usage, price) : undefined;
    const hour = this.currentHour(nowMs);
    addToTotals(hour.total, usage, costUsd);
    let byModel = hour.byModel[model];
    if (!byModel) {
      byModel = emptyTotals();
      hour.byModel[model] = byModel;
    }
    addToTotals(byModel, usage, costUsd);
  }

  report(nowMs: number): UsageReport {
    const hour = structuredClone(this.currentHour(nowMs));
    const { day, month } = structuredClone(this.finished!);
    mergePeriod(day, hour);
    mergePeriod(month, hour);
    return { hour, day, month };
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

function emptyPeriod(startMs: number): PeriodUsage {
  return { startMs, total: emptyTotals(), byModel: {} };
}

function mergeTotals(into: UsageTotals, from: UsageTotals): void {
  into.requests += from.requests;
  into.usage.inputTokens += from.usage.inputTokens;
  into.usage.outputTokens += from.usage.outputTokens;
  into.usage.cacheCreationInputTokens += from.usage.cacheCreationInputTokens;
  into.usage.cacheReadInputTokens += from.usage.cacheReadInputTokens;
  into.tokens += from.tokens;
  into.costUsd =
    into.costUsd === undefined || from.costUsd === undefined ? undefined : into.costUsd + from.costUsd;
}

/** Adds the totals of `from` (an hour) into `into` (its day or month). */
function mergePeriod(into: PeriodUsage, from: PeriodUsage): void {
  mergeTotals(into.total, from.total);
  for (const [model, totals] of Object.entries(from.byModel)) {
    let target = into.byModel[model];
    if (!target) {
      target = emptyTotals();
      into.byModel[model] = target;
    }
    mergeTotals(target, totals);
  }
}
