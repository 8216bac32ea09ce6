import { modelAcceptsPrefill } from '@bulwark/core';
import { contentBlockParamTypes, parseContinuationPrompt } from '@bulwark/core/internal';
import { type ApiFailure, invalidRequest } from './api-error.js';
import { stableStringify } from './random.js';

/** How a request asks to continue an earlier answer. */
export type ContinuationStyle = 'none' | 'prefill' | 'user_turn';

export interface ToolDefinition {
  name: string;
  inputSchema: Record<string, unknown> | undefined;
}

/** A validated Messages request, with any continuation split off. */
export interface MessagesRequest {
  model: string;
  maxTokens: number;
  stream: boolean;
  /** `budget_tokens` when thinking is `enabled`. */
  thinkingBudgetTokens: number | undefined;
  tools: ToolDefinition[];
  /** The tool the answer must call: forced by `tool_choice` `tool`, or chosen by seed for `any`. */
  toolChoice: { type: 'auto' | 'any' | 'none' } | { type: 'tool'; name: string } | undefined;
  continuation: ContinuationStyle;
  /** The text already received, for a continuation; '' otherwise. */
  partialText: string;
  /** The request with the continuation removed, as a stable string: what the answer depends on. */
  baseKey: string;
  /** The request as sent, as a stable string (for answers that do not continue the base text). */
  fullKey: string;
}

// The request block types of the SDK, plus the MCP connector's (a beta the API accepts).
const contentBlockTypes = new Set<string>([...contentBlockParamTypes, 'mcp_tool_use', 'mcp_tool_result']);

type Record_ = Record<string, unknown>;

function isRecord(value: unknown): value is Record_ {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function isPositiveInteger(value: unknown): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value >= 1;
}

/** The text of an assistant turn, or `undefined` when it holds anything but text blocks. */
function textOf(content: unknown): string | undefined {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) return undefined;
  let text = '';
  for (const block of content) {
    if (!isRecord(block) || block.type !== 'text' || typeof block.text !== 'string') return undefined;
    text += block.text;
  }
  return text;
}

function validateMessages(messages: unknown): ApiFailure | undefined {
  if (messages === undefined) return invalidRequest('messages: Field required');
  if (!Array.isArray(messages)) return invalidRequest('messages: Input should be a valid list');
  if (messages.length === 0) return invalidRequest('messages: at least one message is required');
  for (const [index, message] of messages.entries()) {
    if (!isRecord(message)) return invalidRequest(`messages.${index}: Input should be a valid dictionary`);
    if (message.role !== 'user' && message.role !== 'assistant') {
      return invalidRequest(`messages.${index}.role: Input should be 'user' or 'assistant'`);
    }
    const content = message.content;
    if (typeof content === 'string') {
      if (content.length === 0 && index !== messages.length - 1) {
        return invalidRequest(
          `messages.${index}: all messages must have non-empty content except for the optional final assistant message`,
        );
      }
      continue;
    }
    if (!Array.isArray(content)) {
      return invalidRequest(`messages.${index}.content: Input should be a valid string or list`);
    }
    for (const [blockIndex, block] of content.entries()) {
      const type = isRecord(block) ? block.type : undefined;
      if (typeof type !== 'string' || !contentBlockTypes.has(type)) {
        return invalidRequest(
          `messages.${index}.content.${blockIndex}.type: Input tag '${String(type)}' found using 'type' does not match any of the expected tags`,
        );
      }
      if (type === 'text' && typeof (block as Record_).text !== 'string') {
        return invalidRequest(`messages.${index}.content.${blockIndex}.text: Field required`);
      }
    }
  }
  return undefined;
}

interface Split {
  messages: unknown[];
  continuation: ContinuationStyle;
  partialText: string;
}

/** Splits off a trailing prefill or a `buildContinuationPrompt` user turn. */
function splitContinuation(messages: Record_[]): Split {
  const last = messages.at(-1) as Record_;
  if (last.role === 'assistant') {
    const text = textOf(last.content);
    if (text !== undefined) {
      return { messages: messages.slice(0, -1), continuation: 'prefill', partialText: text };
    }
    return { messages, continuation: 'prefill', partialText: '' };
  }
  const content = last.content;
  let partial: string | undefined;
  let rest: unknown[];
  if (typeof content === 'string') {
    partial = parseContinuationPrompt(content);
    rest = messages.slice(0, -1);
  } else {
    const blocks = content as unknown[];
    const lastBlock = blocks.at(-1);
    if (isRecord(lastBlock) && lastBlock.type === 'text' && typeof lastBlock.text === 'string') {
      partial = parseContinuationPrompt(lastBlock.text);
    }
    rest =
      blocks.length > 1
        ? [...messages.slice(0, -1), { ...last, content: blocks.slice(0, -1) }]
        : messages.slice(0, -1);
  }
  if (partial === undefined) return { messages, continuation: 'none', partialText: '' };
  const previous = rest.at(-1);
  if (isRecord(previous) && previous.role === 'assistant' && textOf(previous.content) === partial) {
    rest = rest.slice(0, -1);
  }
  return { messages: rest, continuation: 'user_turn', partialText: partial };
}

