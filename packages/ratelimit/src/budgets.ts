import type { Usage } from '@bulwark/core';

/** A budget period: calendar hour, day or month in UTC. */
export type BudgetPeriod = 'hour' | 'day' | 'month';

/** The caps of one period. */
export interface BudgetCap {
  /** Tokens per period: input (uncached, cache writes and cache reads) plus output. */
  maxTokens?: number;
  /** US dollars per period, priced with `prices`. */
  maxCostUsd?: number;
}

/** Caps per period, such as `{ day: { maxCostUsd: 50 } }`. */
export type Budgets = Partial<Record<BudgetPeriod, BudgetCap>>;

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
