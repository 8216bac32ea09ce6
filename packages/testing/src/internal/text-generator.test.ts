import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { generateText, tokenIndexAt } from './text-generator.js';

describe('generateText', () => {
  it('is a pure function of seed, key and length, with offsets matching the tokens', () => {
    fc.assert(
      fc.property(fc.integer(), fc.string(), fc.integer({ min: 1, max: 300 }), (seed, key, count) => {
        const generated = generateText(seed, key, count);
        expect(generateText(seed, key, count)).toEqual(generated);
        expect(generated.tokens).toHaveLength(count);
        expect(generated.tokens.join('')).toBe(generated.text);
        generated.tokens.forEach((token, index) => {
          expect(generated.text.slice(generated.offsets[index], generated.offsets[index + 1])).toBe(token);
          expect(tokenIndexAt(generated, generated.offsets[index] as number)).toBe(index);
        });
        expect(generated.text.endsWith('.')).toBe(true);
      }),
      { numRuns: 50 },
    );
  });

  it('never starts a token with whitespace other than one leading space', () => {
    const { tokens } = generateText(1, 'words', 2000);
    for (const token of tokens) expect(token === '\n\n' || /^ ?\S+$/.test(token)).toBe(true);
  });

  it('gives different texts for different seeds', () => {
    expect(generateText(1, 'k', 50).text).not.toBe(generateText(2, 'k', 50).text);
  });
});
