import type { Logger } from '@bulwark/core';
import { defineOptions, expectNumber, option, silentLogger } from '@bulwark/core/internal';
import type { CountTokensClient } from './count-tokens-client.js';
import type { EncodingName, RankFileLoader } from './encoding.js';

export interface TokenEstimatorOptions {
  /** The js-tiktoken encoding to count with. @default 'cl100k_base' */
  encoding?: EncodingName;
  /** `exact` counts with the encoding; `fast` uses `estimateTokensFast` and never loads one. @default 'exact' */
  mode?: 'exact' | 'fast';
  /** Starting ratio (Claude ÷ local tokens) per model family, such as `{ 'claude-sonnet-4': 1.18 }`. @default {} */
  calibrationPriors?: Record<string, number>;
  /** The starting ratio of a family without its own prior. @default 1.2 for cl100k_base, 1.25 for o200k_base */
  defaultCalibrationPrior?: number;
  /** About how many recent requests the moving ratio reflects. @default 20 */
  calibrationWindow?: number;
  /** How many observations the prior is worth against the first ones. @default 1 */
  calibrationPriorWeight?: number;
  /** An Anthropic client, for `countWithApi`. @default none */
  client?: CountTokensClient;
  /** Server counts remembered by `countWithApi` (keyed by a hash of the request). @default 64 */
  apiCountCacheSize?: number;
  /** Where rank files come from. @default js-tiktoken's own, imported on first use and shared by all estimators */
  loadRankFile?: RankFileLoader;
  /** Told once when an encoding cannot load and the `fast` heuristic takes over. @default silent */
  logger?: Logger;
}

/** A calibration ratio is clamped to this range, so a prior outside it is refused. */
const priorRule = { min: 0.2, max: 5 } as const;

/** Each option of `createTokenEstimator` once, with its check and default. */
export const tokenEstimatorOptions = defineOptions<TokenEstimatorOptions>()({
  encoding: option.oneOf(['cl100k_base', 'o200k_base'], { default: 'cl100k_base' }),
  mode: option.oneOf(['exact', 'fast'], { default: 'exact' }),
  calibrationPriors: option.record((argument, value) => expectNumber(argument, value, priorRule), {
    default: {},
  }),
  // Its default depends on the encoding: `defaultCalibrationPriors` fills it in.
  defaultCalibrationPrior: option.number(priorRule),
  calibrationWindow: option.number({ min: 1, integer: true, default: 20 }),
  calibrationPriorWeight: option.number({ min: 0, default: 1 }),
  client: option.instance<CountTokensClient>(
    'an Anthropic client (with messages.countTokens)',
    (value) => typeof (value as Partial<CountTokensClient>).messages?.countTokens === 'function',
  ),
  apiCountCacheSize: option.number({ min: 0, integer: true, default: 64 }),
  loadRankFile: option.function<RankFileLoader>(),
  logger: option.instance<Logger, { default: Logger }>(
    'a Logger (with warn)',
    (value) => typeof (value as Partial<Logger>).warn === 'function',
    { default: silentLogger },
  ),
});

/** The options of `countWithApi`: `signal` aborts the call to the API (`AbortedError`). */
export const countWithApiOptions = defineOptions<{ signal?: AbortSignal }>()({ signal: option.signal() });
