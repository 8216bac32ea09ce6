import type { HeadersLike } from './headers.js';
import type { Usage } from './usage.js';

/** What a caller asks the gate to admit. */
export interface AdmissionRequest {
  model: string;
  /** Estimated input tokens that count toward the input-tokens limit. */
  inputTokens: number;
  /** The request's `max_tokens`; the gate reserves output by its own policy within it. */
  maxOutputTokens: number;
  /** Higher runs first. @default 0 */
  priority?: number;
  /** Aborting removes the waiter at once with `AbortedError`. */
  signal?: AbortSignal;
  /** The request the call belongs to, for the events the gate emits. */
  requestId?: string;
}

/** Capacity held for one call until it is reconciled with real usage or released. */
export interface Reservation {
  readonly model: string;
  readonly requestId: string | undefined;
  /** Input tokens held. */
  readonly inputTokens: number;
  /** Output tokens held. */
  readonly outputTokens: number;
  /**
   * Charges or refunds the difference between what was held and what `usage` says was used.
   * Only the first of `reconcile` / `release` takes effect: the holder settles it, once.
   * `partial` marks the usage of a call that broke off (a dropped stream): it is charged, but
   * teaches the gate nothing about how long answers run.
   */
  reconcile(usage: Usage, options?: { partial?: boolean }): void;
  /** Gives back what a call that never reached the model did not use. */
  release(): void;
}

/** What the caller learnt from a response, so the gate can follow the server. */
export interface AdmissionFeedback {
  model: string;
  /** The HTTP status, when a response arrived. */
  status?: number;
  /** The response headers (`anthropic-ratelimit-*`, `retry-after`). */
  headers?: HeadersLike;
  /** The API error's type, such as `rate_limit_error`. */
  errorType?: string;
  /** `error.details.error_code`, such as `enforced_spend_limit_reached`. */
  errorCode?: string;
  requestId?: string;
  /**
   * The reservation of the call this response answers, when there is one: the server has
   * already counted that call, so the gate must not count it again as pending.
   */
  reservation?: Reservation;
}

/**
 * Admits calls under rate limits and budgets. Implemented by `@bulwark/ratelimit`; consumed
 * by the streaming client, which acquires before each attempt and reports each outcome.
 */
export interface AdmissionGate {
  /** Waits until the call may go and holds its capacity. */
  acquire(request: AdmissionRequest): Promise<Reservation>;
  /** Reports a response (success or error) so limits follow the server's headers and 429s. */
  observe(feedback: AdmissionFeedback): void;
}
