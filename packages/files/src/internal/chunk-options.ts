import type { TokenEstimator } from '@bulwark/core';
import {
  expectKnownKeys,
  expectNumber,
  expectObject,
  expectOneOf,
  expectOptionalSignal,
  invalidArgument,
} from '@bulwark/core/internal';
import type { ChunkFormat } from './boundaries.js';

export interface ValidChunkOptions {
  maxTokens: number;
  overlapTokens: number;
  estimator: TokenEstimator | undefined;
  format: ChunkFormat | undefined;
  signal: AbortSignal | undefined;
}

/** Checks the options shared by `chunkText` and `chunkFile`; `extraKeys` are the caller's own. */
export function validateChunkOptions(
  argument: string,
  options: unknown,
  extraKeys: readonly string[] = [],
): ValidChunkOptions {
  const object = expectObject(argument, options);
  expectKnownKeys(argument, object, [
    'maxTokens',
    'overlapTokens',
    'estimator',
    'format',
    'signal',
    ...extraKeys,
  ]);
  const maxTokens = expectNumber(`${argument}.maxTokens`, object.maxTokens, { min: 1, integer: true });
  const overlapTokens =
    object.overlapTokens === undefined
      ? 0
      : expectNumber(`${argument}.overlapTokens`, object.overlapTokens, {
          min: 0,
          max: maxTokens - 1,
          integer: true,
        });
  const estimator = object.estimator;
  if (
    estimator !== undefined &&
    (typeof estimator !== 'object' ||
      estimator === null ||
      typeof (estimator as TokenEstimator).countTokens !== 'function')
  ) {
    throw invalidArgument(`${argument}.estimator`, 'a TokenEstimator (with countTokens)', estimator);
  }
  const format =
    object.format === undefined
      ? undefined
      : expectOneOf(`${argument}.format`, object.format, ['text', 'markdown', 'source'] as const);
  return {
    maxTokens,
    overlapTokens,
    estimator: estimator as TokenEstimator | undefined,
    format,
    signal: expectOptionalSignal(`${argument}.signal`, object.signal),
  };
}

/** The most characters one chunk may span, whatever the estimator says (16 MiB of UTF-16). */
export const maxChunkChars = 8 * 1024 * 1024;
