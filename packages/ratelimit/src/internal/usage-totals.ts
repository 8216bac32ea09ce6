import { emptyUsage, type Usage } from '@bulwark/core';
import type { BudgetPeriod, PeriodUsage, UsageTotals } from '../budgets.js';

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
export function periodEndMs(period: BudgetPeriod, startMs: number): number {
  const date = new Date(startMs);
  if (period === 'hour') return startMs + 3_600_000;
  if (period === 'day') return startMs + 86_400_000;
  return Date.UTC(date.getUTCFullYear(), date.getUTCMonth() + 1, 1);
}

/** Every token of `usage`: input (uncached, cache writes, cache reads) plus output. */
export function tokensOf(usage: Usage): number {
  return usage.inputTokens + usage.cacheCreationInputTokens + usage.cacheReadInputTokens + usage.outputTokens;
}

export function emptyPeriod(startMs: number): PeriodUsage {
  return { startMs, total: emptyTotals(), byModel: {} };
}

/** Adds one call of `model` to `period`, in place (this runs twice per call). */
export function recordUsage(
  period: PeriodUsage,
  model: string,
  usage: Usage,
  costUsd: number | undefined,
): void {
  addToTotals(period.total, usage, costUsd);
  let byModel = period.byModel[model];
  if (!byModel) {
    byModel = emptyTotals();
    period.byModel[model] = byModel;
  }
  addToTotals(byModel, usage, costUsd);
}

/** Adds the totals of `from` (an hour) into `into` (its day or month). */
export function mergePeriod(into: PeriodUsage, from: PeriodUsage): void {
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

function emptyTotals(): UsageTotals {
  return { requests: 0, usage: emptyUsage(), tokens: 0, costUsd: 0 };
}

function addToTotals(totals: UsageTotals, usage: Usage, costUsd: number | undefined): void {
  totals.requests += 1;
  totals.usage.inputTokens += usage.inputTokens;
  totals.usage.outputTokens += usage.outputTokens;
  totals.usage.cacheCreationInputTokens += usage.cacheCreationInputTokens;
  totals.usage.cacheReadInputTokens += usage.cacheReadInputTokens;
  totals.tokens += tokensOf(usage);
  totals.costUsd = sumCost(totals.costUsd, costUsd);
}

function mergeTotals(into: UsageTotals, from: UsageTotals): void {
  into.requests += from.requests;
  into.usage.inputTokens += from.usage.inputTokens;
  into.usage.outputTokens += from.usage.outputTokens;
  into.usage.cacheCreationInputTokens += from.usage.cacheCreationInputTokens;
  into.usage.cacheReadInputTokens += from.usage.cacheReadInputTokens;
  into.tokens += from.tokens;
  into.costUsd = sumCost(into.costUsd, from.costUsd);
}

/** A sum of costs is unknown once one of them is. */
function sumCost(left: number | undefined, right: number | undefined): number | undefined {
  return left === undefined || right === undefined ? undefined : left + right;
}
