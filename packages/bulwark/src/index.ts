// The bundle's surface: createClient, its options and result types, and the errors a caller
// catches. Each component package stays importable on its own for anything deeper
// (`@bulwark/ratelimit`'s `createRateLimiter`, `@bulwark/testing`'s mock server, ...).
export {
  AbortedError,
  BulwarkError,
  type BulwarkEvents,
  type Bus,
  type CheckpointStore,
  type Clock,
  createBus,
  createMemoryCheckpointStore,
  defaultPriceOf,
  InvalidArgumentError,
  type Logger,
  type LogLevel,
  type ModelPrice,
  type PriceTable,
  type Usage,
} from '@bulwark/core';
export {
  BudgetExceededError,
  type Budgets,
  type OutputReservation,
  QueueFullError,
  type RateLimiterBehaviourOptions,
  type RateLimitStore,
  type RateLimits,
  RequestTooLargeError,
  SpendLimitError,
  WaitTimeoutError,
} from '@bulwark/ratelimit';
export {
  type CreateMessageOptions,
  type GetCompletionOptions,
  type ResumeFromCheckpointOptions,
  type RetryOptions,
  StreamInterruptedError,
  type StreamingBehaviourOptions,
  type StreamingMode,
} from '@bulwark/stream';
export { type EncodingName, TokenCountError } from '@bulwark/tokens';
export { ClientClosedError } from './client-closed-error.js';
export {
  type BulwarkClient,
  type BulwarkClientOptions,
  type ClientUsage,
  createClient,
} from './create-client.js';
export type { ModelUsageTotals } from './usage-tracker.js';
