import type { Usage } from './usage.js';

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
  /** The message id the API gave the answer (`msg_...`), when one arrived. */
  responseId?: string;
  /** The model that produced the answer, as the API reported it (differs from `model` after a fallback). */
  responseModel?: string;
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

export interface StreamFirstTokenEvent {
  requestId: string;
  model: string;
  attempt: number;
  /** From the attempt's `request:start` to its first content delta (text, thinking or tool input). */
  timeToFirstTokenMs: number;
}

export interface StreamContinueEvent {
  requestId: string;
  model: string;
  /** The call about to continue the answer: 2 for the first continuation. */
  call: number;
  /** Why the previous call ended: `max_tokens`, `model_context_window_exceeded` or `pause_turn`. */
  stopReason: string;
  /** Output tokens of the whole answer so far, over every call. */
  outputTokens: number;
}

/** Why a request moved to a fallback model. */
export type FallbackReason = 'overloaded' | 'refusal' | 'server_error' | 'circuit_open';

export interface FallbackSwitchedEvent {
  requestId: string;
  /** The model the request leaves. */
  from: string;
  /** The model the next attempt goes to. */
  to: string;
  reason: FallbackReason;
}

/** A model's circuit breaker: `open` sends requests elsewhere (or makes them wait), `half_open` lets one probe through. */
export type CircuitState = 'closed' | 'open' | 'half_open';

export interface CircuitStateEvent {
  model: string;
  state: CircuitState;
  /** The state it left. */
  previous: CircuitState;
  /** The failure share over the breaker's window when it changed, 0–1. */
  failureRate: number;
  /** Attempts in the window when it changed. */
  attempts: number;
}
