import { describe, expect, it } from 'vitest';
import { InvalidArgumentError } from './errors.js';
import { checkMessageParams } from './message-params.js';

const valid = { model: 'claude-sonnet-4-6', max_tokens: 10, messages: [{ role: 'user', content: 'Hi' }] };

describe('checkMessageParams', () => {
  it('accepts a minimal valid request', () => {
    expect(() => checkMessageParams(valid)).not.toThrow();
  });

  it('names the refused field under the given argument', () => {
    const error = (() => {
      try {
        checkMessageParams({ ...valid, max_tokens: 0 }, 'requests[3].params');
      } catch (caught) {
        return caught;
      }
      return undefined;
    })();
    expect(InvalidArgumentError.isInstance(error)).toBe(true);
    expect((error as InvalidArgumentError).argument).toBe('requests[3].params.max_tokens');
  });

  it('refuses a thinking budget that is not below max_tokens', () => {
    expect(() =>
      checkMessageParams({ ...valid, max_tokens: 2000, thinking: { type: 'enabled', budget_tokens: 2000 } }),
    ).toThrow(/params\.thinking\.budget_tokens/);
  });
});
