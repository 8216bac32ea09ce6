import { modelClassOf } from '@bulwark/core';
import type { Fault } from '../../fault.js';
import type { RouteContext } from '../exchange.js';
import { applyEarlyFault, chooseFault, spendLimitFailure } from '../fault-application.js';
import { isApiFailure, type MessagesRequest, parseMessagesRequest } from '../messages-request.js';
import { sendFailure } from '../replies.js';

/** A Messages request body that passed the steps both `/v1/messages` and `count_tokens` share. */
export interface PreparedRequest {
  readonly context: RouteContext;
  readonly fault: Fault | undefined;
  readonly request: MessagesRequest;
  /** `input_tokens` by the server's tokenizer. */
  readonly inputTokens: number;
  /** The rate-limit class of the model (`claude-sonnet-4`), or the id of an unknown model. */
  readonly modelClass: string;
}

/**
 * The shared first steps: choose the fault (a bad `x-bulwark-fault` is a 400), refuse after a
 * reached spend limit, apply a fault that acts before validation, validate the body (400),
 * and count its input tokens. Resolves to `undefined` when one of them answered the request.
 */
export async function prepareRequest(
  context: RouteContext,
  { countOnly }: { countOnly: boolean },
): Promise<PreparedRequest | undefined> {
  const choice = chooseFault(context, !countOnly);
  if ('failure' in choice) {
    sendFailure(context, choice.failure);
    return undefined;
  }
  const { fault } = choice;
  const { state, entry, body } = context;
  if (state.spendLimitReached) {
    sendFailure(context, spendLimitFailure);
    return undefined;
  }
  if (fault && (await applyEarlyFault(context, fault))) return undefined;
  const request = parseMessagesRequest(body, { countOnly });
  if (isApiFailure(request)) {
    sendFailure(context, request);
    return undefined;
  }
  entry.model = request.model;
  entry.continuation = request.continuation;
  return {
    context,
    fault,
    request,
    inputTokens: state.tokenizer.countRequest(body),
    modelClass: modelClassOf(request.model) ?? request.model,
  };
}
