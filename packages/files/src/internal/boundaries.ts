import type { ChunkFormat } from '../chunk.js';

/** How a chunk boundary reads, best last. */
export const BoundaryRank = {
  hard: 0,
  word: 1,
  sentence: 2,
  line: 3,
  blankLine: 4,
  block: 5,
} as const;

const sentenceEnders = new Set(['.', '!', '?', '…', '。', '！', '？']);

function isWhitespaceCode(code: number): boolean {
  return (
    code === 32 || code === 9 || code === 10 || code === 13 || code === 12 || code === 11 || code === 0x3000
  );
}

function isBlankLineBefore(text: string, position: number): boolean {
  // `position` follows a '\n'; the line it ends is blank when the character before that
  // newline (skipping one '\r') is another newline.
  let index = position - 2;
  if (text.charCodeAt(index) === 13) index -= 1;
  return index >= 0 && text.charCodeAt(index) === 10;
}

function isFenceAt(text: string, position: number): boolean {
  return text.startsWith('```', position) || text.startsWith('~~~', position);
}

function isHeadingAt(text: string, position: number): boolean {
  let index = position;
  while (index < position + 6 && text.charCodeAt(index) === 35) index += 1;
  if (index === position) return false;
  const after = text.charCodeAt(index);
  return after === 32 || after === 9;
}

function previousLineStart(text: string, position: number): number {
  return text.lastIndexOf('\n', position - 2) + 1;
}

/** The rank of a cut at `position`, which follows a '\n'. */
export function rankLineBoundary(text: string, position: number, format: ChunkFormat): number {
  const blankBefore = isBlankLineBefore(text, position);
  if (format === 'markdown') {
    if (isHeadingAt(text, position)) return BoundaryRank.block;
    if (blankBefore && isFenceAt(text, position)) return BoundaryRank.block;
    if (isFenceAt(text, previousLineStart(text, position)) && text.charCodeAt(position) === 10) {
      return BoundaryRank.block;
    }
  } else if (format === 'source' && blankBefore) {
    const next = text.charCodeAt(position);
    if (!Number.isNaN(next) && !isWhitespaceCode(next) && next !== 125 && next !== 41 && next !== 93) {
      return BoundaryRank.block;
    }
  }
  return blankBefore ? BoundaryRank.blankLine : BoundaryRank.line;
}

/** Moves a hard cut back so it never splits a surrogate pair or a CRLF. */
export function safeCut(text: string, position: number): number {
  let cut = position;
  const before = text.charCodeAt(cut - 1);
  if (before >= 0xd800 && before <= 0xdbff) cut -= 1;
  if (text.charCodeAt(cut - 1) === 13 && text.charCodeAt(cut) === 10) cut -= 1;
  return cut;
}

/**
 * The best cut in `(low, high]` of `text` (a chunk is `text.slice(0, cut)`): the last cut of
 * the best rank present, searching Markdown/source blocks, blank lines, line ends, sentence
 * ends, words, and finally a hard cut at `high` that respects surrogate pairs and CRLF.
 * `text[high]` must exist unless `high === text.length` at the end of the input.
 */
export function chooseCut(text: string, low: number, high: number, format: ChunkFormat): number {
  let best = -1;
  let bestRank = -1;
  let newline = text.lastIndexOf('\n', high - 1);
  while (newline >= 0 && newline + 1 > low) {
    const position = newline + 1;
    const rank = rankLineBoundary(text, position, format);
    if (rank > bestRank) {
      best = position;
      bestRank = rank;
      if (rank === BoundaryRank.block) break;
    }
    newline = text.lastIndexOf('\n', newline - 1);
  }
  if (best > 0) return best;
  let word = -1;
  for (let position = high; position > low; position -= 1) {
    const code = text.charCodeAt(position);
    const previous = text.charCodeAt(position - 1);
    if (!isWhitespaceCode(previous)) {
      if (sentenceEnders.has(text[position - 1]!) && previous > 0x2fff && !isWhitespaceCode(code)) {
        return position; // CJK full stops need no space after them
      }
      continue;
    }
    if (Number.isNaN(code) || isWhitespaceCode(code)) continue;
    let index = position - 1;
    while (index > 0 && isWhitespaceCode(text.charCodeAt(index))) index -= 1;
    if (sentenceEnders.has(text[index]!)) return position;
    if (word < 0) word = position;
  }
  if (word > 0) return word;
  return safeCut(text, high);
}

/**
 * The first cut at or after `from` and before `limit` where a word starts (a reader's place
 * to begin an overlap), or `from` made safe when there is none.
 */
export function nextWordStart(text: string, from: number, limit: number): number {
  for (let position = Math.max(from, 1); position < limit; position += 1) {
    if (isWhitespaceCode(text.charCodeAt(position - 1)) && !isWhitespaceCode(text.charCodeAt(position))) {
      return position;
    }
  }
  let cut = from;
  const code = text.charCodeAt(cut);
  if (code >= 0xdc00 && code <= 0xdfff) cut += 1;
  if (text.charCodeAt(cut - 1) === 13 && text.charCodeAt(cut) === 10) cut += 1;
  return cut;
}

/** Number of '\n' in `text[start, end)`. */
export function countNewlines(text: string, start: number, end: number): number {
  let count = 0;
  let index = text.indexOf('\n', start);
  while (index >= 0 && index < end) {
    count += 1;
    index = text.indexOf('\n', index + 1);
  }
  return count;
}
