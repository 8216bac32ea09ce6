import fc from 'fast-check';
import { Tiktoken } from 'js-tiktoken/lite';
import cl100kBase from 'js-tiktoken/ranks/cl100k_base';
import { describe, expect, it } from 'vitest';
import { createServerTokenizer, imageBlockTokens } from './server-tokenizer.js';

const cl100k = new Tiktoken(cl100kBase);
const reference = (text: string) => cl100k.encode(text, [], []).length;

describe('createServerTokenizer', () => {
  it('counts text as the cl100k count scaled by the ratio, rounded up', () => {
    fc.assert(
      fc.property(
        fc.string({ maxLength: 150 }),
        fc.double({ min: 0.5, max: 3, noNaN: true }),
        (text, ratio) => {
          const tokenizer = createServerTokenizer({ ratio });
          expect(tokenizer.countText(text)).toBe(Math.ceil(reference(text) * ratio - 1e-9));
        },
      ),
    );
  });

  it('differs from cl100k by default (ratio 1.2)', () => {
    const text = 'The quick brown fox jumps over the lazy dog, again and again and again.';
    expect(createServerTokenizer().countText(text)).toBe(Math.ceil(reference(text) * 1.2));
    expect(createServerTokenizer().countText(text)).toBeGreaterThan(reference(text));
  });

  it('adds a per-message and a per-request overhead and a fixed amount per image', () => {
    const tokenizer = createServerTokenizer({ ratio: 1, messageOverheadTokens: 5, requestOverheadTokens: 9 });
    const request = {
      system: 'Be brief.',
      messages: [
        { role: 'user', content: 'Hello there' },
        { role: 'assistant', content: [{ type: 'text', text: 'General Kenobi' }] },
        {
          role: 'user',
          content: [{ type: 'image', source: { type: 'base64', media_type: 'image/png', data: 'x' } }],
        },
      ],
    };
    expect(tokenizer.countRequest(request)).toBe(
      reference('Be brief.') +
        reference('Hello there') +
        reference('General Kenobi') +
        imageBlockTokens +
        3 * 5 +
        9,
    );
  });

  it('counts long runs without whitespace in slices of 200 characters, so it stays linear', () => {
    const tokenizer = createServerTokenizer({ ratio: 1 });
    const run = 'ab'.repeat(50_000);
    let expected = 0;
    for (let offset = 0; offset < run.length; offset += 200)
      expected += reference(run.slice(offset, offset + 200));
    expect(tokenizer.countText(run)).toBe(expected);
    expect(tokenizer.countText(`hello ${run} world`)).toBe(
      reference('hello ') + expected + reference(' world'),
    );
  });

  it('treats special-token text as ordinary text', () => {
    expect(createServerTokenizer({ ratio: 1 }).countText('<|endoftext|>')).toBe(reference('<|endoftext|>'));
  });
});
