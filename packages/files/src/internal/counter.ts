import type { TokenEstimator } from '@bulwark/core';

/** A token counter that may answer synchronously (the fast path) or asynchronously. */
export type CountTokens = (text: string) => number | Promise<number>;

interface SyncCapableEstimator extends TokenEstimator {
  ready(): Promise<unknown>;
  countTokensSync(text: string): number;
}

function hasSyncPath(estimator: TokenEstimator): estimator is SyncCapableEstimator {
  const candidate = estimator as Partial<SyncCapableEstimator>;
  return typeof candidate.ready === 'function' && typeof candidate.countTokensSync === 'function';
}

/**
 * The fastest way to count with `estimator`: its synchronous `countTokensSync` after
 * `ready()` when it offers one (as `@bulwark/tokens` does), otherwise `countTokens`.
 */
export async function counterFor(estimator: TokenEstimator): Promise<CountTokens> {
  if (hasSyncPath(estimator)) {
    await estimator.ready();
    return (text) => estimator.countTokensSync(text);
  }
  return (text) => estimator.countTokens(text);
}
