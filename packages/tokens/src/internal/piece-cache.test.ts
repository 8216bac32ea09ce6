import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { PieceCache } from './piece-cache.js';

describe('PieceCache', () => {
  it('returns the count stored for the same units, wherever they sit in a text', () => {
    const cache = new PieceCache();
    const text = 'say hello, hello';
    expect(cache.lookup(text, 4, 9)).toBe(-1);
    cache.store(text, 4, 9, 1);
    expect(cache.lookup(text, 11, 16)).toBe(1);
    expect(cache.lookup('hellp', 0, 5)).toBe(-1);
  });

  it('never answers with the count of another piece, even after starting over', () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.string({ unit: 'binary', minLength: 1, maxLength: 12 }), {
          minLength: 1,
          maxLength: 200,
          size: 'max',
        }),
        (pieces) => {
          const cache = new PieceCache();
          // Far more distinct pieces than it keeps (fillers), so it starts over several times.
          for (let round = 0; round < 150; round += 1) {
            for (let filler = 0; filler < 1000; filler += 1) {
              const piece = `\u{1F600}${round}.${filler}`;
              if (cache.lookup(piece, 0, piece.length) < 0) cache.store(piece, 0, piece.length, -2);
            }
            for (const [index, piece] of pieces.entries()) {
              const text = `${round}|${piece}`;
              const start = text.indexOf('|') + 1;
              if (cache.lookup(text, start, text.length) < 0) cache.store(text, start, text.length, index);
            }
          }
          pieces.forEach((piece, index) => {
            expect([-1, index]).toContain(cache.lookup(piece, 0, piece.length));
          });
        },
      ),
      { numRuns: 5 },
    );
  });

  it('starts over instead of growing past its bound', () => {
    const cache = new PieceCache();
    for (let index = 0; index < 200_000; index += 1) {
      const piece = `p${index}`;
      if (cache.lookup(piece, 0, piece.length) < 0) cache.store(piece, 0, piece.length, index);
    }
    expect(cache.lookup('p0', 0, 2)).toBe(-1);
    expect(cache.lookup('p199999', 0, 7)).toBe(199_999);
  });
});
