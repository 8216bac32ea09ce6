import type { MessageRequestLike } from '@bulwark/core';
import { describe, expect, it } from 'vitest';
import { hrToMs, instrumentedBus } from '../test-support/otel-sdk.js';
import { emitAll, failedRequest, model, successfulRequest } from '../test-support/scripted-requests.js';

function setup(captureContent: boolean) {
  const sdk = instrumentedBus({ captureContent });
  return { ...sdk, requestSpan: () => sdk.requestSpans()[0] };
}

const request: MessageRequestLike = {
  model,
  max_tokens: 8000,
  system: 'You are terse.',
  messages: [
    { role: 'user', content: 'What is the weather in Paris?' },
    {
      role: 'assistant',
      content: [
        { type: 'thinking', thinking: 'Use the tool.', signature: 'sig' },
        { type: 'tool_use', id: 'toolu_1', name: 'weather', input: { city: 'Paris' } },
      ] as never,
    },
    {
      role: 'user',
      content: [
        { type: 'tool_result', tool_use_id: 'toolu_1', content: 'rainy' },
        { type: 'image', source: { type: 'url', url: 'https://example.com/paris.png' } },
        { type: 'document', source: { type: 'text', data: 'long document' } },
      ] as never,
    },
  ],
};

const answer = {
  content: [{ type: 'text', text: 'Rainy, 14 °C.' }],
  stop_reason: 'end_turn',
  usage: { input_tokens: 1 },
};

describe('content capture', () => {
  it('records no prompt or answer unless asked to', () => {
    const { bus, instrumentation, requestSpan } = setup(false);
    instrumentation.recordPrompt('req_1', request);
    emitAll(bus, successfulRequest('req_1'));
    instrumentation.recordAnswer('req_1', answer as never);
    const attributes = requestSpan()!.attributes;
    expect(
      Object.keys(attributes).filter((key) => key.includes('messages') || key.includes('instructions')),
    ).toEqual([]);
  });

  it('records the prompt, the system instructions and the answer in the conventions JSON', () => {
    const { bus, instrumentation, requestSpan } = setup(true);
    instrumentation.recordPrompt('req_1', request);
    emitAll(bus, successfulRequest('req_1'));
    expect(requestSpan()).toBeUndefined(); // waits for the answer
    instrumentation.recordAnswer('req_1', answer as never);
    const attributes = requestSpan()!.attributes;
    expect(JSON.parse(attributes['gen_ai.system_instructions'] as string)).toEqual([
      { type: 'text', content: 'You are terse.' },
    ]);
    expect(JSON.parse(attributes['gen_ai.input.messages'] as string)).toEqual([
      { role: 'user', parts: [{ type: 'text', content: 'What is the weather in Paris?' }] },
      {
        role: 'assistant',
        parts: [
          { type: 'reasoning', content: 'Use the tool.' },
          { type: 'tool_call', id: 'toolu_1', name: 'weather', arguments: { city: 'Paris' } },
        ],
      },
      {
        role: 'user',
        parts: [
          { type: 'tool_call_response', id: 'toolu_1', response: 'rainy' },
          { type: 'uri', modality: 'image', uri: 'https://example.com/paris.png' },
          { type: 'document' },
        ],
      },
    ]);
    expect(JSON.parse(attributes['gen_ai.output.messages'] as string)).toEqual([
      { role: 'assistant', parts: [{ type: 'text', content: 'Rainy, 14 °C.' }], finish_reason: 'stop' },
    ]);
  });

  it('ends the span at the time the request ended, not when the answer came', () => {
    const { bus, instrumentation, requestSpan } = setup(true);
    instrumentation.recordPrompt('req_1', request);
    emitAll(bus, successfulRequest('req_1'));
    const endedBy = performance.timeOrigin + performance.now();
    // Let the clock move past the end before the answer comes (no timer, no sleep).
    while (performance.timeOrigin + performance.now() <= endedBy + 1) {}
    instrumentation.recordAnswer('req_1', answer as never);
    expect(hrToMs(requestSpan()!.endTime)).toBeLessThanOrEqual(endedBy);
  });

  it('ends the span of a failed request without an answer', () => {
    const { bus, instrumentation, requestSpan } = setup(true);
    instrumentation.recordPrompt('req_1', request);
    emitAll(bus, failedRequest('req_1'));
    instrumentation.recordAnswer('req_1', undefined);
    const attributes = requestSpan()!.attributes;
    expect(attributes['gen_ai.input.messages']).toBeDefined();
    expect(attributes['gen_ai.output.messages']).toBeUndefined();
  });

  it('forgets a prompt whose request never started', () => {
    const { instrumentation, spans } = setup(true);
    instrumentation.recordPrompt('req_1', request);
    instrumentation.recordAnswer('req_1', undefined);
    expect(spans()).toEqual([]);
  });

  it('records a prompt given after the request started', () => {
    const { bus, instrumentation, requestSpan } = setup(true);
    const [start, ...rest] = successfulRequest('req_1');
    emitAll(bus, [start!]);
    instrumentation.recordPrompt('req_1', { ...request, system: undefined });
    emitAll(bus, rest);
    instrumentation.recordAnswer('req_1', answer as never);
    expect(requestSpan()!.attributes['gen_ai.input.messages']).toBeDefined();
    expect(requestSpan()!.attributes['gen_ai.system_instructions']).toBeUndefined();
  });

  it('maps stop reasons to the conventions finish reasons', () => {
    const cases = [
      ['max_tokens', 'length'],
      ['tool_use', 'tool_call'],
      ['refusal', 'content_filter'],
      ['pause_turn', 'pause_turn'],
      [null, 'error'],
    ] as const;
    for (const [stopReason, finishReason] of cases) {
      const { bus, instrumentation, requestSpan } = setup(true);
      instrumentation.recordPrompt('req_1', request);
      emitAll(bus, successfulRequest('req_1'));
      instrumentation.recordAnswer('req_1', { content: [], stop_reason: stopReason });
      expect(JSON.parse(requestSpan()!.attributes['gen_ai.output.messages'] as string)[0].finish_reason).toBe(
        finishReason,
      );
    }
  });
});
