import type Anthropic from '@anthropic-ai/sdk';
import { checkMessageParams } from '@bulwark/core/internal';

/**
 * Checks a Messages API request before any network call: a model, a non-empty list of
 * messages with roles and content, an integer `max_tokens` >= 1, and a thinking budget of at
 * least 1,024 that stays below `max_tokens`. Other fields pass through to the API as they are.
 */
export function validateMessageParams(params: unknown): Anthropic.MessageCreateParams {
  checkMessageParams(params);
  return params as Anthropic.MessageCreateParams;
}
