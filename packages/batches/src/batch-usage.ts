import type Anthropic from '@anthropic-ai/sdk';
import { addUsage, costOfUsage, emptyUsage, type ModelPrice, type Usage, usageFromApi } from '@bulwark/core';

/** Tokens and cost of one model's succeeded batch results. */
export interface BatchModelUsage {
  /** Succeeded results. */
  succeeded: number;
  usage: Usage;
  /** US dollars at batch prices (half the list price); `undefined` when the model has no known price. */
  costUsd: number | undefined;
}

/** Totals per model: what `runner.usage()` returns. */
export type BatchUsage = Record<string, BatchModelUsage>;

/** What one succeeded message cost. */
export interface MessageCost {
  model: string;
  usage: Usage;
  /** `undefined` when the model has no known price. */
  costUsd: number | undefined;
}

/** Prices messages at batch rates and keeps per-model totals. */
export class BatchUsageLedger {
  readonly #priceOf: (model: string) => ModelPrice | undefined;
  readonly #totals = new Map<string, BatchModelUsage>();

  constructor(priceOf: (model: string) => ModelPrice | undefined) {
    this.#priceOf = priceOf;
  }

  /** Prices `message` and adds it to its model's totals. */
  record(message: Anthropic.Messages.Message): MessageCost {
    const model = message.model;
    const usage = usageFromApi(message.usage);
    const price = this.#priceOf(model);
    const costUsd = price === undefined ? undefined : costOfUsage(usage, price, { batch: true });
    const totals = this.#totals.get(model) ?? {
      succeeded: 0,
      usage: emptyUsage(),
      costUsd: price === undefined ? undefined : 0,
    };
    totals.succeeded += 1;
    totals.usage = addUsage(totals.usage, usage);
    if (totals.costUsd !== undefined && costUsd !== undefined) totals.costUsd += costUsd;
    this.#totals.set(model, totals);
    return { model, usage, costUsd };
  }

  /** A copy of the totals per model. */
  snapshot(): BatchUsage {
    const copy: BatchUsage = {};
    for (const [model, totals] of this.#totals) copy[model] = { ...totals, usage: { ...totals.usage } };
    return copy;
  }
}
