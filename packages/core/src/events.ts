import type { Usage } from './usage.js';

/**
 * Every event any Bulwark package emits, by name, with its payload. Names are `area:what`.
 * Payloads that belong to a request carry its `requestId`. No payload ever carries an API
 * key or a prompt. Packages add fields here as they need them: this is the one place to read.
 */
export interface BulwarkEvents {
  // ---- requests (@bulwark/stream) ----
  /** An attempt of a request is about to be sent; says whether it streams and why. */
  'request:start': RequestStartEvent;
  /** A request finished successfully (after any retries and resumes). */
  'request:end': RequestEndEvent;
  /** An attempt failed; `willRetry` says whether another attempt follows. */
  'request:error': RequestErrorEvent;
  /** A retry (or a resume) is scheduled after a delay. */
  'retry:scheduled': RetryScheduledEvent;
  /** Periodic progress of a streaming response. */
  'stream:progress': StreamProgressEvent;
  /** A stream sent nothing for longer than the stall timeout and was aborted. */
  'stream:stall': StreamStallEvent;
  /** A broken stream is being continued rather than restarted. */
  'stream:resume': StreamResumeEvent;
  /** Token usage the API reported for one attempt of a request. */
  usage: UsageEvent;
  /** A partial result was saved to the checkpoint store. */
  'checkpoint:saved': CheckpointSavedEvent;
  /** Saving or deleting a checkpoint failed; the request goes on, but a resume may find less. */
  'checkpoint:failed': CheckpointFailedEvent;

  // ---- rate limits and budgets (@bulwark/ratelimit) ----
  /** A caller has to wait for capacity. */
  'ratelimit:wait': RateLimitWaitEvent;
  /** A caller was admitted and its capacity reserved. */
  'ratelimit:admit': RateLimitAdmitEvent;
  /** Limits or levels changed from configuration or the server's headers. */
  'ratelimit:update': RateLimitUpdateEvent;
  /** The server answered 429: admission on the model class pauses until `resumeAt`. */
  'ratelimit:throttled': RateLimitThrottledEvent;
  /** A call was refused before it was made because it would pass a token or cost budget. */
  'budget:exceeded': BudgetExceededEvent;

  // ---- files (@bulwark/files) ----
  /** A chunk of a file was produced. */
  'file:chunk': FileChunkEvent;
  /** A path was refused (outside the root, a symlink escape, not a file, too large, ...). */
  'file:refused': FileRefusedEvent;
}

/** The name of any Bulwark event. */
export type BulwarkEventName = keyof BulwarkEvents;

/** Every event name, at run time (for subscribers such as loggers that want them all). */
export const bulwarkEventNames = [
  'request:start',
  'request:end',
  'request:error',
  'retry:scheduled',
  'stream:progress',
  'stream:stall',
  'stream:resume',
  'usage',
  'checkpoint:saved',
  'checkpoint:failed',
  'ratelimit:wait',
  'ratelimit:admit',
  'ratelimit:update',
  'ratelimit:throttled',
  'budget:exceeded',
  'file:chunk',
  'file:refused',
] as const satisfies readonly BulwarkEventName[];

/** Why a request streams (or does not). */
export type StreamingReason = 'requested' | 'max_tokens' | 'thinking_budget' | 'not_needed' | 'disabled';

export interface RequestStartEvent {
  requestId: string;
  model: string;
  /** 1 for the first attempt. */
  attempt: number;
  streaming: boolean;
  /** `requested` by the caller, forced by `max_tokens` or a thinking budget over the threshold, or `not_needed`. */
  streamingReason: StreamingReason;
  maxTokens: number;
  /** The estimated input tokens, when an estimator is configured. */
  estimatedInputTokens?: number;
  /** True when this attempt continues a broken stream. */
  resuming: boolean;
}

export interface RequestEndEvent {
  requestId: string;
  model: string;
  durationMs: number;
  attempts: number;
  retries: number;
  resumes: number;
  stopReason: string | null;
  /** Usage summed over every attempt. */
  usage: Usage;
}

/** A summary of an error that is safe to emit: no key, no prompt. */
export interface ErrorSummary {
  name: string;
  message: string;
  /** Bulwark's error code, when it is a Bulwark error. */
  code?: string;
  status?: number;
  /** The API error type (`overloaded_error`, `rate_limit_error`, ...). */
  type?: string;
}

/**
 * Why a request stopped trying: the failure was `not_retryable`, `max_retries` were used up,
 * the server's `retry-after` was longer than `maxRetryAfterMs` (`retry_after_too_long`), or
 * the next wait would pass `maxTotalRetryDelayMs` (`total_delay_exhausted`).
 */
export type GiveUpReason = 'not_retryable' | 'max_retries' | 'retry_after_too_long' | 'total_delay_exhausted';

export interface RequestErrorEvent {
  requestId: string;
  model: string;
  attempt: number;
  error: ErrorSummary;
  willRetry: boolean;
  /** Set when `willRetry` is false: why no further attempt follows. */
  giveUpReason?: GiveUpReason;
}

