import { parseModelId } from '@bulwark/core';
import type { ModelPrice, PriceTable } from '@bulwark/ratelimit';

/**
 * Anthropic's published list prices in US dollars per million tokens, by model generation, as
 * of this release. Cache writes cost 1.25× input and cache reads 0.1× input (the defaults of
 * `ModelPrice`). Models not listed here (future ones included) get no default price, so their
 * cost shows as unknown rather than guessed: pass `prices` to `createClient` for those.
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
export function priceOf(model: string, prices: PriceTable | undefined): ModelPrice | undefined {
  if (prices) {
    const exact = prices[model];
    if (exact) return exact;
    const modelClass = parseModelId(model)?.modelClass;
    const byClass = modelClass === undefined ? undefined : prices[modelClass];
    if (byClass) return byClass;
  }
  return defaultPriceOf(model);
}
