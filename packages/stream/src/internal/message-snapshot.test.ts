import type Anthropic from '@anthropic-ai/sdk';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { messageStart, textResponseEvents } from '../test-support/events.js';
import { MessageSnapshot } from './message-snapshot.js';
import { buildResumeRequest } from './resume-request.js';

type Event = Anthropic.RawMessageStreamEvent;

function fold(snapshot: MessageSnapshot, events: readonly Event[]): string {
  let delivered = '';
  for (const event of events) delivered += snapshot.apply(event) ?? '';
  return delivered;
}

describe('MessageSnapshot', () => {
  it('folds a whole text response into a message', () => {
    const snapshot = new MessageSnapshot();
    snapshot.beginAttempt();
    expect(fold(snapshot, textResponseEvents(['Hello', ',', ' world']))).toBe('Hello, world');
    snapshot.finishAttempt(false);
    const message = snapshot.toMessage()!;
    expect(message.content).toEqual([{ type: 'text', text: 'Hello, world', citations: null }]);
    expect(message.stop_reason).toBe('end_turn');
    expect(message.usage.output_tokens).toBe(3);
  });

  it('overwrites usage from message_delta rather than adding it', () => {
    const snapshot = new MessageSnapshot();
    snapshot.beginAttempt();
    const delta = (output: number, input?: number) =>
      ({
        type: 'message_delta',
        delta: { stop_reason: null, stop_sequence: null },
        usage: { output_tokens: output, ...(input === undefined ? {} : { input_tokens: input }) },
      }) as unknown as Event;
    fold(snapshot, [messageStart(7), delta(5), delta(9, 8), { type: 'message_stop' }]);
    expect(snapshot.finishAttempt(false)).toMatchObject({ inputTokens: 8, outputTokens: 9 });
  });

  it('keeps thinking, signatures, tool input JSON and citations', () => {
    const snapshot = new MessageSnapshot();
    snapshot.beginAttempt();
    const citation = {
      type: 'char_location',
      cited_text: 'a',
      document_index: 0,
      start_char_index: 0,
      end_char_index: 1,
    };
    fold(snapshot, [
      messageStart(),
      {
        type: 'content_block_start',
        index: 0,
        content_block: { type: 'thinking', thinking: '', signature: '' },
      },
      { type: 'content_block_delta', index: 0, delta: { type: 'thinking_delta', thinking: 'Let me ' } },
      { type: 'content_block_delta', index: 0, delta: { type: 'thinking_delta', thinking: 'see.' } },
      { type: 'content_block_delta', index: 0, delta: { type: 'signature_delta', signature: 'sig' } },
      { type: 'content_block_stop', index: 0 },
      { type: 'content_block_start', index: 1, content_block: { type: 'text', text: '', citations: null } },
      { type: 'content_block_delta', index: 1, delta: { type: 'text_delta', text: 'Cited' } },
      {
        type: 'content_block_delta',
        index: 1,
        delta: { type: 'citations_delta', citation },
      } as unknown as Event,
      { type: 'content_block_stop', index: 1 },
      {
        type: 'content_block_start',
        index: 2,
        content_block: { type: 'tool_use', id: 'tu_1', name: 'lookup', input: {} },
      } as unknown as Event,
      { type: 'content_block_delta', index: 2, delta: { type: 'input_json_delta', partial_json: '{"q":' } },
      { type: 'content_block_delta', index: 2, delta: { type: 'input_json_delta', partial_json: '"x"}' } },
      { type: 'content_block_stop', index: 2 },
    ]);
    expect(snapshot.toMessage()!.content).toEqual([
      { type: 'thinking', thinking: 'Let me see.', signature: 'sig' },
      { type: 'text', text: 'Cited', citations: [citation] },
      { type: 'tool_use', id: 'tu_1', name: 'lookup', input: { q: 'x' } },
    ]);
  });

  it('keeps what arrived when a stream breaks, with usage estimated from the text', () => {
    const snapshot = new MessageSnapshot();
    snapshot.beginAttempt();
    fold(snapshot, textResponseEvents(['abcd', 'efgh', 'ijkl']).slice(0, 4));
    snapshot.finishAttempt(true);
    const partial = snapshot.toMessage()!;
    expect(partial.content).toEqual([{ type: 'text', text: 'abcdefgh', citations: null }]);
    expect(partial.usage.output_tokens).toBe(2);
  });

  it('drops a partial tool_use block and resumes the complete text before it', () => {
    const snapshot = new MessageSnapshot();
    snapshot.beginAttempt();
    fold(snapshot, [
      ...textResponseEvents(['Looking it up.']).slice(0, 4),
      {
        type: 'content_block_start',
        index: 1,
        content_block: { type: 'tool_use', id: 'tu_1', name: 'lookup', input: {} },
      } as unknown as Event,
      { type: 'content_block_delta', index: 1, delta: { type: 'input_json_delta', partial_json: '{"q"' } },
    ]);
    snapshot.finishAttempt(true);
    expect(snapshot.planResume()).toEqual({
      kind: 'resume',
      keptText: 'Looking it up.',
      regeneratedBlocks: 1,
    });
    expect(snapshot.blocks).toHaveLength(1);
  });

  it('restarts when a stream breaks inside its first thinking block', () => {
    const snapshot = new MessageSnapshot();
    snapshot.beginAttempt();
    fold(snapshot, [
      messageStart(),
      {
        type: 'content_block_start',
        index: 0,
        content_block: { type: 'thinking', thinking: '', signature: '' },
      },
      { type: 'content_block_delta', index: 0, delta: { type: 'thinking_delta', thinking: 'Hmm' } },
    ]);
    snapshot.finishAttempt(true);
    expect(snapshot.planResume()).toEqual({ kind: 'restart', regeneratedBlocks: 1 });
    expect(snapshot.toMessage()!.content).toEqual([]);
  });

  it('sums usage over attempts', () => {
    const snapshot = new MessageSnapshot();
    snapshot.beginAttempt();
    fold(snapshot, textResponseEvents(['a', 'b', 'c', 'd'], { inputTokens: 10 }).slice(0, 4));
    snapshot.finishAttempt(true);
    snapshot.planResume();
    snapshot.beginAttempt();
    fold(snapshot, textResponseEvents(['c', 'd'], { inputTokens: 12 }));
    snapshot.finishAttempt(false);
    const message = snapshot.toMessage()!;
    expect(message.usage.input_tokens).toBe(22);
    expect(message.usage.output_tokens).toBe(1 + 2);
  });

  it('resumes into one text, delivering every character once, wherever the stream breaks', () => {
    fc.assert(
      fc.property(
        fc.array(fc.constantFrom(' alpha', ' beta', '\n\n', ' gamma', '.', ' ', '\t', 'x'), {
          minLength: 1,
          maxLength: 30,
        }),
        fc.nat(),
        fc.constantFrom('prefill' as const, 'user_turn' as const),
        (pieces, cut, strategy) => {
          const full = pieces.join('');
          const events = textResponseEvents(pieces);
          const breakAt = 2 + (cut % (pieces.length + 1));
          const snapshot = new MessageSnapshot();
          snapshot.beginAttempt();
          let delivered = fold(snapshot, events.slice(0, breakAt));
          snapshot.finishAttempt(true);
          const plan = snapshot.planResume();
          let skipPrefix = '';
          let continuation = full;
          if (plan.kind === 'resume') {
            const resume = buildResumeRequest(
              { model: 'claude-sonnet-4-5', max_tokens: 100, messages: [{ role: 'user', content: 'hi' }] },
              { keptText: plan.keptText, keptOutputTokens: 0, strategy },
            );
            skipPrefix = resume.skipPrefix;
            // An exact continuation: what follows the text the model was given.
            const given =
              resume.strategy === 'prefill'
                ? (resume.params.messages.at(-1)!.content as string)
                : plan.keptText;
            continuation = full.slice(given.length);
          }
          snapshot.beginAttempt(skipPrefix);
          delivered += fold(snapshot, textResponseEvents(continuation.length > 0 ? [continuation] : []));
          snapshot.finishAttempt(false);
          expect(delivered).toBe(full);
          expect(snapshot.text()).toBe(full);
        },
      ),
    );
  });
});
