import type { ContentBlockLike, MessageParamLike, MessageRequestLike } from '@bulwark/core';
import type { AnswerLike } from '../instrument-bulwark.js';

/** A part of a GenAI input or output message (the conventions' JSON schemas). */
type Part = Record<string, unknown> & { type: string };

interface BlockFields {
  text?: unknown;
  thinking?: unknown;
  id?: unknown;
  name?: unknown;
  input?: unknown;
  tool_use_id?: unknown;
  content?: unknown;
  source?: { type?: unknown; media_type?: unknown; data?: unknown; url?: unknown; file_id?: unknown };
}

function imagePart(source: BlockFields['source']): Part {
  const mimeType = typeof source?.media_type === 'string' ? { mime_type: source.media_type } : {};
  if (source?.type === 'base64')
    return { type: 'blob', modality: 'image', ...mimeType, content: source.data };
  if (source?.type === 'url') return { type: 'uri', modality: 'image', ...mimeType, uri: source.url };
  if (source?.type === 'file')
    return { type: 'file', modality: 'image', ...mimeType, file_id: source.file_id };
  return { type: 'image' };
}

function toolResponse(content: unknown): unknown {
  if (!Array.isArray(content)) return content;
  return content.map((block) => partOf(block as ContentBlockLike));
}

/** One Messages API content block as a conventions part; unknown kinds keep their type only. */
function partOf(block: ContentBlockLike): Part {
  const fields = block as ContentBlockLike & BlockFields;
  switch (block.type) {
    case 'text':
      return { type: 'text', content: fields.text };
    case 'thinking':
      return { type: 'reasoning', content: fields.thinking };
    case 'tool_use':
      return { type: 'tool_call', id: fields.id, name: fields.name, arguments: fields.input };
    case 'tool_result':
      return { type: 'tool_call_response', id: fields.tool_use_id, response: toolResponse(fields.content) };
    case 'image':
      return imagePart(fields.source);
    default:
      return { type: block.type };
  }
}

function partsOf(content: string | readonly ContentBlockLike[]): Part[] {
  return typeof content === 'string' ? [{ type: 'text', content }] : content.map(partOf);
}

/** `gen_ai.system_instructions`, as a JSON string, or `undefined` without a system prompt. */
export function formatSystemInstructions(request: MessageRequestLike): string | undefined {
  if (request.system === undefined) return undefined;
  return JSON.stringify(partsOf(request.system));
}

/** `gen_ai.input.messages`, as a JSON string. */
export function formatInputMessages(request: MessageRequestLike): string {
  return JSON.stringify(
    request.messages.map((message: MessageParamLike) => ({
      role: message.role,
      parts: partsOf(message.content),
    })),
  );
}

/** Anthropic's stop reasons as the conventions' `FinishReason`; others pass through. */
function finishReasonOf(stopReason: string | null | undefined): string {
  switch (stopReason) {
    case 'end_turn':
    case 'stop_sequence':
      return 'stop';
    case 'max_tokens':
    case 'model_context_window_exceeded':
      return 'length';
    case 'tool_use':
      return 'tool_call';
    case 'refusal':
      return 'content_filter';
    case null:
    case undefined:
      return 'error';
    default:
      return stopReason;
  }
}

/** `gen_ai.output.messages`, as a JSON string: one assistant message. */
export function formatOutputMessages(answer: AnswerLike): string {
  return JSON.stringify([
    { role: 'assistant', parts: partsOf(answer.content), finish_reason: finishReasonOf(answer.stop_reason) },
  ]);
}
