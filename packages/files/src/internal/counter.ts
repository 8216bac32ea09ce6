import type { TokenEstimator } from '@bulwark/core';

/** A token counter that may answer synchronously (the fast path) or asynchronously. */
export type CountTokens = (text: string) => number | Promise<number>;

/**
 * The fastest way to count with `estimator`: its synchronous `countTokensSync` after
 * `ready()` when it declares both (as `@bulwark/tokens` does), otherwise `countTokens`.
 */
export async function counterFor(estimator: TokenEstimator): Promise<CountTokens> {
  const { ready, countTokensSync } = estimator;
  if (ready !== undefined && countTokensSync !== undefined) {
    await ready.call(estimator);
    return (text) => countTokensSync.call(estimator, text);
  }
  return (text) => estimator.countTokens(text);
}
