import { buildContinuationPrompt } from '@bulwark/core/internal';
import { describe, expect, it } from 'vitest';
import { buildResumeRequest, chooseContinuationStrategy } from './resume-request.js';

const base = {
  model: 'claude-sonnet-4-5',
  max_tokens: 1000,
  messages: [{ role: 'user' as const, content: 'Write.' }],
};

describe('chooseContinuationStrategy', () => {
  it('prefills models up to Claude 4.5 and sends a user turn to later ones', () => {
    expect(chooseContinuationStrategy({ model: 'claude-sonnet-4-5' })).toBe('prefill');
    expect(chooseContinuationStrategy({ model: 'claude-opus-4-6' })).toBe('user_turn');
  });

  it('follows the table by model id over the built-in rule', () => {
    expect(chooseContinuationStrategy({ model: 'claude-opus-4-6' }, { 'claude-opus-4-6': true })).toBe(
      'prefill',
    );
    expect(chooseContinuationStrategy({ model: 'claude-sonnet-4-5' }, { 'claude-sonnet-4-5': false })).toBe(
      'user_turn',
    );
  });

  it('never prefills with extended thinking on', () => {
    expect(
      chooseContinuationStrategy({
        model: 'claude-sonnet-4-5',
        thinking: { type: 'enabled', budget_tokens: 1024 },
      }),
    ).toBe('user_turn');
  });
});

describe('buildResumeRequest', () => {
  it('prefills the kept text without its trailing whitespace and drops that whitespace from the continuation', () => {
    const resume = buildResumeRequest(base, {
      keptText: 'One.\n\n',
      keptOutputTokens: 2,
      strategy: 'prefill',
    });
    expect(resume.params.messages.at(-1)).toEqual({ role: 'assistant', content: 'One.' });
    expect(resume.skipPrefix).toBe('\n\n');
  });

  it('appends the kept text to a prefill the caller already sent', () => {
    const params = {
      ...base,
      messages: [...base.messages, { role: 'assistant' as const, content: 'Sure:' }],
    };
    const resume = buildResumeRequest(params, { keptText: ' one', keptOutputTokens: 1, strategy: 'prefill' });
    expect(resume.params.messages).toHaveLength(2);
    expect(resume.params.messages.at(-1)).toEqual({ role: 'assistant', content: 'Sure: one' });
  });

  it('asks in a user turn, with the shared wording, for models that refuse prefill', () => {
    const resume = buildResumeRequest(
      { ...base, model: 'claude-opus-4-6' },
      {
        keptText: 'One. ',
        keptOutputTokens: 2,
        strategy: 'user_turn',
      },
    );
    expect(resume.params.messages.at(-1)).toEqual({
      role: 'user',
      content: buildContinuationPrompt('One. '),
    });
    expect(resume.skipPrefix).toBe('');
  });

  it('falls back to a user turn when the kept text is only whitespace', () => {
    expect(
      buildResumeRequest(base, { keptText: '  \n', keptOutputTokens: 1, strategy: 'prefill' }).strategy,
    ).toBe('user_turn');
  });

  it('takes the kept output tokens off max_tokens, never below the thinking budget', () => {
    expect(
      buildResumeRequest(base, { keptText: 'a', keptOutputTokens: 300, strategy: 'prefill' }).params
        .max_tokens,
    ).toBe(700);
    const thinking = {
      ...base,
      max_tokens: 3000,
      thinking: { type: 'enabled' as const, budget_tokens: 2048 },
    };
    expect(
      buildResumeRequest(thinking, { keptText: 'a', keptOutputTokens: 2900, strategy: 'user_turn' }).params
        .max_tokens,
    ).toBe(2049);
  });
});
