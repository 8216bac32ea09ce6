import type { Usage } from './usage.js';

/** A content block as far as Bulwark needs to see it; the SDK's block params all fit. */
export interface ContentBlockLike {
  readonly type: string;
}

/** One message of a Messages API request. */
export interface MessageParamLike {
  readonly role: string;
  readonly content: string | readonly ContentBlockLike[];
}

/**
 * The shape of a Messages API request that Bulwark reads. The SDK's `MessageCreateParams`
 * is assignable to it, so core never depends on the SDK.
 */
export interface MessageRequestLike {
  readonly model: string;
  readonly max_tokens: number;
  readonly messages: readonly MessageParamLike[];
  readonly system?: string | readonly ContentBlockLike[] | undefined;
  readonly tools?: readonly object[] | undefined;
  readonly thinking?: { readonly type: string; readonly budget_tokens?: number } | undefined;
  readonly stream?: boolean | null | undefined;
}

/** The estimate of one part of a request. */
export interface TokenEstimatePart {
  /** Where the tokens are: `system`, `messages[2].content[0]`, `tools[1]`, `overhead`, ... */
  path: string;
  /** What kind of part: `text`, `image`, `document`, `tool_use`, `tool_definition`, ... */
  kind: string;
  /** Raw tokens under the local encoding, overheads included. */
  tokens: number;
  /** False where the estimate is a guess (a PDF of unknown length, an image of unknown size). */
  exact: boolean;
  /** Why an estimate is not exact, or which documented constant was applied. */
  note?: string;
}

/** An estimate of the input tokens of a whole request. */
export interface RequestTokenEstimate {
  /** The count under the local encoding with documented overheads, before calibration. */
  rawTokens: number;
  /** The calibrated estimate of the API's count: `rawTokens` × `calibrationRatio`, rounded up. */
  inputTokens: number;
  /** The ratio applied for the model's family (learnt from reported usage, or its prior). */
  calibrationRatio: number;
  /** The calibration family the model belongs to (`claude-sonnet-4`). */
  modelFamily: string;
  /** False when any part is a guess. */
  exact: boolean;
  /** Per-part raw counts; they add up to `rawTokens`. */
  breakdown: readonly TokenEstimatePart[];
}

/**
 * Counts tokens. Implemented by `@bulwark/tokens`; consumed by the rate limiter, the file
 * chunker and the streaming client. Methods are async because encodings load lazily.
 *
 * Calibration goes through the handle the caller already holds: whoever sent the request and
 * read its usage passes the estimate back to `calibrate`. No estimator listens to a bus.
 */
export interface TokenEstimator {
  /** The number of tokens in `text` under the estimator's encoding. Empty text is 0. */
  countTokens(text: string): Promise<number>;
  /** Estimates the input tokens of a Messages API request. */
  estimateRequest(request: MessageRequestLike): Promise<RequestTokenEstimate>;
  /**
   * Learns from the input tokens the API reported for a request that `estimate` was made for
   * (uncached, cache writes and cache reads together). Optional: an estimator that does not
   * calibrate leaves it out. Inexact estimates are ignored.
   */
  calibrate?(estimate: RequestTokenEstimate, usage: Usage): void;
  /**
   * Optional: resolves once `countTokensSync` can answer (an encoding loaded). Callers that
   * count in a hot loop await it once and then count synchronously.
   */
  ready?(): Promise<void>;
  /** Optional: `countTokens` without a promise; may throw until `ready()` has resolved. */
  countTokensSync?(text: string): number;
}
