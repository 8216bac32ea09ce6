import { invalidArgument, throwIfAborted } from '@bulwark/core/internal';
import type { Chunk, ChunkFormat } from '../chunk.js';
import { chooseCut, countNewlines, nextWordStart } from './boundaries.js';
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
export function chunkPieces(
  pieces: AsyncIterable<string> | Iterable<string>,
  options: ChunkEngineOptions,
): AsyncGenerator<Chunk> {
  return new ChunkCutter(pieces, options).chunks();
}

/** A chunk's text and exact count, cut at `cut` characters into the window. */
interface Candidate {
  cut: number;
  tokens: number;
  text: string;
}

/**
 * The window of text the next chunk is cut from, and what the cutter has learnt so far. The
 * window starts at the previous chunk's overlap: its first `newFrom` characters repeat the
 * previous chunk, and `baseByte` / `baseLine` are where it starts in the source.
 */
class ChunkCutter {
  private readonly iterator: AsyncIterator<string> | Iterator<string>;
  private readonly weights = new PrefixWeights();
  private text = '';
  private eof = false;
  private baseByte: number;
  private baseLine = 1;
  /** Characters at the start of `text` that repeat the previous chunk. */
  private newFrom = 0;
  private overlapBytes = 0;
  private index = 0;
  /** Exact tokens per unit of weight, learnt from every count: it aims the next one. */
  private tokensPerWeight = 1;
  /** How the ratio measured on overlaps differs from the chunks' own. */
  private overlapBias = 1;
  /** The bytes and inner newlines of the chunk last yielded (the caller may change the object). */
  private chunkBytes = 0;
  private innerNewlines = 0;

  constructor(
    pieces: AsyncIterable<string> | Iterable<string>,
    private readonly options: ChunkEngineOptions,
  ) {
    this.iterator =
      Symbol.asyncIterator in pieces
        ? (pieces as AsyncIterable<string>)[Symbol.asyncIterator]()
        : (pieces as Iterable<string>)[Symbol.iterator]();
    this.baseByte = options.firstByte;
  }

  async *chunks(): AsyncGenerator<Chunk> {
    for (;;) {
      throwIfAborted(this.options.signal);
      await this.fill(this.newFrom + 1);
      if (this.text.length <= this.newFrom) return;
      const best = await this.bestCut();
      yield this.chunkOf(best);
      this.index += 1;
      await this.fill(best.cut + 1);
      if (this.eof && best.cut === this.text.length) return;
      await this.moveToOverlap(best.cut);
    }
  }

  /** The longest candidate that fits, found in a few counts (usually one). */
  private async bestCut(): Promise<Candidate> {
    const { maxTokens, maxChunkChars, count } = this.options;
    let best: Candidate | undefined;
    let target = Math.max(this.newFrom + 1, await this.aimFor(maxTokens * aim));
    for (let attempt = 0; ; attempt += 1) {
      target = Math.min(target, maxChunkChars);
      await this.fill(target + 2);
      const text = this.text;
      let high = Math.min(target, text.length);
      if (!this.eof && high >= text.length) high = text.length - 1;
      const atEnd = this.eof && high === text.length;
      const cut = this.cutBelow(high, atEnd);
      // Counted as a copy: an estimator that caches pieces of what it counts (as
      // @bulwark/tokens does) would otherwise keep the whole window alive through them.
      const candidate = detachString(text.slice(0, cut));
      const tokens = await count(candidate);
      const ratio = this.learn(tokens, 0, cut);
      if (tokens > maxTokens) {
        if (best) return best;
        target = await this.shrinkTarget(cut, tokens, ratio);
        continue;
      }
      if (!best || cut > best.cut) best = { cut, tokens, text: candidate };
      const projected = ratio * this.weights.weight(text, 0, high);
      const windowWasEnough = atEnd || projected >= maxTokens * wellFilled || high >= maxChunkChars;
      if (windowWasEnough || attempt >= maxFitAttempts) return best;
      target = Math.max(await this.aimFor(maxTokens * aim), high + 1);
    }
  }

  /** The best boundary in the second half of `text[newFrom, high)`, or at least one whole unit. */
  private cutBelow(high: number, atEnd: boolean): number {
    const { text, newFrom } = this;
    const cut = atEnd
      ? high
      : chooseCut(text, Math.max(newFrom, Math.floor(high / 2)), high, this.options.format);
    return cut <= newFrom ? Math.min(this.unitAfter(newFrom), text.length) : cut;
  }

