import type Anthropic from '@anthropic-ai/sdk';
import { modelAcceptsPrefill } from '@bulwark/core';
import { buildContinuationPrompt } from '@bulwark/core/internal';

/** How a broken response is continued. */
export type ContinuationStrategy = 'prefill' | 'user_turn';

/** The request that continues a broken response, and what to drop from its text. */
export interface ResumeRequest {
  params: Anthropic.MessageCreateParamsNonStreaming;
  strategy: ContinuationStrategy;
  /**
   * Trailing whitespace of the kept text that the prefill had to leave out (the API refuses a
   * prefill that ends in whitespace): the continuation repeats it, and it is dropped there so
   * `onText` never delivers a character twice.
   */
  skipPrefix: string;
}

/**
 * Which continuation a request gets: a prefill (the kept text as a trailing assistant turn)
 * where the model accepts one and thinking is off, the documented user turn otherwise.
 * `prefillByModel` overrides `modelAcceptsPrefill` by exact model id.
 */
export function chooseContinuationStrategy(
  params: Pick<Anthropic.MessageCreateParams, 'model' | 'thinking'>,
  prefillByModel: Readonly<Record<string, boolean>> = {},
): ContinuationStrategy {
  const thinkingType = (params.thinking as { type?: string } | undefined)?.type;
  if (thinkingType !== undefined && thinkingType !== 'disabled') return 'user_turn';
  const accepts = prefillByModel[params.model] ?? modelAcceptsPrefill(params.model);
  return accepts ? 'prefill' : 'user_turn';
}

function appendToAssistantTurn(
  content: Anthropic.MessageParam['content'],
  text: string,
): Anthropic.MessageParam['content'] {
  if (typeof content === 'string') return `${content}${text}`;
  return [...content, { type: 'text', text }];
}

/**
 * Builds the request that continues `keptText`. `keptOutputTokens` is taken off `max_tokens`,
 * so the whole answer stays within the budget the caller set (never below 1, nor below a
 * thinking budget).
 */
export function buildResumeRequest(
  params: Anthropic.MessageCreateParamsNonStreaming,
  {
    keptText,
    keptOutputTokens,
    strategy,
  }: { keptText: string; keptOutputTokens: number; strategy: ContinuationStrategy },
): ResumeRequest {
  const budget = (params.thinking as { budget_tokens?: number } | undefined)?.budget_tokens;
  const minimumMaxTokens = budget === undefined ? 1 : budget + 1;
  const maxTokens = Math.max(minimumMaxTokens, params.max_tokens - Math.max(0, keptOutputTokens));
  const prefillText = keptText.trimEnd();
  if (strategy === 'prefill' && prefillText.length > 0) {
    const messages = [...params.messages];
    const last = messages[messages.length - 1];
    if (last?.role === 'assistant') {
      messages[messages.length - 1] = { ...last, content: appendToAssistantTurn(last.content, prefillText) };
    } else {
      messages.push({ role: 'assistant', content: prefillText });
    }
    return {
      params: { ...params, max_tokens: maxTokens, messages },
      strategy: 'prefill',
      skipPrefix: keptText.slice(prefillText.length),
    };
  }
  return {
    params: {
      ...params,
      max_tokens: maxTokens,
      messages: [...params.messages, { role: 'user', content: buildContinuationPrompt(keptText) }],
    },
    strategy: 'user_turn',
    skipPrefix: '',
  };
}
