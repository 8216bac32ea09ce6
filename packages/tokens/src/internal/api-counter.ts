import { AbortedError, isAbortError, type MessageRequestLike } from '@bulwark/core';
import { expectNumber, expectObject, hashString, invalidArgument } from '@bulwark/core/internal';
import type { CountTokensClient, CountTokensParams } from '../count-tokens-client.js';
import { TokenCountError } from '../errors.js';
import { BoundedCache } from './bounded-cache.js';

/** The optional request fields the count_tokens endpoint accepts besides `model` and `messages`. */
const optionalFields = ['system', 'tools', 'tool_choice', 'thinking'] as const;

/** A request ready for the count_tokens endpoint, with its cache key. */
export interface PreparedCount {
  params: CountTokensParams;
  key: string;
}

/**
 * `countWithApi`'s side of the network: the fields the endpoint accepts, answers remembered
 * by a hash of them, and the SDK's failures wrapped in `TokenCountError` (or `AbortedError`).
 */
export class ApiTokenCounter {
  private readonly answers: BoundedCache<string, number>;

  constructor(
    private readonly client: CountTokensClient | undefined,
    private readonly cacheSize: number,
  ) {
    this.answers = new BoundedCache<string, number>(Math.max(1, Math.ceil(cacheSize / 2)));
  }

  /** The endpoint's parameters for `request`; refuses when no client was given. */
  prepare(request: MessageRequestLike): PreparedCount {
    if (this.client === undefined) {
      throw invalidArgument('options.client', 'an Anthropic client to call countWithApi', this.client);
    }
    const fields = expectObject('request', request);
    const params: CountTokensParams = {
      model: fields.model as string,
      messages: fields.messages as CountTokensParams['messages'],
    };
    for (const name of optionalFields) {
      if (fields[name] !== undefined && fields[name] !== null)
        Object.assign(params, { [name]: fields[name] });
    }
    const json = JSON.stringify(params);
    return { params, key: `${json.length}:${hashString(json)}:${hashString(json, 1)}` };
  }

  /** The remembered answer for `prepared`, if any. */
  cached(prepared: PreparedCount): number | undefined {
    return this.answers.get(prepared.key);
  }

  /** Asks the API and remembers the answer. */
  async ask(prepared: PreparedCount, signal: AbortSignal | undefined): Promise<number> {
    const client = this.client as CountTokensClient;
    let answer: { input_tokens: number };
    try {
      answer = await client.messages.countTokens(
        prepared.params,
        signal === undefined ? undefined : { signal },
      );
    } catch (error) {
      if (signal?.aborted || isAbortError(error)) throw new AbortedError({ cause: error });
      throw new TokenCountError({
        message: `messages.countTokens failed: ${error instanceof Error ? error.message : String(error)}`,
        cause: error,
        status: statusOf(error),
      });
    }
    const inputTokens = expectNumber('countTokens().input_tokens', answer?.input_tokens, {
      min: 0,
      integer: true,
    });
    if (this.cacheSize > 0) this.answers.set(prepared.key, inputTokens);
    return inputTokens;
  }
}

function statusOf(error: unknown): number | undefined {
  const status = (error as { status?: unknown } | null)?.status;
  return typeof status === 'number' ? status : undefined;
}