  /**
   * The next target after a candidate over budget: aimed by the learnt ratio, else halfway.
   * When not even one character fits after the overlap, the overlap is dropped.
   */
  private async shrinkTarget(cut: number, tokens: number, ratio: number): Promise<number> {
    const { maxTokens } = this.options;
    const newFrom = this.newFrom;
    if (cut <= this.unitAfter(newFrom)) {
      if (newFrom === 0) {
        throw invalidArgument(
          'maxTokens',
          `large enough to hold one character (${tokens} tokens at byte ${this.baseByte})`,
          maxTokens,
        );
      }
      this.drop(newFrom);
      this.newFrom = 0;
      this.overlapBytes = 0;
      return Math.max(1, await this.aimFor(maxTokens * aim));
    }
    const shrunk = this.weights.advance(this.text, cut, (maxTokens * aim) / ratio);
    return shrunk > newFrom && shrunk < cut ? shrunk : newFrom + Math.max(1, Math.floor((cut - newFrom) / 2));
  }

  /** The chunk `best` describes, with its provenance. */
  private chunkOf(best: Candidate): Chunk {
    this.chunkBytes = this.options.byteLength(best.text);
    this.innerNewlines = countNewlines(this.text, 0, best.cut - 1);
    return {
      index: this.index,
      text: best.text,
      tokenCount: best.tokens,
      byteStart: this.baseByte,
      byteEnd: this.baseByte + this.chunkBytes,
      lineStart: this.baseLine,
      lineEnd: this.baseLine + this.innerNewlines,
      overlapBytes: this.overlapBytes,
    };
  }

  /** Starts the next window at the overlap before `cut`: only that part is measured again. */
  private async moveToOverlap(cut: number): Promise<void> {
    const { overlapTokens, count, byteLength } = this.options;
    const text = this.text;
    let start = cut;
    if (overlapTokens > 0) {
      const aimedRatio = this.tokensPerWeight * this.overlapBias;
      const found = await overlapStart(text, cut, overlapTokens, aimedRatio, this.weights, count);
      start = found.start;
      // The end of a chunk (a blank line, a heading) does not weigh like its whole: learn how
      // the ratio measured on overlaps differs from the chunks' own.
      if (found.ratio !== undefined) {
        this.overlapBias = 0.7 * this.overlapBias + (0.3 * found.ratio) / this.tokensPerWeight;
      }
    }
    this.overlapBytes = start < cut ? byteLength(text.slice(start, cut)) : 0;
    const chunkNewlines = this.innerNewlines + (text.charCodeAt(cut - 1) === 10 ? 1 : 0);
    this.baseByte += this.chunkBytes - this.overlapBytes;
    this.baseLine += chunkNewlines - countNewlines(text, start, cut);
    this.text = text.slice(start);
    this.weights.reset();
    this.newFrom = cut - start;
  }

  /** Learns the ratio of exact tokens to weight from a count of `text[start, end)`. */
  private learn(tokens: number, start: number, end: number): number {
    const weight = this.weights.weight(this.text, start, end);
    if (tokens > 0 && weight > 0) {
      this.tokensPerWeight = Math.min(maxTokensPerWeight, Math.max(minTokensPerWeight, tokens / weight));
    }
    return this.tokensPerWeight;
  }

  /** Reads pieces until the window holds `minLength` characters or the source ends. */
  private async fill(minLength: number): Promise<void> {
    while (!this.eof && this.text.length < minLength) {
      throwIfAborted(this.options.signal);
      const next = await this.iterator.next();
      if (next.done) this.eof = true;
      else this.text += next.value;
    }
  }

  /** Where `text[0, p)` is predicted to hold `tokens`, reading more text when it runs out. */
  private async aimFor(tokens: number): Promise<number> {
    const maxChunkChars = this.options.maxChunkChars;
    const weight = tokens / this.tokensPerWeight;
    for (;;) {
      const limit = Math.min(this.text.length, maxChunkChars);
      const position = this.weights.advance(this.text, limit, weight);
      if (position < limit || this.eof || limit === maxChunkChars) return position;
      await this.fill(Math.min(maxChunkChars, this.text.length * 2));
    }
  }

  /** Drops the first `characters` of the window, moving its start in the source. */
  private drop(characters: number): void {
    if (characters === 0) return;
    const dropped = this.text.slice(0, characters);
    this.weights.reset();
    this.baseByte += this.options.byteLength(dropped);
    this.baseLine += countNewlines(dropped, 0, dropped.length);
    this.text = this.text.slice(characters);
  }

  /** The end of the unit at `position`: a surrogate pair and a CRLF are never split. */
  private unitAfter(position: number): number {
    let end = position + 1;
    const code = this.text.charCodeAt(position);
    if (code >= 0xd800 && code <= 0xdbff) end += 1;
    if (code === 13 && this.text.charCodeAt(position + 1) === 10) end += 1;
    return end;
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
