import type Anthropic from '@anthropic-ai/sdk';
import type { StreamingReason } from '@bulwark/core';
import type { SnapshotState } from './message-snapshot.js';

/**
 * What `createMessage` saves to a `CheckpointStore` while it streams, and what
 * `resumeFromCheckpoint` reads back. It holds the request itself (prompt included), so keep
 * the store where prompts may be kept.
 */
export interface StreamCheckpoint {
  version: 1;
  requestId: string;
  /** The caller's request, without `stream`. */
  params: Anthropic.MessageCreateParamsNonStreaming;
  streaming: boolean;
  streamingReason: StreamingReason;
  /** The message received so far, with usage summed over the attempts made. */
  snapshot: SnapshotState;
  /** Output tokens so far (estimated for a broken attempt). */
  outputTokens: number;
  /** Epoch milliseconds on the client's clock. */
  savedAtMs: number;
}

/** True when `value` looks like a checkpoint this version of the client wrote. */
export function isStreamCheckpoint(value: unknown): value is StreamCheckpoint {
  if (typeof value !== 'object' || value === null) return false;
  const record = value as Partial<StreamCheckpoint>;
  return (
    record.version === 1 &&
    typeof record.requestId === 'string' &&
    typeof record.params === 'object' &&
    record.params !== null &&
    typeof record.snapshot === 'object' &&
    record.snapshot !== null &&
    Array.isArray(record.snapshot.blocks)
  );
}
