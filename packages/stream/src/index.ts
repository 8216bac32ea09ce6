export type {
  CreateMessageOptions,
  GetCompletionOptions,
  ResumeFromCheckpointOptions,
} from './call-options.js';
export type { StreamCheckpoint } from './checkpoint-record.js';
export type {
  RetryOptions,
  StreamingBehaviourOptions,
  StreamingClientOptions,
  StreamingMode,
} from './options.js';
export { StreamInterruptedError } from './stream-interrupted-error.js';
export { createStreamingClient, type StreamingClient } from './streaming-client.js';