/** Why an attempt is retried. */
export type RetryReason =
  | 'rate_limited'
  | 'overloaded'
  | 'server_error'
  | 'timeout'
  | 'conflict'
  | 'connection_error'
  | 'stream_dropped'
  | 'stream_error'
  | 'stream_incomplete'
  | 'stream_malformed'
  | 'stall';

export interface RetryScheduledEvent {
  requestId: string;
  model: string;
  /** The attempt that failed. */
  attempt: number;
  /** The attempt that will follow. */
  nextAttempt: number;
  delayMs: number;
  reason: RetryReason;
  status?: number;
  /** Whether the next attempt resumes the partial output instead of starting over. */
  resume: boolean;
}

export interface StreamProgressEvent {
  requestId: string;
  model: string;
  attempt: number;
  /** Output tokens so far over all attempts: estimated from text, corrected by reported usage. */
  outputTokens: number;
  /** Output tokens per second over the elapsed time. */
  tokensPerSecond: number;
  /** `outputTokens` as a share of `max_tokens`, 0–100. */
  percentOfMaxTokens: number;
  /** Estimated milliseconds until `max_tokens` at the current rate; `null` when unknown. */
  etaMs: number | null;
  elapsedMs: number;
}

export interface StreamStallEvent {
  requestId: string;
  model: string;
  attempt: number;
  /** How long nothing arrived. */
  idleMs: number;
  /** Whether `ping` events counted as activity. */
  pingsCountAsActivity: boolean;
}

export interface StreamResumeEvent {
  requestId: string;
  model: string;
  /** The attempt that will continue the output. */
  attempt: number;
  /** `prefill`: the partial text as a trailing assistant turn; `user_turn`: the documented continuation message. */
  strategy: 'prefill' | 'user_turn';
  /** Output tokens kept from earlier attempts. */
  keptOutputTokens: number;
  /** Characters of text kept. */
  keptTextLength: number;
  /** Partial thinking or tool_use blocks dropped, to be generated again. */
  regeneratedBlocks: number;
}

export interface UsageEvent {
  requestId: string;
  model: string;
  attempt: number;
  /** What the API reported for this attempt (for a broken stream, what arrived before it broke). */
  usage: Usage;
  /** True when the attempt did not complete, so `usage.outputTokens` may be partial. */
  partial: boolean;
}

export interface CheckpointSavedEvent {
  requestId: string;
  key: string;
  outputTokens: number;
}

export interface CheckpointFailedEvent {
  requestId: string;
  key: string;
  /** What failed: saving a partial result, or deleting the checkpoint of a finished request. */
  operation: 'save' | 'delete';
  error: ErrorSummary;
}

/** A bucket of the rate limiter. */
export type RateLimitBucket = 'requests' | 'input_tokens' | 'output_tokens' | 'in_flight' | 'throttled';

/** How full one bucket is. */
export interface BucketLevel {
  available: number;
  capacity: number;
}

export interface BucketLevels {
  requests?: BucketLevel;
  inputTokens?: BucketLevel;
  outputTokens?: BucketLevel;
}

export interface RateLimitWaitEvent {
  requestId?: string;
  model: string;
  modelClass: string;
  /** The bucket that made the caller wait. */
  bucket: RateLimitBucket;
  /** The expected wait. */
  waitMs: number;
  /** Waiters in the queue, this one included. */
  queueLength: number;
}

export interface RateLimitAdmitEvent {
  requestId?: string;
  model: string;
  modelClass: string;
  inputTokens: number;
  outputTokens: number;
  /** How long the caller waited. */
  waitedMs: number;
  levels: BucketLevels;
}

export interface RateLimitUpdateEvent {
  modelClass: string;
  source: 'headers' | 'config' | 'reconcile';
  limits: { requestsPerMinute?: number; inputTokensPerMinute?: number; outputTokensPerMinute?: number };
  levels: BucketLevels;
}

export interface RateLimitThrottledEvent {
  requestId?: string;
  model: string;
  modelClass: string;
  /** Epoch milliseconds when admission resumes. */
  resumeAt: number;
  retryAfterMs: number;
  reason: 'rate_limit' | 'spend_limit';
}

export interface BudgetExceededEvent {
  requestId?: string;
  model: string;
  period: 'hour' | 'day' | 'month';
  /** Which cap: tokens or cost (in US dollars). */
  kind: 'tokens' | 'cost';
  limit: number;
  used: number;
  requested: number;
}

export interface FileChunkEvent {
  path: string;
  index: number;
  tokenCount: number;
  byteStart: number;
  byteEnd: number;
  lineStart: number;
  lineEnd: number;
}

/** Why a file was refused. */
export type FileRefusalReason =
  | 'outside_root'
  | 'symlink_escape'
  | 'not_a_file'
  | 'too_large'
  | 'binary'
  | 'encoding'
  | 'not_found'
  | 'permission';

export interface FileRefusedEvent {
  path: string;
  reason: FileRefusalReason;
  message: string;
}
