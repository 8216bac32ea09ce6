import { parseModelId } from './models.js';
import type { Usage } from './usage.js';

/** A model's prices in US dollars per million tokens. */
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

/** The share of list price the Message Batches API charges. */
export const batchPriceFactor = 0.5;

/**
 * The cost in US dollars of `usage` at `price`: uncached input, output, cache writes and cache
 * reads, each at its rate. `batch` applies the Message Batches API's discount (half price).
 */
export function costOfUsage(
  usage: Usage,
  price: ModelPrice,
  { batch = false }: { batch?: boolean } = {},
): number {
  const write = price.cacheWritePerMillionTokens ?? price.inputPerMillionTokens * 1.25;
  const read = price.cacheReadPerMillionTokens ?? price.inputPerMillionTokens * 0.1;
  const listCost =
    (usage.inputTokens * price.inputPerMillionTokens +
      usage.outputTokens * price.outputPerMillionTokens +
      usage.cacheCreationInputTokens * write +
      usage.cacheReadInputTokens * read) /
    1_000_000;
  return batch ? listCost * batchPriceFactor : listCost;
}

/**
 * Anthropic's published list prices in US dollars per million tokens, by model generation, as
 * of this release. Cache writes cost 1.25× input and cache reads 0.1× input (the defaults of
 * `ModelPrice`). Models not listed here (future ones included) get no default price, so their
 * cost shows as unknown rather than guessed: pass a `PriceTable` for those.
 */
export function defaultPriceOf(model: string): ModelPrice | undefined {
  const info = parseModelId(model);
  if (!info) return undefined;
  const { tier, major, minor } = info;
  if (tier === 'opus') {
    if (major === 4 && minor >= 5) return { inputPerMillionTokens: 5, outputPerMillionTokens: 25 };
    if (major === 4 || major === 3) return { inputPerMillionTokens: 15, outputPerMillionTokens: 75 };
    return undefined;
  }
  if (tier === 'sonnet') {
    if (major === 4 || (major === 3 && minor >= 5))
      return { inputPerMillionTokens: 3, outputPerMillionTokens: 15 };
    return undefined;
  }
  if (major === 4 && minor >= 5) return { inputPerMillionTokens: 1, outputPerMillionTokens: 5 };
  if (major === 3 && minor === 5) return { inputPerMillionTokens: 0.8, outputPerMillionTokens: 4 };
  if (major === 3 && minor === 0) return { inputPerMillionTokens: 0.25, outputPerMillionTokens: 1.25 };
  return undefined;
}

/**
 * The price of `model`: from `prices` by exact id, then by model class (`claude-sonnet-4`),
 * then `defaultPriceOf`.
 */
export function priceOf(model: string, prices?: PriceTable): ModelPrice | undefined {
  if (prices) {
    const exact = prices[model];
    if (exact) return exact;
    const modelClass = parseModelId(model)?.modelClass;
    const byClass = modelClass === undefined ? undefined : prices[modelClass];
    if (byClass) return byClass;
  }
  return defaultPriceOf(model);
}
