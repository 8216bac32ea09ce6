import {
  defineOptions,
  expectNumber,
  option,
  parseOptions,
  type ResolvedOptions,
} from '@bulwark/core/internal';
import type { ChunkTextOptions } from '../chunk-text.js';
import type { ChunkFileOptions } from '../safe-root.js';
import { estimatorRule } from './option-rules.js';

/** `maxTokens` is required: checked by its rule when given, and again here when left out. */
const maxTokensRule = { min: 1, integer: true } as const;

/** The options of `chunkText`, each declared once. */
export const chunkTextOptions = defineOptions<ChunkTextOptions>()({
  maxTokens: option.number(maxTokensRule),
  // At most `maxTokens - 1`, checked once `maxTokens` is known.
  overlapTokens: option.number({ min: 0, integer: true, default: 0 }),
  estimator: estimatorRule,
  // The default depends on the caller: 'text' for strings, the file's extension for files.
  format: option.oneOf(['text', 'markdown', 'source']),
  signal: option.signal(),
});

/** The options of `chunkFile`: those of `chunkText`, plus `allowBinary`. */
export const chunkFileOptions = defineOptions<ChunkFileOptions>()({
  ...chunkTextOptions.rules,
  allowBinary: option.boolean(),
});

/** Chunking options after `parseChunkOptions`: `overlapTokens` filled in, the rest as given. */
export type ChunkSettings = ResolvedOptions<ChunkFileOptions, typeof chunkFileOptions.rules> & {
  maxTokens: number;
};

/**
 * Checks chunking options against `group`: unknown keys refused, `maxTokens` required, and
 * `overlapTokens` below `maxTokens`.
 */
export function parseChunkOptions(
  argument: string,
  input: unknown,
  group: typeof chunkTextOptions | typeof chunkFileOptions,
): ChunkSettings {
  // `chunkTextOptions` is `chunkFileOptions` without `allowBinary`, which then stays undefined.
  const settings = parseOptions(argument, input, group as typeof chunkFileOptions);
  const maxTokens = expectNumber(`${argument}.maxTokens`, settings.maxTokens, maxTokensRule);
  expectNumber(`${argument}.overlapTokens`, settings.overlapTokens, {
    min: 0,
    max: maxTokens - 1,
    integer: true,
  });
  return { ...settings, maxTokens };
}

/** The most characters one chunk may span, whatever the estimator says (16 MiB of UTF-16). */
export const maxChunkChars = 8 * 1024 * 1024;
