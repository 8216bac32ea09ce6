import { invalidArgument, throwIfAborted } from '@bulwark/core';
import type { Chunk } from '../chunk.js';
import { type ChunkFormat, chooseCut, countNewlines, nextWordStart } from './boundaries.js';
import type { CountTokens } from './counter.js';

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

/** The first guess of characters per token, before the text has taught a better one. */
const initialCharsPerToken = 4;
/** Aim a little under the budget so the first exact count usually fits. */
const aim = 0.97;
/** A fitting chunk below this share of the budget, cut short by a too-small search window, is grown. */
const wellFilled = 0.9;
const maxFitAttempts = 6;

/**
 * Cuts a stream of text pieces into chunks of at most `maxTokens`, holding only the current
 * chunk (plus one piece) in memory. Each candidate is counted exactly once; the search window
 * for a cut comes from a running chars-per-token ratio, so a chunk usually costs one count of
 * its own text (two when the first guess overshoots), and the overlap a few small counts.
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
  let charsPerToken = initialCharsPerToken;

  const fill = async (minLength: number): Promise<void> => {
    while (!eof && text.length < minLength) {
      throwIfAborted(signal);
      const next = await iterator.next();
      if (next.done) eof = true;
      else text += next.value;
    }
  };
  const drop = (characters: number): void => {
    if (characters === 0) return;
    const dropped = text.slice(0, characters);
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

    let best: { cut: number; tokens: number } | undefined;
    let target = Math.max(newFrom + 1, Math.floor(maxTokens * charsPerToken * aim));
    for (let attempt = 0; ; attempt += 1) {
      target = Math.min(target, maxChunkChars);
      await fill(target + 2);
      let high = Math.min(target, text.length);
      if (!eof && high >= text.length) high = text.length - 1;
      const atEnd = eof && high === text.length;
      let cut = atEnd ? high : chooseCut(text, Math.max(newFrom, Math.floor(high / 2)), high, format);
      if (cut <= newFrom) cut = Math.min(unitAfter(newFrom), text.length);
      const tokens = await count(text.slice(0, cut));
      if (tokens > 0) charsPerToken = Math.max(0.25, cut / tokens);
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
          target = Math.max(1, Math.floor(maxTokens * charsPerToken * aim));
          continue;
        }
        const shrunk = Math.floor((cut * maxTokens * aim) / tokens);
        target =
          shrunk > newFrom && shrunk < cut ? shrunk : newFrom + Math.max(1, Math.floor((cut - newFrom) / 2));
        continue;
      }
      if (!best || cut > best.cut) best = { cut, tokens };
      const projected = tokens > 0 ? (tokens * high) / cut : 0;
      const windowWasEnough = atEnd || projected >= maxTokens * wellFilled || high >= maxChunkChars;
      if (windowWasEnough || attempt >= maxFitAttempts) break;
      const grown = projected > 0 ? Math.floor((high * maxTokens * aim) / projected) : high * 2;
      target = Math.max(grown, high + 1);
    }

    const { cut, tokens } = best;
    const chunkText = text.slice(0, cut);
    const chunkBytes = byteLength(chunkText);
    yield {
      index,
      text: chunkText,
      tokenCount: tokens,
      byteStart: baseByte,
      byteEnd: baseByte + chunkBytes,
      lineStart: baseLine,
      lineEnd: baseLine + countNewlines(chunkText, 0, chunkText.length - 1),
      overlapBytes,
    };
    index += 1;
    await fill(cut + 1);
    if (eof && cut === text.length) return;

    const start =
      overlapTokens > 0 ? await overlapStart(text, cut, overlapTokens, charsPerToken, count) : cut;
    drop(start);
    newFrom = cut - start;
    overlapBytes = byteLength(text.slice(0, newFrom));
  }
}

/**
 * Where the overlap before `cut` starts: the earliest word start whose text up to `cut`
 * counts at most `overlapTokens`, found from the chars-per-token ratio in a few counts.
 */
async function overlapStart(
  text: string,
  cut: number,
  overlapTokens: number,
  charsPerToken: number,
  count: CountTokens,
): Promise<number> {
  let best = cut;
  let guess = cut - Math.ceil(overlapTokens * charsPerToken);
  for (let attempt = 0; attempt < 5; attempt += 1) {
    const start = nextWordStart(text, Math.max(1, guess), cut);
    if (start >= cut) break;
    const tokens = await count(text.slice(start, cut));
    if (tokens <= overlapTokens) {
      if (start < best) best = start;
      if (tokens >= overlapTokens * wellFilled || start <= 1) break;
      const next = cut - Math.floor(((cut - start) * overlapTokens * aim) / Math.max(tokens, 1));
      if (next >= start) break;
      guess = next;
    } else {
      const next = cut - Math.floor(((cut - start) * overlapTokens * aim) / tokens);
      guess = next > start ? next : start + 1;
    }
  }
  return best;
}
