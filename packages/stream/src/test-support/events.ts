import type Anthropic from '@anthropic-ai/sdk';

type Event = Anthropic.RawMessageStreamEvent;

/** A message_start event as the API sends it. */
export function messageStart(inputTokens = 10): Event {
  return {
    type: 'message_start',
    message: {
      id: 'msg_1',
      type: 'message',
      role: 'assistant',
      model: 'claude-sonnet-4-5',
      content: [],
      stop_reason: null,
      stop_sequence: null,
      usage: { input_tokens: inputTokens, output_tokens: 1 },
    },
  } as unknown as Event;
}

/** The events of a whole response of one text block made of `pieces`. */
export function textResponseEvents(pieces: readonly string[], { inputTokens = 10 } = {}): Event[] {
  return [
    messageStart(inputTokens),
    { type: 'content_block_start', index: 0, content_block: { type: 'text', text: '', citations: null } },
    ...pieces.map(
      (text): Event => ({ type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text } }),
    ),
    { type: 'content_block_stop', index: 0 },
    {
      type: 'message_delta',
      delta: { stop_reason: 'end_turn', stop_sequence: null },
      usage: { output_tokens: pieces.length },
    } as unknown as Event,
    { type: 'message_stop' },
  ];
}
