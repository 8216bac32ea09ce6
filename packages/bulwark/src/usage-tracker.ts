import {
  addUsage,
  type BulwarkEventListeners,
  type Bus,
  costOfUsage,
  emptyUsage,
  type ModelPrice,
  type Usage,
} from '@bulwark/core';

/** Totals for one model since the tracker started. */
export interface ModelUsageTotals {
  /** Requests that completed. */
  requests: number;
  /** Requests that ended in an error after their last attempt. */
  failed: number;
  /** Attempts made, first tries included. */
  attempts: number;
  /** Tokens the API reported over every attempt, broken ones included (that is what is billed). */
  usage: Usage;
  /** Cost in US dollars from the price table; `undefined` when the model has no known price. */
  costUsd: number | undefined;
  /** Retries scheduled, resumes included. */
  retries: number;
  /** Broken streams continued rather than restarted. */
  resumes: number;
  /** Output tokens kept by those resumes instead of being generated again. */
  outputTokensKeptByResume: number;
  /** Attempts answered with status 429. */
  rateLimited: number;
  /** Streams aborted for sending nothing. */
  stalls: number;
}

export interface UsageTracker {
  /** A copy of the totals per model. */
  snapshot(): Record<string, ModelUsageTotals>;
  /** Stops listening to the bus. */
  stop(): void;
}

/**
 * Keeps per-model totals from the events on `bus` alone: it needs no reference to the
 * streaming client or the limiter.
 */
export function createUsageTracker(
  bus: Bus,
  { pricesOf }: { pricesOf: (model: string) => ModelPrice | undefined },
): UsageTracker {
  const totals = new Map<string, ModelUsageTotals>();
  const totalsOf = (model: string): ModelUsageTotals => {
    let entry = totals.get(model);
    if (!entry) {
      entry = {
        requests: 0,
        failed: 0,
        attempts: 0,
        usage: emptyUsage(),
        costUsd: pricesOf(model) === undefined ? undefined : 0,
        retries: 0,
        resumes: 0,
        outputTokensKeptByResume: 0,
        rateLimited: 0,
        stalls: 0,
      };
      totals.set(model, entry);
    }
    return entry;
  };

  const listeners: Partial<BulwarkEventListeners> = {
    'request:start': ({ model }) => {
      totalsOf(model).attempts += 1;
    },
    'request:end': ({ model }) => {
      totalsOf(model).requests += 1;
    },
    'request:error': ({ model, willRetry, error }) => {
      const entry = totalsOf(model);
      if (error.status === 429) entry.rateLimited += 1;
      if (!willRetry) entry.failed += 1;
    },
    usage: ({ model, usage }) => {
      const entry = totalsOf(model);
      entry.usage = addUsage(entry.usage, usage);
      const prices = pricesOf(model);
      if (prices !== undefined && entry.costUsd !== undefined) entry.costUsd += costOfUsage(usage, prices);
    },
    'retry:scheduled': ({ model }) => {
      totalsOf(model).retries += 1;
    },
    'stream:resume': ({ model, keptOutputTokens }) => {
      const entry = totalsOf(model);
      entry.resumes += 1;
      entry.outputTokensKeptByResume += keptOutputTokens;
    },
    'stream:stall': ({ model }) => {
      totalsOf(model).stalls += 1;
    },
  };

  const names = Object.keys(listeners) as Array<keyof BulwarkEventListeners>;
  for (const name of names) bus.on(name, listeners[name] as never);

  return {
    snapshot() {
      const copy: Record<string, ModelUsageTotals> = {};
      for (const [model, entry] of totals) copy[model] = { ...entry, usage: { ...entry.usage } };
      return copy;
    },
    stop() {
      for (const name of names) bus.off(name, listeners[name] as never);
    },
  };
}
