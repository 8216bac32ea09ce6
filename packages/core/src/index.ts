export type {
  AdmissionFeedback,
  AdmissionGate,
  AdmissionRequest,
  Reservation,
} from './admission-gate.js';
export { type AttachLoggerOptions, attachLogger } from './attach-logger.js';
export { type BulwarkEventListeners, type Bus, createBus } from './bus.js';
export { type CheckpointStore, createMemoryCheckpointStore } from './checkpoint-store.js';
export {
  type Clock,
  type ClockTimer,
  createManualClock,
  createSystemClock,
  type ManualClock,
  type SystemClockOptions,
  sleep,
  systemClock,
} from './clock.js';
export {
  type ContentBlockParamType,
  contentBlockParamTypes,
  serverToolResultBlockTypes,
} from './content-block-types.js';
export { buildContinuationPrompt, parseContinuationPrompt } from './continuation.js';
export {
  AbortedError,
  BulwarkError,
  type BulwarkErrorOptions,
  InvalidArgumentError,
  isAbortError,
  throwIfAborted,
} from './errors.js';
export {
  type BucketLevel,
  type BucketLevels,
  type BudgetExceededEvent,
  type BulwarkEventName,
  type BulwarkEvents,
  bulwarkEventNames,
  type CheckpointSavedEvent,
  type ErrorSummary,
  type FileChunkEvent,
  type FileRefusalReason,
  type FileRefusedEvent,
  type RateLimitAdmitEvent,
  type RateLimitBucket,
  type RateLimitThrottledEvent,
  type RateLimitUpdateEvent,
  type RateLimitWaitEvent,
  type RequestEndEvent,
  type RequestErrorEvent,
  type RequestStartEvent,
  type RetryReason,
  type RetryScheduledEvent,
  type StreamingReason,
  type StreamProgressEvent,
  type StreamResumeEvent,
  type StreamStallEvent,
  type UsageEvent,
} from './events.js';
export { hashString } from './hash-string.js';
export { getHeader, type HeadersLike, parseRetryAfterMs } from './headers.js';
export { createSafeLogger, type Logger, type LogLevel, type LogMethod, silentLogger } from './logger.js';
export { type ModelInfo, modelAcceptsPrefill, modelClassOf, parseModelId } from './models.js';
export { REDACTED, redactSecrets } from './redact.js';
export { createRequestId } from './request-id.js';
export type {
  ContentBlockLike,
  MessageParamLike,
  MessageRequestLike,
  RequestTokenEstimate,
  TokenEstimatePart,
  TokenEstimator,
} from './token-estimator.js';
export {
  type ApiUsageLike,
  addUsage,
  emptyUsage,
  rateLimitedInputTokens,
  sumUsage,
  totalInputTokens,
  type Usage,
  usageFromApi,
} from './usage.js';
export {
  describeValue,
  expectKnownKeys,
  expectNumber,
  expectObject,
  expectOneOf,
  expectOptionalNumber,
  expectOptionalSignal,
  expectString,
  invalidArgument,
  type NumberRule,
} from './validate.js';
