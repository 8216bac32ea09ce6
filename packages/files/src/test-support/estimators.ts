import type { MessageRequestLike, RequestTokenEstimate, TokenEstimator } from '@bulwark/core';
import { getEncoding } from 'js-tiktoken';

const encoding = getEncoding('cl100k_base');

/** The reference count: js-tiktoken's own cl100k_base encoding. */
export function referenceCount(text: string): number {
  return text.length === 0 ? 0 : encoding.encode(text, 'all').length;
}

/** Exact cl100k_base counts from js-tiktoken, async only (no fast path), counting its calls. */
export function createCountingEstimator(): TokenEstimator & { calls: number; count(text: string): number } {
  const estimator = {
    calls: 0,
    count(text: string): number {
      return referenceCount(text);
    },
    async countTokens(text: string): Promise<number> {
      estimator.calls += 1;
      return estimator.count(text);
    },
    async estimateRequest(_request: MessageRequestLike): Promise<RequestTokenEstimate> {
      throw new Error('not used in these tests');
    },
  };
  return estimator;
}

/** One token per character: makes budgets easy to reason about in examples. */
export const characterEstimator: TokenEstimator = {
  async countTokens(text: string) {
    return [...text].length;
  },
  async estimateRequest(): Promise<RequestTokenEstimate> {
    throw new Error('not used in these tests');
  },
};
