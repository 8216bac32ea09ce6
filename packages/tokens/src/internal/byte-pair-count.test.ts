import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { BytePairCounter } from './byte-pair-count.js';
import { loadJsTiktokenRanks } from './encoder-registry.js';
import { parseRankTable } from './rank-table.js';

/** Token bytes (as a binary string, one char per byte) → rank, read with Node's own base64 decoder. */
function rankMapOf(bpeRanks: string): Map<string, number> {
  const ranks = new Map<string, number>();
  for (const line of bpeRanks.split('\n')) {
    if (line.length === 0) continue;
    const [, offset, ...tokens] = line.split(' ');
    tokens.forEach((token, index) => {
      ranks.set(Buffer.from(token, 'base64').toString('latin1'), Number(offset) + index);
    });
  }
  return ranks;
}

/**
 * The byte-pair merge written the plain way (js-tiktoken's `bytePairMerge`): keep the parts in
 * an array, find the leftmost pair of lowest rank by a full scan, merge it, repeat.
 */
function referenceCount(ranks: Map<string, number>, bytes: Uint8Array): number {
  const parts = Array.from(bytes, (byte) => String.fromCharCode(byte));
  const rankOfPair = (index: number) => ranks.get(parts[index]! + parts[index + 1]!) ?? Infinity;
  const pairRanks = parts.slice(0, -1).map((_, index) => rankOfPair(index));
  for (;;) {
    let best = -1;
    for (let index = 0; index < pairRanks.length; index += 1) {
      if (pairRanks[index]! < Infinity && (best < 0 || pairRanks[index]! < pairRanks[best]!)) best = index;
    }
    if (best < 0) return parts.length;
    parts.splice(best, 2, parts[best]! + parts[best + 1]!);
    pairRanks.splice(best, 1);
    if (best < pairRanks.length) pairRanks[best] = rankOfPair(best);
    if (best > 0) pairRanks[best - 1] = rankOfPair(best - 1);
  }
}

const asBytes = (text: string) => new TextEncoder().encode(text);
const fromAlphabet = (alphabet: string, maxLength: number) =>
  fc.string({ unit: fc.constantFrom(...alphabet), minLength: 1, maxLength, size: 'max' }).map(asBytes);

/** Byte strings that reach both the small-piece loop and the bucket queue, with long runs. */
const byteStrings = fc.oneof(
  fc.uint8Array({ minLength: 1, maxLength: 400, size: 'max' }),
  fromAlphabet('abcdefghijklmnopqrstuvwxyz', 3000),
  fromAlphabet('ab', 600),
  fromAlphabet(' \n\t', 2000),
  fromAlphabet('0123456789', 600),
  fromAlphabet('ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/', 2000),
  fc.string({ unit: 'grapheme', minLength: 1, maxLength: 300, size: 'max' }).map(asBytes),
  fc
    .tuple(fc.constantFrom('a', ' ', '=', 'é', '中', '😀', 'ab', 'xyz'), fc.integer({ min: 1, max: 2000 }))
    .map(([unit, count]) => asBytes(unit.repeat(count))),
);

describe.each(['cl100k_base', 'o200k_base'] as const)('the byte-pair merge under %s', (encoding) => {
  it('gives the same number of parts as the plain merge on the real rank table', async () => {
    const file = await loadJsTiktokenRanks(encoding);
    const counter = new BytePairCounter(parseRankTable(file.bpe_ranks));
    const ranks = rankMapOf(file.bpe_ranks);
    fc.assert(
      fc.property(byteStrings, (bytes) => {
        expect(counter.count(bytes, bytes.length)).toBe(referenceCount(ranks, bytes));
      }),
      { numRuns: 300 },
    );
  });

  it('counts only the first `length` bytes of its buffer', async () => {
    const file = await loadJsTiktokenRanks(encoding);
    const counter = new BytePairCounter(parseRankTable(file.bpe_ranks));
    const ranks = rankMapOf(file.bpe_ranks);
    const bytes = asBytes('abracadabra '.repeat(10));
    expect(counter.count(bytes, 60)).toBe(referenceCount(ranks, bytes.subarray(0, 60)));
  });
});

/** A rank file in js-tiktoken's format: one line per token. */
function rankFileOf(tokens: string[]): string {
  return tokens
    .map((token, rank) => `! ${rank} ${Buffer.from(token, 'latin1').toString('base64')}`)
    .join('\n');
}

/**
 * Made-up vocabularies over three letters, with ranks in any order: unlike the real tables
 * (where no merge was seen to create a pair ranked below it), here merges often do, which
 * drives the suspended-run path of the bucket queue.
 */
const syntheticVocabulary = fc
  .tuple(
    fc.uniqueArray(fc.string({ unit: fc.constantFrom('a', 'b', 'c'), minLength: 2, maxLength: 5 }), {
      minLength: 1,
      maxLength: 80,
      size: 'max',
    }),
    fc.integer(),
  )
  .map(([words, seed]) => {
    const tokens = [...Array.from({ length: 256 }, (_, byte) => String.fromCharCode(byte)), ...words];
    let state = seed >>> 0;
    for (let index = tokens.length - 1; index > 0; index -= 1) {
      state = (Math.imul(state, 1_103_515_245) + 12_345) >>> 0;
      const other = state % (index + 1);
      [tokens[index], tokens[other]] = [tokens[other]!, tokens[index]!];
    }
    return tokens;
  });

describe('the byte-pair merge on rank tables that are not monotone', () => {
  it('gives the same number of parts as the plain merge', () => {
    fc.assert(
      fc.property(
        syntheticVocabulary,
        fc
          .string({ unit: fc.constantFrom('a', 'b', 'c'), minLength: 25, maxLength: 400, size: 'max' })
          .map(asBytes),
        (tokens, bytes) => {
          const counter = new BytePairCounter(parseRankTable(rankFileOf(tokens)));
          const ranks = new Map(tokens.map((token, rank) => [token, rank]));
          expect(counter.count(bytes, bytes.length)).toBe(referenceCount(ranks, bytes));
        },
      ),
      { numRuns: 500 },
    );
  });

  it('suspends a run when a merge creates a pair of lower rank', () => {
    // In 'bcbcbx', 'bc' (rank 300) merges at 0; then 'bc' + 'b' = 'bcb' (rank 257) must merge
    // before the second 'bc': bcb|c|b|x. Merging every 'bc' first would give bc|bcb|x. 'bxb'
    // (never formed) keeps the piece from being cut at x, so it takes the bucket queue.
    const tokens = Array.from({ length: 302 }, (_, rank) =>
      rank < 256 ? String.fromCharCode(rank) : `unused${rank}`,
    );
    tokens[257] = 'bcb';
    tokens[300] = 'bc';
    tokens[301] = 'bxb';
    const counter = new BytePairCounter(parseRankTable(rankFileOf(tokens)));
    const ranks = new Map(tokens.map((token, rank) => [token, rank]));
    const bytes = asBytes('bcbcbx'.repeat(100));
    expect(referenceCount(ranks, bytes)).toBe(400);
    expect(counter.count(bytes, bytes.length)).toBe(400);
  });
});
