import Anthropic from '@anthropic-ai/sdk';
import { buildContinuationPrompt } from '@bulwark/core/internal';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { failureOf, startWithClient, userRequest, userTurnModel } from './test-support/harness.js';

function textOf(message: Anthropic.Message): string {
  return message.content.map((block) => (block.type === 'text' ? block.text : '')).join('');
}

describe('exact continuation', () => {
  it('continues a prefill from exactly where it ends and counts only new tokens', async () => {
    const { server, client } = await startWithClient({ outputTokens: 60 });
    const request = userRequest('Tell me a story');
    const full = server.expectedText(request);
    const prefix = full.slice(0, 57).trimEnd();
    const continued = await client.messages.create({
      ...request,
      messages: [...request.messages, { role: 'assistant', content: prefix }],
    });
    expect(prefix + textOf(continued)).toBe(full);
    const uninterrupted = await client.messages.create(request);
    expect(continued.usage.output_tokens).toBeLessThan(uninterrupted.usage.output_tokens);
    expect(server.requests[0]?.continuation).toBe('prefill');
  });

  it('continues after the core continuation user turn from where the partial text ends', async () => {
    const { server, client } = await startWithClient({ outputTokens: 60 });
    const request = { ...userRequest('Tell me a story'), model: userTurnModel };
    const full = server.expectedText(request);
    const partial = full.slice(0, 101);
    const continued = await client.messages.create({
      ...request,
      messages: [...request.messages, { role: 'user', content: buildContinuationPrompt(partial) }],
    });
    expect(partial + textOf(continued)).toBe(full);
    expect(server.requests[0]?.continuation).toBe('user_turn');
  });

  it('refuses prefill with the API 400 for models from Claude 4.6 on', async () => {
    const { client } = await startWithClient();
    const error = await failureOf(
      client.messages.create({
        ...userRequest('Hi'),
        model: userTurnModel,
        messages: [
          { role: 'user', content: 'Hi' },
          { role: 'assistant', content: 'The' },
        ],
      }),
    );
    expect(error).toBeInstanceOf(Anthropic.BadRequestError);
    expect(error.message).toContain('does not support assistant message prefill');
  });

  it('refuses a prefill that ends in whitespace with the API 400', async () => {
    const { client } = await startWithClient();
    const error = await failureOf(
      client.messages.create({
        ...userRequest('Hi'),
        messages: [
          { role: 'user', content: 'Hi' },
          { role: 'assistant', content: 'The ' },
        ],
      }),
    );
    expect(error).toBeInstanceOf(Anthropic.BadRequestError);
    expect(error.message).toContain('trailing whitespace');
  });

  it('for any cut point, prefix plus prefill continuation equals the uninterrupted text', async () => {
    const { server, client } = await startWithClient({ seed: 7, outputTokens: { min: 5, max: 80 } });
    await fc.assert(
      fc.asyncProperty(
        fc.string({ maxLength: 20 }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        async (prompt, where) => {
          const request = userRequest(`Question: ${prompt}`);
          const full = server.expectedText(request);
          const prefix = full.slice(0, Math.floor(where * full.length)).trimEnd();
          const continued = await client.messages.create({
            ...request,
            messages: [...request.messages, { role: 'assistant', content: prefix }],
          });
          expect(prefix + textOf(continued)).toBe(full);
        },
      ),
      { numRuns: 60 },
    );
  });

  it('for any cut point, prefix plus user-turn continuation equals the uninterrupted text', async () => {
    const { server, client } = await startWithClient({ seed: 8, outputTokens: { min: 5, max: 80 } });
    await fc.assert(
      fc.asyncProperty(
        fc.string({ maxLength: 20 }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        async (prompt, where) => {
          const request = { ...userRequest(`Question: ${prompt}`), model: userTurnModel };
          const full = server.expectedText(request);
          const partial = full.slice(0, Math.floor(where * full.length));
          const stream = client.messages.stream({
            ...request,
            messages: [...request.messages, { role: 'user', content: buildContinuationPrompt(partial) }],
          });
          expect(partial + textOf(await stream.finalMessage())).toBe(full);
        },
      ),
      { numRuns: 60 },
    );
  });

  it('resumes a dropped stream to the uninterrupted text when max_tokens is reduced by what was received', async () => {
    const { server, client } = await startWithClient({ outputTokens: 200 });
    const request = { ...userRequest('Long answer'), model: userTurnModel, max_tokens: 120 };
    const full = server.expectedText(request);
    let received = '';
    let deltas = 0;
    const broken = client.messages.stream(request, {
      headers: { 'x-bulwark-fault': JSON.stringify({ kind: 'drop', afterEvents: 42 }) },
    });
    broken.on('text', (delta) => {
      received += delta;
      deltas += 1;
    });
    await broken.finalMessage().catch(() => undefined);
    const resumed = await client.messages.create({
      ...request,
      max_tokens: request.max_tokens - deltas,
      messages: [...request.messages, { role: 'user', content: buildContinuationPrompt(received) }],
    });
    expect(resumed.stop_reason).toBe('max_tokens');
    expect(received + textOf(resumed)).toBe(full);
  });
});
