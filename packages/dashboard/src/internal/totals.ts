import { addUsage, costOfUsage, emptyUsage, type ModelPrice, type Usage } from '@bulwark/core';

/** Totals of one model since the dashboard started: the same figures as the bundle's `usage()`. */
export interface ModelTotals {
  completed: number;
  failed: number;
  attempts: number;
  retries: number;
  resumes: number;
  stalls: number;
  rateLimited: number;
  keptTokens: number;
  usage: Usage;
  /** US dollars; `null` when the model has no price. */
  costUsd: number | null;
}

const maxModels = 100;

/** Per-model totals, bounded to 100 models (the rest are added up under `other`). */
export class Totals {
  private readonly models = new Map<string, ModelTotals>();
  changed = false;

  constructor(private readonly priceOf: (model: string) => ModelPrice | undefined) {}

  of(model: string): ModelTotals {
    const key = this.models.has(model) || this.models.size < maxModels ? model : 'other';
    let entry = this.models.get(key);
    if (!entry) {
      entry = {
        completed: 0,
        failed: 0,
        attempts: 0,
        retries: 0,
        resumes: 0,
        stalls: 0,
        rateLimited: 0,
        keptTokens: 0,
        usage: emptyUsage(),
        costUsd: this.priceOf(model) === undefined ? null : 0,
      };
      this.models.set(key, entry);
    }
    this.changed = true;
    return entry;
  }

  /** Adds an attempt's usage, and its cost when the model has a price; returns that cost. */
  addUsage(model: string, usage: Usage): number | undefined {
    const entry = this.of(model);
    entry.usage = addUsage(entry.usage, usage);
    const price = this.priceOf(model);
    if (price === undefined || entry.costUsd === null) return undefined;
    const cost = costOfUsage(usage, price);
    entry.costUsd += cost;
    return cost;
  }

  snapshot(): Record<string, ModelTotals> {
    const copy: Record<string, ModelTotals> = {};
    for (const [model, entry] of this.models) copy[model] = { ...entry, usage: { ...entry.usage } };
    return copy;
  }
}
