import type { Bus, TokenEstimator } from '@bulwark/core';
import { option } from '@bulwark/core/internal';

/** The `estimator` option of every function that counts tokens: anything with `countTokens`. */
export const estimatorRule = option.instance<TokenEstimator>(
  'a TokenEstimator (with countTokens)',
  (value) => typeof (value as Partial<TokenEstimator>).countTokens === 'function',
);

/** The `bus` option: core's `Bus` (anything with `emit`). */
export const busRule = option.instance<Bus>(
  'a Bus (from createBus)',
  (value) => typeof (value as Partial<Bus>).emit === 'function',
);

/** The choices of the `invalidUtf8` option of `openSafeRoot` and `readText`. */
export const invalidUtf8Choices = ['replace', 'refuse'] as const;
