import { invalidArgument, throwIfAborted } from '@bulwark/core/internal';
import type { Chunk } from '../chunk.js';
import { type ChunkFormat, chooseCut, countNewlines, nextWordStart } from './boundaries.js';
import type { CountTokens } from './counter.js';
import { detachString } from './detach-string.js';
import { PrefixWeights } from './token-weight.js';

export interface ChunkEngineOptions {
  maxTokens: number;
  overlapTokens: number;
  count: CountTokens;
  format: ChunkFormat;
  byteLength: (text: string) => number;
  /** Byte offset of the first character (the BOM's length for a file that has one). */
  firstByte: number;
  signal: AbortSignal | undefined;
  /** The most characters one chunk may span, whatever the estimator says. */
  maxChunkChars: number;
}

/** Bounds of the learnt ratio of exact tokens to weight (`PrefixWeights`), against odd estimators. */
const minTokensPerWeight = 1e-3;
const maxTokensPerWeight = 1e3;
/** Aim a little under the budget so the first exact count usually fits. */
const aim = 0.97;
/** The overlap aims at the middle of what it accepts (90 % to 100 % of `overlapTokens`). */
const overlapAim = 0.95;
/** A fitting chunk below this share of the budget, cut short by a too-small search window, is grown. */
const wellFilled = 0.9;
const maxFitAttempts = 6;

/**
 * Cuts a stream of text pieces into chunks of at most `maxTokens`, holding only the current
 * chunk (plus one piece) in memory. Each candidate is counted exactly once; the search window
 * for a cut comes from a per-character weight (CJK and punctuation weigh more than letters)
 * scaled by the ratio of exact tokens to weight learnt from the last count, so a chunk usually
 * costs one count of its own text and its overlap one small count.
 */
