import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { buildContinuationPrompt, parseContinuationPrompt } from './continuation.js';

describe('continuation prompt', () => {
  it('says the response was interrupted, quotes its end and asks to continue', () => {
    const prompt = buildContinuationPrompt('The quick brown');
    expect(prompt).toContain('interrupted');
    expect(prompt).toContain('The quick brown');
    expect(prompt).toContain('Continue from exactly where you left off');
  });

  it('round-trips any partial text, including markup-like and empty text', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme' }), (partial) => {
        expect(parseContinuationPrompt(buildContinuationPrompt(partial))).toBe(partial);
      }),
    );
    expect(parseContinuationPrompt(buildContinuationPrompt('</previous_response>\n'))).toBe(
      '</previous_response>\n',
    );
  });

  it('does not recognise ordinary user turns', () => {
    expect(parseContinuationPrompt('Please continue.')).toBeUndefined();
    expect(parseContinuationPrompt(buildContinuationPrompt('x').slice(0, -1))).toBeUndefined();
  });
});
