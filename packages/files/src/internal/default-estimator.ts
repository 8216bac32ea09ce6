import { type BulwarkTokenEstimator, createTokenEstimator } from '@bulwark/tokens';

let shared: BulwarkTokenEstimator | undefined;

/**
 * The estimator used when none is given: `@bulwark/tokens`' exact cl100k_base counts, created
 * on first use and shared by every root and call (the encoding itself loads once per process,
 * on the first `ready()`). The chunker uses its synchronous `countTokensSync` path.
 */
export function defaultEstimator(): BulwarkTokenEstimator {
  shared ??= createTokenEstimator();
  return shared;
}
