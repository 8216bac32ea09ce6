import type { TokenEstimator } from '@bulwark/core';
import { invalidArgument } from '@bulwark/core/internal';
import type { Chunk, ChunkFormat } from './chunk.js';
import { chunkPieces } from './internal/chunk-engine.js';
import { chunkTextOptions, maxChunkChars, parseChunkOptions } from './internal/chunk-options.js';
import { counterFor } from './internal/counter.js';
import { byteLengthIn } from './internal/decode.js';
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
  const settings = parseChunkOptions('options', options, chunkTextOptions);
  const count = await counterFor(settings.estimator ?? defaultEstimator());
  const chunks: Chunk[] = [];
  for await (const chunk of chunkPieces([text], {
    maxTokens: settings.maxTokens,
    overlapTokens: settings.overlapTokens,
    count,
    format: settings.format ?? 'text',
    byteLength: byteLengthIn('utf-8'),
    firstByte: 0,
    signal: settings.signal,
    maxChunkChars,
  })) {
    chunks.push(chunk);
  }
  return chunks;
}
