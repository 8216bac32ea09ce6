import type { MessageRequestLike, RequestTokenEstimate, TokenEstimator } from '@bulwark/core';
import { getEncoding, type Tiktoken } from 'js-tiktoken';

let encoding: Tiktoken | undefined;

/**
 * The estimator used when none is given: exact cl100k_base counts from js-tiktoken, loaded on
 * first use. It offers the synchronous fast path the chunker prefers.
 */
export const defaultEstimator = {
  async ready(): Promise<void> {
    encoding ??= getEncoding('cl100k_base');
  },
  countTokensSync(text: string): number {
    encoding ??= getEncoding('cl100k_base');
    return text.length === 0 ? 0 : encoding.encode(text, 'all').length;
  },
  async countTokens(text: string): Promise<number> {
    return defaultEstimator.countTokensSync(text);
  },
  async estimateRequest(_request: MessageRequestLike): Promise<RequestTokenEstimate> {
    throw new Error('The chunker estimator counts text only; use @bulwark/tokens to estimate requests');
  },
} satisfies TokenEstimator & { ready(): Promise<void>; countTokensSync(text: string): number };