export async function* chunkPieces(
  pieces: AsyncIterable<string> | Iterable<string>,
  options: ChunkEngineOptions,
): AsyncGenerator<Chunk> {
  const { maxTokens, overlapTokens, count, format, byteLength, signal, maxChunkChars } = options;
  const iterator =
    Symbol.asyncIterator in pieces
      ? (pieces as AsyncIterable<string>)[Symbol.asyncIterator]()
      : (pieces as Iterable<string>)[Symbol.iterator]();
  let text = '';
  let eof = false;
  let baseByte = options.firstByte;
  let baseLine = 1;
  let newFrom = 0; // characters at the start of `text` that repeat the previous chunk
  let overlapBytes = 0;
  let index = 0;
  // Exact tokens per unit of weight, learnt from every count: it aims the next one.
  let tokensPerWeight = 1;
  let overlapBias = 1;
  const weights = new PrefixWeights();
  const learn = (tokens: number, start: number, end: number): number => {
    const weight = weights.weight(text, start, end);
    if (tokens > 0 && weight > 0) {
      tokensPerWeight = Math.min(maxTokensPerWeight, Math.max(minTokensPerWeight, tokens / weight));
    }
    return tokensPerWeight;
  };

  const fill = async (minLength: number): Promise<void> => {
    while (!eof && text.length < minLength) {
      throwIfAborted(signal);
      const next = await iterator.next();
      if (next.done) eof = true;
      else text += next.value;
    }
  };
  /** Where `text[0, p)` is predicted to hold `tokens`, reading more text when it runs out. */
  const aimFor = async (tokens: number): Promise<number> => {
    const weight = tokens / tokensPerWeight;
    for (;;) {
      const limit = Math.min(text.length, maxChunkChars);
      const position = weights.advance(text, limit, weight);
      if (position < limit || eof || limit === maxChunkChars) return position;
      await fill(Math.min(maxChunkChars, text.length * 2));
    }
  };
  const drop = (characters: number): void => {
    if (characters === 0) return;
    const dropped = text.slice(0, characters);
    weights.reset();
    baseByte += byteLength(dropped);
    baseLine += countNewlines(dropped, 0, dropped.length);
    text = text.slice(characters);
  };
  const unitAfter = (position: number): number => {
    let end = position + 1;
    const code = text.charCodeAt(position);
    if (code >= 0xd800 && code <= 0xdbff) end += 1;
    if (code === 13 && text.charCodeAt(position + 1) === 10) end += 1;
    return end;
  };

  for (;;) {
    throwIfAborted(signal);
    await fill(newFrom + 1);
    if (text.length <= newFrom) return;

    let best: { cut: number; tokens: number; text: string } | undefined;
    let target = Math.max(newFrom + 1, await aimFor(maxTokens * aim));
    for (let attempt = 0; ; attempt += 1) {
      target = Math.min(target, maxChunkChars);
      await fill(target + 2);
      let high = Math.min(target, text.length);
      if (!eof && high >= text.length) high = text.length - 1;
      const atEnd = eof && high === text.length;
      let cut = atEnd ? high : chooseCut(text, Math.max(newFrom, Math.floor(high / 2)), high, format);
      if (cut <= newFrom) cut = Math.min(unitAfter(newFrom), text.length);
      // Counted as a copy: an estimator that caches pieces of what it counts (as
      // @bulwark/tokens does) would otherwise keep the whole window alive through them.
      const candidate = detachString(text.slice(0, cut));
      const tokens = await count(candidate);
      const ratio = learn(tokens, 0, cut);
      if (tokens > maxTokens) {
        if (best) break;
        if (cut <= unitAfter(newFrom)) {
          if (newFrom === 0) {
            throw invalidArgument(
              'maxTokens',
              `large enough to hold one character (${tokens} tokens at byte ${baseByte})`,
              maxTokens,
            );
          }
          // The overlap leaves no room for the next character: drop the overlap.
          drop(newFrom);
          newFrom = 0;
          overlapBytes = 0;
          target = Math.max(1, await aimFor(maxTokens * aim));
          continue;
        }
        const shrunk = weights.advance(text, cut, (maxTokens * aim) / ratio);
        target =
          shrunk > newFrom && shrunk < cut ? shrunk : newFrom + Math.max(1, Math.floor((cut - newFrom) / 2));
        continue;
      }
      if (!best || cut > best.cut) best = { cut, tokens, text: candidate };
      const projected = ratio * weights.weight(text, 0, high);
      const windowWasEnough = atEnd || projected >= maxTokens * wellFilled || high >= maxChunkChars;
      if (windowWasEnough || attempt >= maxFitAttempts) break;
      target = Math.max(await aimFor(maxTokens * aim), high + 1);
    }

    const { cut, tokens, text: chunkText } = best;
    const chunkBytes = byteLength(chunkText);
    const innerNewlines = countNewlines(text, 0, cut - 1);
    yield {
      index,
      text: chunkText,
      tokenCount: tokens,
      byteStart: baseByte,
      byteEnd: baseByte + chunkBytes,
      lineStart: baseLine,
      lineEnd: baseLine + innerNewlines,
      overlapBytes,
    };
    index += 1;
    await fill(cut + 1);
    if (eof && cut === text.length) return;

    // The next chunk starts with the overlap [start, cut): only that part is measured again.
    let start = cut;
    if (overlapTokens > 0) {
      const found = await overlapStart(
        text,
        cut,
        overlapTokens,
        tokensPerWeight * overlapBias,
        weights,
        count,
      );
      start = found.start;
      // The end of a chunk (a blank line, a heading) does not weigh like its whole: learn how
      // the ratio measured on overlaps differs from the chunks' own.
      if (found.ratio !== undefined) {
        overlapBias = 0.7 * overlapBias + (0.3 * found.ratio) / tokensPerWeight;
      }
    }
    overlapBytes = start < cut ? byteLength(text.slice(start, cut)) : 0;
    const chunkNewlines = innerNewlines + (text.charCodeAt(cut - 1) === 10 ? 1 : 0);
    baseByte += chunkBytes - overlapBytes;
    baseLine += chunkNewlines - countNewlines(text, start, cut);
    text = text.slice(start);
    weights.reset();
    newFrom = cut - start;
  }
}

/**
 * Where the overlap before `cut` starts: the earliest word start whose text up to `cut`
 * counts at most `overlapTokens`, aimed by the weights and `tokensPerWeight`, so it usually
 * takes one count; also the ratio its first count measured.
 */
async function overlapStart(
  text: string,
  cut: number,
  overlapTokens: number,
  tokensPerWeight: number,
  weights: PrefixWeights,
  count: CountTokens,
): Promise<{ start: number; ratio: number | undefined }> {
  let best = cut;
  let ratio = tokensPerWeight;
  let firstRatio: number | undefined;
  let guess = weights.retreat(text, cut, 1, (overlapTokens * overlapAim) / ratio);
  let previous = -1;
  for (let attempt = 0; attempt < 5; attempt += 1) {
    const start = nextWordStart(text, Math.max(1, guess), cut);
    if (start >= cut || start === previous) break;
    previous = start;
    const tokens = await count(detachString(text.slice(start, cut)));
    const weight = weights.weight(text, start, cut);
    if (tokens > 0 && weight > 0) ratio = tokens / weight;
    firstRatio ??= ratio;
    const aimed = weights.retreat(text, cut, 1, (overlapTokens * overlapAim) / ratio);
    if (tokens <= overlapTokens) {
      if (start < best) best = start;
      if (tokens >= overlapTokens * wellFilled || start <= 1 || aimed >= start) break;
      guess = aimed;
    } else {
      guess = aimed > start ? aimed : start + 1;
    }
  }
  return { start: best, ratio: firstRatio };
}
