import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { PrefixWeights } from './token-weight.js';

const textArbitrary = fc
  .array(fc.constantFrom('word ', 'x', '  ', '\n', '\t', '42', '.;', 'é', '日本', '🦜'), { maxLength: 80 })
  .map((parts) => parts.join(''));

/** The weight of every prefix, summed character by character through `weight` itself. */
function prefixes(weights: PrefixWeights, text: string): number[] {
  const result = [0];
  for (let end = 1; end <= text.length; end += 1) result.push(weights.weight(text, 0, end));
  return result;
}

describe('PrefixWeights', () => {
  it('weighs letters less than CJK characters and those less than emoji', () => {
    const weigh = (text: string) => new PrefixWeights().weight(text, 0, text.length);
    expect(weigh('a')).toBeLessThan(weigh('日'));
    expect(weigh('日')).toBeLessThan(weigh('🦜'));
  });

  it('finds the first position whose prefix reaches a weight, and the last start whose suffix does', () => {
    fc.assert(
      fc.property(
        textArbitrary,
        textArbitrary,
        fc.double({ min: 0.01, max: 30, noNaN: true }),
        (first, text, goal) => {
          const weights = new PrefixWeights();
          weights.weight(first, 0, first.length); // a previous window, forgotten by reset
          weights.reset();
          const sums = prefixes(new PrefixWeights(), text);
          const total = sums[text.length]!;
          const forward = weights.advance(text, text.length, goal);
          const expectedForward = sums.findIndex((sum) => sum >= goal - 1e-9);
          expect(forward).toBe(expectedForward < 0 ? text.length : expectedForward);
          const backward = weights.retreat(text, text.length, 0, goal);
          let expectedBackward = 0;
          for (let start = 0; start <= text.length; start += 1) {
            if (total - sums[start]! >= goal - 1e-9) expectedBackward = start;
          }
          expect(backward).toBe(expectedBackward);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('gives the same weights whatever order the window is read in', () => {
    fc.assert(
      fc.property(textArbitrary, fc.nat(), fc.nat(), (text, a, b) => {
        const start = Math.min(a, b) % (text.length + 1);
        const end = Math.max(start, Math.max(a, b) % (text.length + 1));
        const lazy = new PrefixWeights();
        lazy.advance(text, start, 1e9);
        expect(lazy.weight(text, start, end)).toBeCloseTo(new PrefixWeights().weight(text, start, end), 9);
      }),
    );
  });
});
