import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createEncoder, loadJsTiktokenRanks } from './encoder-registry.js';
import { createRegexScanner, type PieceScanner, scanCl100kPiece, scanO200kPiece } from './pre-tokenizer.js';

/** Characters that exercise every branch of both split patterns. */
const tricky = [
  ...'aZsStTmMdDrReEvVlL',
  "'",
  ...'0123456789',
  ' ',
  '\t',
  '\n',
  '\r',
  '\u00a0',
  '\u2028',
  '\u3000',
  '\ufeff',
  ...'.,!?/-_()[]{}#@$%^&*+=<>|\\"`~;:',
  'é',
  'É',
  'ß',
  'ǅ', // Lt
  'ʰ', // Lm
  'ª', // Lo
  '中',
  '文',
  'ア',
  '\u0301', // combining acute (Mn)
  '\u0903', // Mc
  '\u20dd', // Me
  '²', // No
  'Ⅻ', // Nl
  '٣', // Arabic-Indic digit
  '😀',
  '👍🏽',
  '𝐀', // astral Lu
  '𝐚', // astral Ll
  '\ud800', // lone high surrogate
  '\udc00', // lone low surrogate
];

const trickyText = fc.oneof(
  fc.array(fc.constantFrom(...tricky), { maxLength: 60 }).map((parts) => parts.join('')),
  fc.string({ unit: 'grapheme', maxLength: 40 }),
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.string({ unit: 'grapheme-ascii', maxLength: 60 }),
);

function piecesOf(scan: PieceScanner, text: string): string[] {
  const pieces: string[] = [];
  let start = 0;
  while (start < text.length) {
    const end = scan(text, start, text.length);
    pieces.push(text.slice(start, end));
    start = end;
  }
  return pieces;
}

async function patternOf(encoding: 'cl100k_base' | 'o200k_base'): Promise<string> {
  return (await loadJsTiktokenRanks(encoding)).pat_str;
}

describe('hand-written pre-tokenizers', () => {
  it.each([
    ['cl100k_base', scanCl100kPiece],
    ['o200k_base', scanO200kPiece],
  ] as const)('split text into the same pieces as the %s regex', async (encoding, scanner) => {
    const regex = new RegExp(await patternOf(encoding), 'gu');
    fc.assert(
      fc.property(trickyText, (text) => {
        const expected = [...text.matchAll(regex)].map((match) => match[0]);
        expect(piecesOf(scanner, text)).toEqual(expected);
      }),
      { numRuns: 4000 },
    );
  });

  it.each([
    ['cl100k_base', scanCl100kPiece],
    ['o200k_base', scanO200kPiece],
  ] as const)(
    'splits punctuation followed by line breaks and slashes like the %s regex',
    async (encoding, scanner) => {
      const regex = new RegExp(await patternOf(encoding), 'gu');
      for (const text of ['?\r/', 'a.\n/b', '!\r\n//x', ' ;\n\r/ /', '=\r\n']) {
        expect(piecesOf(scanner, text)).toEqual([...text.matchAll(regex)].map((match) => match[0]));
      }
    },
  );

  it('lets a regex scanner reproduce the pattern for unknown patterns', async () => {
    const pattern = await patternOf('cl100k_base');
    const regex = new RegExp(pattern, 'gu');
    const scanner = createRegexScanner(pattern);
    fc.assert(
      fc.property(trickyText, (text) => {
        expect(piecesOf(scanner, text)).toEqual([...text.matchAll(regex)].map((match) => match[0]));
      }),
    );
  });

  it('uses the hand-written scanner only when the rank file carries the known pattern', async () => {
    const file = await loadJsTiktokenRanks('cl100k_base');
    const changed = createEncoder('cl100k_base', { ...file, pat_str: '\\S+|\\s+' });
    expect(changed.count('hello world')).toBe(createEncoder('cl100k_base', file).count('hello') + 2);
  });
});
