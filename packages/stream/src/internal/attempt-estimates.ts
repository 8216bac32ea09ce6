import type Anthropic from '@anthropic-ai/sdk';
import type { RequestTokenEstimate, TokenEstimator } from '@bulwark/core';

/** Output tokens of kept text, for `stream:resume` and the continuation's `max_tokens`. */
export async function countKeptTokens(estimator: TokenEstimator | undefined, text: string): Promise<number> {
  if (estimator) {
    try {
      return await estimator.countTokens(text);
    } catch {
      // Ignored on purpose: the count only trims the continuation's `max_tokens` and fills
      // `stream:resume`, and characters ÷ 4 below does both well enough. The estimator's own
      // callers see its errors; this request should not fail for it.
    }
  }
  return Math.ceil(text.length / 4);
}

/** The estimate of an attempt's input, to size its reservation and calibrate with its usage. */
export async function estimateInput(
  estimator: TokenEstimator | undefined,
  params: Anthropic.MessageCreateParamsNonStreaming,
): Promise<RequestTokenEstimate | undefined> {
  if (!estimator) return undefined;
  try {
    return await estimator.estimateRequest(params);
  } catch {
    // Ignored on purpose: the estimate only sizes the reservation (which is reconciled with
    // the real usage afterwards) and fills `request:start`; with none, the attempt goes on
    // as it would without an estimator, and nothing is calibrated from it.
    return undefined;
  }
}
