import { Tiktoken } from 'js-tiktoken/lite';
import cl100kBase from 'js-tiktoken/ranks/cl100k_base';

let encoding: Tiktoken | undefined;
const cache = new Map<string, number>();
const cacheLimit = 4096;
const cachedTextLimit = 200_000;
/**
 * BPE inside one pre-token is quadratic in its length, so a long run without whitespace is
 * counted in slices of this many characters. It is part of the mock's tokenizer definition.
 */
const maximumRunLength = 200;
const longRun = new RegExp(`\\S{${maximumRunLength + 1},}`, 'g');

function encodedLength(text: string): number {
  encoding ??= new Tiktoken(cl100kBase);
  return encoding.encode(text, [], []).length;
}

function countUncached(text: string): number {
  if (text.length <= maximumRunLength) return encodedLength(text);
  let total = 0;
  let start = 0;
  longRun.lastIndex = 0;
  for (let match = longRun.exec(text); match; match = longRun.exec(text)) {
    if (match.index > start) total += encodedLength(text.slice(start, match.index));
    for (let offset = 0; offset < match[0].length; offset += maximumRunLength) {
      total += encodedLength(match[0].slice(offset, offset + maximumRunLength));
    }
    start = match.index + match[0].length;
  }
  if (start < text.length) total += encodedLength(text.slice(start));
  return total;
}

/** The cl100k token count of `text` (long whitespace-free runs sliced), cached. */
export function getCl100kCount(text: string): number {
  if (text.length === 0) return 0;
  const cached = cache.get(text);
  if (cached !== undefined) return cached;
  const count = countUncached(text);
  if (text.length <= cachedTextLimit) {
    if (cache.size >= cacheLimit) {
      const oldest = cache.keys().next();
      if (!oldest.done) cache.delete(oldest.value);
    }
    cache.set(text, count);
  }
  return count;
}
