import type { PlannedBlock, ResponsePlan } from './response-plan.js';

/** One SSE frame: `event:` and `data:` lines. `isDelta` frames are paced. */
export interface SseFrame {
  text: string;
  isDelta: boolean;
}

function frame(event: string, data: unknown, isDelta = false): SseFrame {
  return { text: `event: ${event}\ndata: ${JSON.stringify(data)}\n\n`, isDelta };
}

function usage(inputTokens: number, outputTokens: number) {
  return {
    input_tokens: inputTokens,
    cache_creation_input_tokens: 0,
    cache_read_input_tokens: 0,
    output_tokens: outputTokens,
  };
}

/** The non-streaming JSON body of a message. */
export function messageJson(plan: ResponsePlan, model: string, inputTokens: number): string {
  const content = plan.blocks.map((block) => {
    if (block.type === 'thinking') {
      return { type: 'thinking', thinking: block.pieces.join(''), signature: block.signature };
    }
    if (block.type === 'text') return { type: 'text', text: block.pieces.join('') };
    return { type: 'tool_use', id: block.id, name: block.name, input: block.input };
  });
  return JSON.stringify({
    id: plan.messageId,
    type: 'message',
    role: 'assistant',
    model,
    content,
    stop_reason: plan.stopReason,
    stop_sequence: null,
    usage: { ...usage(inputTokens, plan.outputTokens), service_tier: 'standard' },
  });
}

function blockStart(index: number, contentBlock: unknown): SseFrame {
  return frame('content_block_start', { type: 'content_block_start', index, content_block: contentBlock });
}

function deltaFrame(index: number, delta: unknown, isDelta: boolean): SseFrame {
  return frame('content_block_delta', { type: 'content_block_delta', index, delta }, isDelta);
}

/** Appends the frames of one content block, from `content_block_start` to `content_block_stop`. */
function pushBlockFrames(frames: SseFrame[], block: PlannedBlock, index: number): void {
  switch (block.type) {
    case 'thinking':
      frames.push(blockStart(index, { type: 'thinking', thinking: '', signature: '' }));
      for (const piece of block.pieces) {
        frames.push(deltaFrame(index, { type: 'thinking_delta', thinking: piece }, true));
      }
      frames.push(deltaFrame(index, { type: 'signature_delta', signature: block.signature }, false));
      break;
    case 'text':
      frames.push(blockStart(index, { type: 'text', text: '' }));
      for (const piece of block.pieces)
        frames.push(deltaFrame(index, { type: 'text_delta', text: piece }, true));
      break;
    case 'tool_use':
      frames.push(blockStart(index, { type: 'tool_use', id: block.id, name: block.name, input: {} }));
      for (const piece of block.pieces) {
        frames.push(deltaFrame(index, { type: 'input_json_delta', partial_json: piece }, true));
      }
      break;
  }
  frames.push(frame('content_block_stop', { type: 'content_block_stop', index }));
}

/** The SSE frames of a streamed message, in the API's order. */
export function messageFrames(plan: ResponsePlan, model: string, inputTokens: number): SseFrame[] {
  const frames: SseFrame[] = [
    frame('message_start', {
      type: 'message_start',
      message: {
        id: plan.messageId,
        type: 'message',
        role: 'assistant',
        model,
        content: [],
        stop_reason: null,
        stop_sequence: null,
        usage: { ...usage(inputTokens, Math.min(1, plan.outputTokens)), service_tier: 'standard' },
      },
    }),
  ];
  for (const [index, block] of plan.blocks.entries()) pushBlockFrames(frames, block, index);
  frames.push(
    frame('message_delta', {
      type: 'message_delta',
      delta: { stop_reason: plan.stopReason, stop_sequence: null },
      usage: usage(inputTokens, plan.outputTokens),
    }),
    frame('message_stop', { type: 'message_stop' }),
  );
  return frames;
}

export const pingFrame = 'event: ping\ndata: {"type": "ping"}\n\n';

/** The mid-stream error frame the API sends when it fails after the response started. */
export function errorFrame(type: string, message: string, requestId: string): string {
  return `event: error\ndata: ${JSON.stringify({ type: 'error', error: { details: null, type, message }, request_id: requestId })}\n\n`;
}

/** A frame whose JSON is cut short, as a broken proxy might deliver it. */
export const malformedFrame =
  'event: content_block_delta\ndata: {"type":"content_block_delta","index":0,"delta":\n\n';
