import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { chunkText } from './chunk-text.js';
import { expectExactProvenance } from './test-support/chunk-checks.js';
import { characterEstimator, createCountingEstimator, referenceCount } from './test-support/estimators.js';

const fragments = [
  'the ',
  'quick ',
  'brown fox',
  'jumps. ',
  'Over! ',
  'lazy',
  ' ',
  '  ',
  '\n',
  '\r\n',
  '\n\n',
  '\r',
  '# Heading\n',
  '```\ncode()\n```\n',
  'function f() {\n  return 1;\n}\n',
  '🦜',
  '👩‍👩‍👧',
  '日本語の文章です。',
  'naïve café',
  'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa',
  '\t',
];

const textArbitrary = fc.oneof(
  fc.array(fc.constantFrom(...fragments), { maxLength: 120 }).map((parts) => parts.join('')),
  fc.string({ unit: 'grapheme', maxLength: 400 }),
);

describe('chunkText', () => {
  it('returns no chunks for an empty text', async () => {
    expect(await chunkText('', { maxTokens: 10 })).toEqual([]);
  });

  it('counts with exact cl100k_base by default, as js-tiktoken does', async () => {
    const text = `${fragments.join('')}\n`.repeat(40);
    const chunks = await chunkText(text, { maxTokens: 150, overlapTokens: 20 });
    expect(chunks.length).toBeGreaterThan(5);
    for (const chunk of chunks) {
      expect(chunk.tokenCount).toBe(referenceCount(chunk.text));
      expect(chunk.tokenCount).toBeLessThanOrEqual(150);
    }
  });

  it('keeps every chunk within the budget and maps it exactly back to the source bytes', async () => {
    const estimator = createCountingEstimator();
    await fc.assert(
      fc.asyncProperty(
        textArbitrary,
        fc.integer({ min: 8, max: 120 }),
        fc.double({ min: 0, max: 0.6, noNaN: true }),
        fc.constantFrom('text', 'markdown', 'source'),
        async (text, maxTokens, overlapShare, format) => {
          const overlapTokens = Math.floor(maxTokens * overlapShare);
          const chunks = await chunkText(text, { maxTokens, overlapTokens, estimator, format });
          for (const chunk of chunks) {
            expect(chunk.tokenCount).toBe(estimator.count(chunk.text));
            expect(chunk.tokenCount).toBeLessThanOrEqual(maxTokens);
          }
          expectExactProvenance(Buffer.from(text, 'utf8'), chunks);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('never ends a chunk between a carriage return and its line feed', async () => {
    const text = 'ab\r\n'.repeat(50);
    const chunks = await chunkText(text, { maxTokens: 3, estimator: characterEstimator });
    for (const chunk of chunks) expect(chunk.text.endsWith('\r')).toBe(false);
    expect(chunks.map((chunk) => chunk.text).join('')).toBe(text);
  });

  it('never splits a surrogate pair, even on a hard cut', async () => {
    const text = '🦜'.repeat(40);
    const chunks = await chunkText(text, { maxTokens: 7, estimator: characterEstimator });
    for (const chunk of chunks) expect(chunk.text).toMatch(/^(🦜)+$/u);
    expect(chunks.map((chunk) => chunk.text).join('')).toBe(text);
  });

  it('prefers a blank line over a line end and a line end over a word', async () => {
    const paragraph = 'one two three four five\nsix seven eight nine ten\n\n';
    const text = paragraph.repeat(6);
    const chunks = await chunkText(text, { maxTokens: 60, estimator: characterEstimator });
    for (const chunk of chunks.slice(0, -1)) expect(chunk.text.endsWith('\n\n')).toBe(true);
  });

  it('cuts a long line at a sentence end rather than inside a sentence', async () => {
    const text = 'This is a sentence that goes on. '.repeat(30);
    const chunks = await chunkText(text, { maxTokens: 100, estimator: characterEstimator });
    for (const chunk of chunks.slice(0, -1)) expect(chunk.text.endsWith('on. ')).toBe(true);
  });

  it('starts a chunk at a Markdown heading when one is in reach', async () => {
    const section = '## Section\n\nSome words here.\nMore words here.\n';
    const text = section.repeat(10);
    const chunks = await chunkText(text, {
      maxTokens: 100,
      estimator: characterEstimator,
      format: 'markdown',
    });
    for (const chunk of chunks) expect(chunk.text.startsWith('## Section')).toBe(true);
  });

  it('repeats about overlapTokens tokens of the previous chunk at the start of the next', async () => {
    const text = 'word '.repeat(400);
    const chunks = await chunkText(text, {
      maxTokens: 100,
      overlapTokens: 20,
      estimator: characterEstimator,
    });
    expect(chunks.length).toBeGreaterThan(2);
    for (const chunk of chunks.slice(1)) {
      expect(chunk.overlapBytes).toBeGreaterThan(10);
      expect(chunk.overlapBytes).toBeLessThanOrEqual(20);
    }
  });

  it('counts each chunk a small number of times', async () => {
    const estimator = createCountingEstimator();
    const text = 'The quick brown fox jumps over the lazy dog. '.repeat(2000);
    const chunks = await chunkText(text, { maxTokens: 500, estimator });
    expect(estimator.calls / chunks.length).toBeLessThan(3);
  });

  it('aims the overlap so that a chunk with overlap still costs few counts', async () => {
    const estimator = createCountingEstimator();
    const parts = [
      'The quick brown fox jumps over the lazy dog. ',
      'Grüße aus Köln! ',
      '東京の天気は晴れです。',
      'const value = compute(input, 42);\n',
      '\n\n',
      '🦜 ',
      '12345 67890 ',
      '\n',
    ];
    const text = fc.sample(fc.constantFrom(...parts), { numRuns: 6000, seed: 1 }).join('');
    const chunks = await chunkText(text, { maxTokens: 500, overlapTokens: 50, estimator });
    expect(chunks.length).toBeGreaterThan(50);
    expect(estimator.calls / chunks.length).toBeLessThan(3);
  });

  it('refuses a budget too small for a single character', async () => {
    await expect(chunkText('🦜', { maxTokens: 1, estimator: createCountingEstimator() })).rejects.toThrow(
      /maxTokens/,
    );
  });

  it('refuses an overlap as large as the budget and unknown options', async () => {
    await expect(chunkText('abc', { maxTokens: 10, overlapTokens: 10 })).rejects.toThrow(/overlapTokens/);
    await expect(chunkText('abc', { maxTokens: 10, maxToken: 3 } as never)).rejects.toThrow(/maxToken/);
  });

  it('refuses a missing budget and an estimator without countTokens, naming the option', async () => {
    await expect(chunkText('abc', {} as never)).rejects.toThrow(/options.maxTokens/);
    await expect(chunkText('abc', { maxTokens: 10, estimator: {} as never })).rejects.toThrow(
      /options.estimator/,
    );
  });
});
