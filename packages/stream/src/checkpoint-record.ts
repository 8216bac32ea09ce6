import type Anthropic from '@anthropic-ai/sdk';
import type { StreamingReason, Usage } from '@bulwark/core';

/** One content block as received, with what is needed to tell whether it is complete. */
export interface SnapshotBlock {
  block: Anthropic.ContentBlock;
  /** True once its `content_block_stop` arrived. */
  complete: boolean;
  /** The raw `partial_json` of a tool_use / server_tool_use block, as received. */
  inputJson?: string;
}

/** The message received so far, as a checkpoint holds it. */
export interface SnapshotState {
  /** The message metadata from the first `message_start` (content and usage aside). */
  message: Omit<Anthropic.Message, 'content'> | undefined;
  blocks: SnapshotBlock[];
  /** Usage of the attempts that are over, summed. */
  finishedUsage: Usage;
  /** Attempts made so far. */
  attempts: number;
}

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
