export { computeRetryDelayMs, type RetryDelayInput } from './backoff.js';
export { isStreamCheckpoint, type StreamCheckpoint } from './checkpoint-record.js';
export {
  MessageSnapshot,
  type ResumePlan,
  type SnapshotBlock,
  type SnapshotState,
} from './message-snapshot.js';
export { computeProgress, type ProgressFigures } from './progress.js';
export {
  buildResumeRequest,
  type ContinuationStrategy,
  chooseContinuationStrategy,
  type ResumeRequest,
} from './resume-request.js';
export { classifyFailure, type FailureClassification, spendLimitErrorCode } from './retry-classification.js';
export { StreamInterruptedError } from './stream-interrupted-error.js';
export {
  type CreateMessageOptions,
  createStreamingClient,
  type GetCompletionOptions,
  type ResumeFromCheckpointOptions,
  type StreamingClient,
  type StreamingClientOptions,
} from './streaming-client.js';
export { decideStreaming, type StreamingMode } from './streaming-decision.js';
export { validateMessageParams } from './validate-request.js';
