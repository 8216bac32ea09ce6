import type { TokenEstimator } from '@bulwark/core';
import { invalidArgument } from '@bulwark/core/internal';
import type { Chunk } from './chunk.js';
import type { ChunkFormat } from './internal/boundaries.js';
import { chunkPieces } from './internal/chunk-engine.js';
import { maxChunkChars, validateChunkOptions } from './internal/chunk-options.js';
import { counterFor } from './internal/counter.js';
import { defaultEstimator } from './internal/default-estimator.js';

export interface ChunkTextOptions {
  /** The most tokens one chunk may have, by the estimator's exact count. */
  maxTokens: number;
  /** Tokens at the start of each chunk repeated from the end of the previous one. @default 0 */
  overlapTokens?: number;
  /** Counts tokens. @default exact cl100k_base counts (`@bulwark/tokens`) */
  estimator?: TokenEstimator;
  /** Which boundaries are preferred: Markdown headings and fences, source-file blocks, or plain text. @default 'text' */
  format?: ChunkFormat;
  signal?: AbortSignal;
}

/**
 * Cuts `text` into chunks of at most `maxTokens` at the best boundary available (block,
 * blank line, line end, sentence end, word, then a hard cut that never splits a surrogate
 * pair or CRLF). Byte offsets are UTF-8 offsets into `text`.
 */
export async function chunkText(text: string, options: ChunkTextOptions): Promise<Chunk[]> {
  if (typeof text !== 'string') throw invalidArgument('text', 'a string', text);
  const { maxTokens, overlapTokens, estimator, format, signal } = validateChunkOptions('options', options);
  const count = await counterFor(estimator ?? defaultEstimator());
  const chunks: Chunk[] = [];
  for await (const chunk of chunkPieces([text], {
    maxTokens,
    overlapTokens,
    count,
    format: format ?? 'text',
    byteLength: (piece) => Buffer.byteLength(piece, 'utf8'),
    firstByte: 0,
    signal,
    maxChunkChars,
  })) {
    chunks.push(chunk);
  }
  return chunks;
}
