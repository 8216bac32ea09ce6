/** One piece of a text or file that fits a token budget, with where it came from. */
export interface Chunk {
  /** 0 for the first chunk. */
  index: number;
  text: string;
  /** The estimator's exact count of `text`; never more than `maxTokens`. */
  tokenCount: number;
  /** Offset of the chunk's first byte in the source (UTF-8 for strings; the file's encoding for files). */
  byteStart: number;
  /** Offset just past the chunk's last byte: `text` encoded is exactly `source[byteStart, byteEnd)`. */
  byteEnd: number;
  /** 1-based line of the chunk's first character. */
  lineStart: number;
  /** 1-based line of the chunk's last character (a chunk ending in '\n' ends on that newline's line). */
  lineEnd: number;
  /** Bytes at the start of this chunk repeated from the end of the previous one (0 for the first). */
  overlapBytes: number;
}

/** Which boundaries count as top-level blocks: Markdown headings and fences, source-file blocks, or none. */
export type ChunkFormat = 'text' | 'markdown' | 'source';
