import { InvalidArgumentError } from '@bulwark/core';
import fc from 'fast-check';
import { getEncoding } from 'js-tiktoken';
import { describe, expect, it } from 'vitest';
import { EncodingNotReadyError } from './errors.js';
import { createTokenEstimator } from './token-estimator.js';

const encodings = ['cl100k_base', 'o200k_base'] as const;

/** Text that stresses pre-tokenizing and merging: every script class, marks, surrogates, runs. */
const unicodeText = fc.oneof(
  fc.string({ unit: 'grapheme', maxLength: 200 }),
  fc.string({ unit: 'grapheme', maxLength: 400, size: 'max' }),
  fc.string({ unit: 'binary', maxLength: 200, size: 'max' }),
  fc.string({
    unit: fc.constantFrom(
      '😀',
      '👨‍👩‍👧',
      '中',
      '文',
      '日本',
      '한',
      'é',
      'e\u0301',
      '\u0301',
      '\ud83d',
      '\ude00',
      'ß',
      'İ',
    ),
    maxLength: 80,
  }),
  fc.string({
    unit: fc.constantFrom(' ', '  ', '\t', '\n', '\r\n', '\u00a0', '\u3000', 'a', '.', "'s", '1'),
    maxLength: 120,
    size: 'max',
  }),
  fc
    .tuple(fc.constantFrom('a', 'Z', ' ', '\n', '=', '9', 'é', '中', '😀'), fc.integer({ min: 1, max: 400 }))
    .map(([unit, count]) => unit.repeat(count)),
  fc.base64String({ maxLength: 400 }),
);

/**
 * Long runs that make one huge piece (or, for digits, very many): thousands of characters of
 * random letters, letters of several scripts, digits. `size: 'max'` lets fast-check use the
 * whole length range, not just short strings.
 */
const longRuns = fc.oneof(
  fc.string({
    unit: fc.constantFrom(...'abcdefghijklmnopqrstuvwxyz'),
    minLength: 1000,
    maxLength: 4000,
    size: 'max',
  }),
  fc.string({
    unit: fc.constantFrom(...'aZзЖλΩé中文かナ한ßİ', 'e\u0301', '𝐀'),
    minLength: 500,
    maxLength: 3000,
    size: 'max',
  }),
  fc.string({ unit: fc.constantFrom(...'0123456789'), minLength: 1000, maxLength: 5000, size: 'max' }),
  fc.string({ unit: fc.constantFrom(...'ab1 \n.'), minLength: 1000, maxLength: 5000, size: 'max' }),
);

describe.each(encodings)('countTokens under %s', (encoding) => {
  const reference = getEncoding(encoding);

  it("equals js-tiktoken's encode(text).length for arbitrary Unicode text", async () => {
    const estimator = createTokenEstimator({ encoding });
    await estimator.ready();
    await fc.assert(
      fc.asyncProperty(unicodeText, async (text) => {
        expect(await estimator.countTokens(text)).toBe(reference.encode(text, [], []).length);
      }),
      { numRuns: 1000 },
    );
  });

  it("equals js-tiktoken's count on long runs of letters, mixed scripts and digits", async () => {
    const estimator = createTokenEstimator({ encoding });
    await estimator.ready();
    fc.assert(
      fc.property(longRuns, (text) => {
        expect(estimator.countTokensSync(text)).toBe(reference.encode(text, [], []).length);
      }),
      { numRuns: 20 },
    );
  });

  it('gives the synchronous count once ready', async () => {
    const estimator = createTokenEstimator({ encoding });
    await estimator.ready();
    const text = 'The quick brown fox jumps over the lazy dog. 🦊 狐狸';
    expect(estimator.countTokensSync(text)).toBe(reference.encode(text).length);
  });

  it('counts special-token text as plain text where js-tiktoken would refuse it', async () => {
    const estimator = createTokenEstimator({ encoding });
    const text = 'before <|endoftext|> after';
    expect(() => reference.encode(text)).toThrow();
    expect(await estimator.countTokens(text)).toBe(reference.encode(text, [], []).length);
  });
});