function parseTools(tools: unknown): ToolDefinition[] | ApiFailure {
  if (tools === undefined) return [];
  if (!Array.isArray(tools)) return invalidRequest('tools: Input should be a valid list');
  const parsed: ToolDefinition[] = [];
  for (const [index, tool] of tools.entries()) {
    if (!isRecord(tool) || typeof tool.name !== 'string' || tool.name.length === 0) {
      return invalidRequest(`tools.${index}.name: Field required`);
    }
    parsed.push({
      name: tool.name,
      inputSchema: isRecord(tool.input_schema) ? tool.input_schema : undefined,
    });
  }
  return parsed;
}

function parseToolChoice(
  choice: unknown,
  tools: ToolDefinition[],
): MessagesRequest['toolChoice'] | ApiFailure {
  if (choice === undefined) return undefined;
  if (!isRecord(choice)) return invalidRequest('tool_choice: Input should be a valid dictionary');
  if (choice.type === 'tool') {
    if (typeof choice.name !== 'string' || !tools.some((tool) => tool.name === choice.name)) {
      return invalidRequest(
        `tool_choice.name: tool \`${String(choice.name)}\` is not one of the request's tools`,
      );
    }
    return { type: 'tool', name: choice.name };
  }
  if (choice.type === 'any' || choice.type === 'auto' || choice.type === 'none') {
    if (choice.type === 'any' && tools.length === 0) {
      return invalidRequest('tool_choice: `any` requires at least one tool in `tools`');
    }
    return { type: choice.type };
  }
  return invalidRequest(
    `tool_choice.type: Input tag '${String(choice.type)}' does not match any of the expected tags`,
  );
}

/** Validates a `POST /v1/messages` body the way the API does and splits off any continuation. */
export function parseMessagesRequest(
  body: unknown,
  {
    countOnly = false,
    lenient = false,
  }: {
    /** For `count_tokens`: no `max_tokens`, no prefill checks. */
    countOnly?: boolean;
    /** Skip the prefill checks (for `expectedText`, which removes the prefill anyway). */
    lenient?: boolean;
  } = {},
): MessagesRequest | ApiFailure {
  if (!isRecord(body)) return invalidRequest('body: Input should be a valid dictionary');
  if (body.model === undefined) return invalidRequest('model: Field required');
  if (typeof body.model !== 'string' || body.model.length === 0) {
    return invalidRequest('model: Input should be a valid string');
  }
  const model = body.model;
  let maxTokens = 0;
  if (!countOnly) {
    if (body.max_tokens === undefined) return invalidRequest('max_tokens: Field required');
    if (!isPositiveInteger(body.max_tokens)) {
      return invalidRequest('max_tokens: Input should be an integer greater than or equal to 1');
    }
    maxTokens = body.max_tokens;
  }
  const messagesFailure = validateMessages(body.messages);
  if (messagesFailure) return messagesFailure;
  let thinkingBudgetTokens: number | undefined;
  if (body.thinking !== undefined && body.thinking !== null) {
    if (!isRecord(body.thinking)) return invalidRequest('thinking: Input should be a valid dictionary');
    const { type, budget_tokens: budget } = body.thinking;
    if (type === 'enabled') {
      if (!isPositiveInteger(budget) || budget < 1024) {
        return invalidRequest(
          'thinking.enabled.budget_tokens: Input should be greater than or equal to 1024',
        );
      }
      if (!countOnly && budget >= maxTokens) {
        return invalidRequest(
          '`max_tokens` must be greater than `thinking.budget_tokens`. Please consult our documentation at https://docs.claude.com/en/docs/build-with-claude/extended-thinking#max-tokens-and-context-window-size',
        );
      }
      thinkingBudgetTokens = budget;
    } else if (type !== 'disabled' && type !== 'adaptive') {
      return invalidRequest(
        `thinking.type: Input tag '${String(type)}' does not match any of the expected tags`,
      );
    }
  }
  const tools = parseTools(body.tools);
  if (!Array.isArray(tools)) return tools;
  const toolChoice = parseToolChoice(body.tool_choice, tools);
  if (toolChoice && 'status' in toolChoice) return toolChoice;
  if (thinkingBudgetTokens !== undefined && (toolChoice?.type === 'tool' || toolChoice?.type === 'any')) {
    return invalidRequest('Thinking may not be enabled when tool_choice forces tool use.');
  }
  const messages = body.messages as Record_[];
  const split = splitContinuation(messages);
  if (split.continuation === 'prefill' && !countOnly && !lenient) {
    if (!modelAcceptsPrefill(model)) {
      return invalidRequest(
        'This model does not support assistant message prefill. The conversation must end with a user message.',
      );
    }
    if (/\s$/u.test(split.partialText)) {
      return invalidRequest('messages: final assistant content cannot end with trailing whitespace');
    }
    if (thinkingBudgetTokens !== undefined) {
      return invalidRequest(
        'messages: a final assistant message cannot be used to prefill the response when thinking is enabled',
      );
    }
  }
  const keyOf = (keyMessages: unknown[]): string =>
    stableStringify({
      model,
      system: body.system,
      messages: keyMessages,
      tools: body.tools,
      tool_choice: body.tool_choice,
      thinking: body.thinking,
    });
  return {
    model,
    maxTokens,
    stream: body.stream === true,
    thinkingBudgetTokens,
    tools,
    toolChoice,
    continuation: split.continuation,
    partialText: split.partialText,
    baseKey: keyOf(split.messages),
    fullKey: split.continuation === 'none' ? keyOf(split.messages) : keyOf(messages),
  };
}

export function isApiFailure(value: unknown): value is ApiFailure {
  return isRecord(value) && typeof value.status === 'number' && typeof value.type === 'string';
}
