import type { MessageRequestLike } from '@bulwark/core';

/** The part of an Anthropic client `countWithApi` uses; the SDK's `Anthropic` instance fits. */
export interface CountTokensClient {
  messages: {
    countTokens(
      params: CountTokensParams,
      options?: { signal?: AbortSignal | undefined },
    ): PromiseLike<{ input_tokens: number }>;
  };
}

/** The fields of a request the count_tokens endpoint accepts. */
export interface CountTokensParams {
  model: string;
  messages: MessageRequestLike['messages'];
  system?: MessageRequestLike['system'];
  tools?: MessageRequestLike['tools'];
  tool_choice?: unknown;
  thinking?: MessageRequestLike['thinking'];
}
