import type { StreamingReason } from '@bulwark/core';
import type { StreamingMode } from '../options.js';

/**
 * Whether a request streams, and why: the caller asked (`stream: true` or mode `always`),
 * `max_tokens` or a thinking `budget_tokens` is above `thresholdTokens`, or it is small enough
 * to go without (`not_needed`). Mode `never` turns streaming off (`disabled`).
 */
export function decideStreaming(
  params: { max_tokens: number; stream?: boolean | null | undefined; thinking?: unknown },
  { mode = 'auto', thresholdTokens = 4096 }: { mode?: StreamingMode; thresholdTokens?: number } = {},
): { streaming: boolean; reason: StreamingReason } {
  if (mode === 'never') return { streaming: false, reason: 'disabled' };
  if (mode === 'always' || params.stream === true) return { streaming: true, reason: 'requested' };
  // The budget is checked first: it is the more specific reason (a budget sits below max_tokens).
  const budget = (params.thinking as { budget_tokens?: unknown } | undefined)?.budget_tokens;
  if (typeof budget === 'number' && budget > thresholdTokens) {
    return { streaming: true, reason: 'thinking_budget' };
  }
  if (params.max_tokens > thresholdTokens) return { streaming: true, reason: 'max_tokens' };
  return { streaming: false, reason: 'not_needed' };
}
