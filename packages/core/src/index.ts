// The public surface of @bulwark/core. Helpers that sibling packages share live behind
// `@bulwark/core/internal` and are not for users.
export type {
  AdmissionFeedback,
  AdmissionGate,
  AdmissionRequest,
  Reservation,
} from './admission-gate.js';
export type { AlertRaisedEvent, AlertResolvedEvent, AlertSeverity } from './alert-events.js';
export { type AttachLoggerOptions, attachLogger } from './attach-logger.js';
export type {
  BatchCanceledEvent,
  BatchCollectedEvent,
  BatchEndedEvent,
  BatchJobEndEvent,
  BatchJobStartEvent,
  BatchProgressEvent,
  BatchRequestCounts,
  BatchRetryingEvent,
  BatchSubmittedEvent,
  BatchThrottledEvent,
} from './batch-events.js';
export { type BulwarkEventListeners, type Bus, createBus } from './bus.js';
export { type CheckpointStore, createMemoryCheckpointStore } from './checkpoint-store.js';
export {
  type Clock,
  type ClockTimer,
  createManualClock,
  createSystemClock,
  type ManualClock,
  type SystemClockOptions,
  systemClock,
} from './clock.js';
export {
  AbortedError,
  BulwarkError,
  type BulwarkErrorOptions,
  InvalidArgumentError,
  isAbortError,
} from './errors.js';
export { type BulwarkEventName, type BulwarkEvents, bulwarkEventNames } from './events.js';
export type { FileChunkEvent, FileRefusalReason, FileRefusedEvent } from './file-events.js';
export type { HeadersLike } from './headers.js';
export type { Logger, LogLevel, LogMethod } from './logger.js';
export { type ModelInfo, modelAcceptsPrefill, modelClassOf, parseModelId } from './models.js';
export {
  batchPriceFactor,
  costOfUsage,
  defaultPriceOf,
  type ModelPrice,
  type PriceTable,
  priceOf,
} from './prices.js';
export type {
  BucketLevel,
  BucketLevels,
  BudgetExceededEvent,
  BudgetLevelEvent,
  RateLimitAdmitEvent,
  RateLimitBucket,
  RateLimitStoreFailedEvent,
  RateLimitThrottledEvent,
  RateLimitUpdateEvent,
  RateLimitWaitEvent,
} from './ratelimit-events.js';
export { REDACTED, redactSecrets } from './redact.js';
export type {
  CheckpointFailedEvent,
  CheckpointSavedEvent,
  CircuitState,
  CircuitStateEvent,
  ErrorSummary,
  FallbackReason,
  FallbackSwitchedEvent,
  GiveUpReason,
  RequestEndEvent,
  RequestErrorEvent,
  RequestStartEvent,
  RetryReason,
  RetryScheduledEvent,
  StreamContinueEvent,
  StreamFirstTokenEvent,
  StreamingReason,
  StreamProgressEvent,
  StreamResumeEvent,
  StreamStallEvent,
  UsageEvent,
} from './request-events.js';
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