describe('countTokens', () => {
  it('counts empty text as 0', async () => {
    expect(await createTokenEstimator().countTokens('')).toBe(0);
  });

  it('refuses a non-string with an InvalidArgumentError naming the argument', async () => {
    const estimator = createTokenEstimator();
    const error = await estimator.countTokens(42 as unknown as string).catch((caught: unknown) => caught);
    expect(InvalidArgumentError.isInstance(error)).toBe(true);
    expect((error as InvalidArgumentError).argument).toBe('text');
  });

  it('keeps working when its methods are called detached from the estimator', async () => {
    const estimator = createTokenEstimator();
    const { countTokens, ready, countTokensSync } = estimator;
    await ready();
    expect(await countTokens('hello world')).toBe(2);
    expect(['hello world', 'a'].map(countTokensSync)).toEqual([2, 1]);
  });

  it('refuses a logger without a warn method, naming the option', () => {
    expect(() => createTokenEstimator({ logger: {} as never })).toThrow(/options.logger/);
  });

  it('refuses a calibration prior outside 0.2 to 5, naming the family', () => {
    expect(() => createTokenEstimator({ calibrationPriors: { 'claude-opus-4': 9 } })).toThrow(
      /options.calibrationPriors.claude-opus-4/,
    );
  });

  it('refuses a synchronous count before the encoding is ready', () => {
    const estimator = createTokenEstimator({
      loadRankFile: () => new Promise(() => {}),
    });
    expect(() => estimator.countTokensSync('hello')).toThrow(EncodingNotReadyError);
  });

  it('loads the encoding only when first asked', async () => {
    const asked: string[] = [];
    const estimator = createTokenEstimator({
      encoding: 'o200k_base',
      loadRankFile: async (name) => {
        asked.push(name);
        return (await import('js-tiktoken/ranks/o200k_base')).default;
      },
    });
    expect(asked).toEqual([]);
    await estimator.countTokens('hello');
    await estimator.countTokens('again');
    expect(asked).toEqual(['o200k_base']);
  });

  it('falls back to the fast heuristic when the encoding cannot load, and says so', async () => {
    const warnings: unknown[] = [];
    const log = () => {};
    const estimator = createTokenEstimator({
      loadRankFile: async () => {
        throw new Error('no ranks here');
      },
      logger: { debug: log, info: log, error: log, warn: (fields: unknown) => warnings.push(fields) },
    });
    expect(await estimator.countTokens('a'.repeat(40))).toBe(10);
    expect(estimator.status).toBe('fast');
    expect(warnings).toHaveLength(1);
    const estimate = await estimator.estimateRequest({
      model: 'claude-sonnet-4-5',
      max_tokens: 10,
      messages: [{ role: 'user', content: 'hi' }],
    });
    expect(estimate.exact).toBe(false);
  });

  it('never loads an encoding in fast mode', async () => {
    let loads = 0;
    const estimator = createTokenEstimator({
      mode: 'fast',
      loadRankFile: async () => {
        loads += 1;
        throw new Error('unused');
      },
    });
    expect(estimator.countTokensSync('abcdefgh')).toBe(2);
    await estimator.countTokens('abcdefgh');
    expect(loads).toBe(0);
  });
});

describe('pathological inputs', () => {
  const reference = getEncoding('cl100k_base');
  const megabyte = 1_000_000;
  const randomLetters = (length: number) => {
    let state = 12345;
    let text = '';
    for (let index = 0; index < length; index += 1) {
      state = (Math.imul(state, 1103515245) + 12345) >>> 0;
      text += String.fromCharCode(97 + (state % 26));
    }
    return text;
  };

  it.each([
    ['one repeated letter', () => 'a'.repeat(megabyte)],
    ['random letters', () => randomLetters(megabyte)],
    ['spaces', () => ' '.repeat(megabyte)],
    ['punctuation', () => '=-'.repeat(megabyte / 2)],
  ])(
    'counts 1 MB of %s (a single piece js-tiktoken cannot finish) without blowing up',
    async (_name, make) => {
      const estimator = createTokenEstimator();
      const count = await estimator.countTokens(make());
      expect(count).toBeGreaterThan(0);
      expect(count).toBeLessThan(megabyte);
    },
  );

  it.each([
    ['one repeated letter', 'a'],
    ['spaces', ' '],
    ['punctuation', '=-'],
  ])('matches js-tiktoken exactly on 3,000 characters of %s', async (_name, unit) => {
    const text = unit.repeat(Math.ceil(3000 / unit.length));
    expect(await createTokenEstimator().countTokens(text)).toBe(reference.encode(text).length);
  });

  it('matches js-tiktoken exactly on 3,000 random letters', async () => {
    const text = randomLetters(3000);
    expect(await createTokenEstimator().countTokens(text)).toBe(reference.encode(text).length);
  });
});
