import {
  classAt,
  codePointWidth,
  LETTER,
  LOWER_LIKE,
  NEWLINE,
  NUMBER,
  SPACE,
  UPPER_LIKE,
} from './character-classes.js';

/**
 * Finds where the piece that starts at `start` ends. Pieces are what the encoding's split
 * regex would match with `matchAll`; byte-pair merging never crosses them.
 */
export type PieceScanner = (text: string, start: number, length: number) => number;

const apostrophe = 39;
const lowerS = 115;
const lowerT = 116;
const lowerM = 109;
const lowerD = 100;
const lowerR = 114;
const lowerV = 118;
const lowerL = 108;
const lowerE = 101;
const space = 32;
const slash = 47;

/** `'s|'t|'re|'ve|'m|'ll|'d` in any letter case at `index`: the end of the match, or `index`. */
function contractionEnd(text: string, index: number, length: number): number {
  if (index + 1 >= length || text.charCodeAt(index) !== apostrophe) return index;
  // `| 0x20` lower-cases ASCII letters; only the two cases of a letter map onto it.
  const second = text.charCodeAt(index + 1) | 0x20;
  if (second === lowerS || second === lowerT || second === lowerM || second === lowerD) return index + 2;
  if (index + 2 >= length) return index;
  const third = text.charCodeAt(index + 2) | 0x20;
  if (
    (second === lowerR && third === lowerE) ||
    (second === lowerV && third === lowerE) ||
    (second === lowerL && third === lowerL)
  ) {
    return index + 3;
  }
  return index;
}

function isPunctuationLike(flags: number): boolean {
  return (flags & (LETTER | NUMBER | SPACE)) === 0;
}

/** `\p{N}{1,3}` */
function digitsEnd(text: string, index: number, length: number): number {
  let end = index;
  for (let count = 0; count < 3 && end < length && (classAt(text, end) & NUMBER) !== 0; count += 1) {
    end += codePointWidth(text, end);
  }
  return end;
}

/**
 * `[^\s\p{L}\p{N}]+[\r\n]*` (cl100k), or `[^\s\p{L}\p{N}]+[\r\n/]*` when `slashAfter` (o200k),
 * from `index` (which is known to start the run).
 */
function punctuationEnd(text: string, index: number, length: number, slashAfter: boolean): number {
  let end = index;
  while (end < length && isPunctuationLike(classAt(text, end))) end += codePointWidth(text, end);
  while (end < length) {
    const unit = text.charCodeAt(end);
    if (unit !== 10 && unit !== 13 && !(slashAfter && unit === slash)) break;
    end += 1;
  }
  return end;
}

/** `\s*[\r\n]+|\s+(?!\S)|\s+` from `index`, a whitespace code point (always one UTF-16 unit). */
function whitespaceEnd(text: string, index: number, length: number): number {
  let end = index;
  let lastNewline = -1;
  while (end < length) {
    const flags = classAt(text, end);
    if ((flags & SPACE) === 0) break;
    if ((flags & NEWLINE) !== 0) lastNewline = end;
    end += 1;
  }
  // `\s*[\r\n]+`: greedy `\s*` backs off to the last newline of the run.
  if (lastNewline >= 0) return lastNewline + 1;
  // `\s+(?!\S)`: the whole run at the end of the text, else all of it but the last space.
  if (end === length || end - index === 1) return end;
  return end - 1;
}

/**
 * The cl100k_base pattern, by hand:
 * `'s|'t|'re|'ve|'m|'ll|'d` (any case) `|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+`
 */
export const scanCl100kPiece: PieceScanner = (text, start, length) => {
  const contraction = contractionEnd(text, start, length);
  if (contraction !== start) return contraction;
  const flags = classAt(text, start);
  const width = codePointWidth(text, start);
  if ((flags & LETTER) !== 0) return lettersEnd(text, start + width, length);
  if ((flags & (NUMBER | NEWLINE)) === 0 && start + width < length) {
    if ((classAt(text, start + width) & LETTER) !== 0) return lettersEnd(text, start + width, length);
  }
  if ((flags & NUMBER) !== 0) return digitsEnd(text, start, length);
  if (text.charCodeAt(start) === space && start + 1 < length) {
    if (isPunctuationLike(classAt(text, start + 1))) return punctuationEnd(text, start + 1, length, false);
  }
  if (isPunctuationLike(flags)) return punctuationEnd(text, start, length, false);
  return whitespaceEnd(text, start, length);
};

/** `\p{L}*` from `index`. */
function lettersEnd(text: string, index: number, length: number): number {
  let end = index;
  while (end < length && (classAt(text, end) & LETTER) !== 0) end += codePointWidth(text, end);
  return end;
}

/** o200k's `[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]*[\p{Ll}\p{Lm}\p{Lo}\p{M}]+` + contraction from `index`, or -1. */
function lowerWordEnd(text: string, index: number, length: number): number {
  let end = index;
  let lastLowerLikeEnd = -1;
  while (end < length) {
    const flags = classAt(text, end);
    if ((flags & UPPER_LIKE) === 0) break;
    end += codePointWidth(text, end);
    if ((flags & LOWER_LIKE) !== 0) lastLowerLikeEnd = end;
  }
  if (end < length && (classAt(text, end) & LOWER_LIKE) !== 0) {
    while (end < length && (classAt(text, end) & LOWER_LIKE) !== 0) end += codePointWidth(text, end);
    return contractionEnd(text, end, length);
  }
  // The greedy upper-like run backs off until the lower-like part can take one code point.
  if (lastLowerLikeEnd < 0) return -1;
  return contractionEnd(text, lastLowerLikeEnd, length);
}

/** o200k's `[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]+[\p{Ll}\p{Lm}\p{Lo}\p{M}]*` + contraction from `index`, or -1. */
function upperWordEnd(text: string, index: number, length: number): number {
  let end = index;
  while (end < length && (classAt(text, end) & UPPER_LIKE) !== 0) end += codePointWidth(text, end);
  if (end === index) return -1;
  while (end < length && (classAt(text, end) & LOWER_LIKE) !== 0) end += codePointWidth(text, end);
  return contractionEnd(text, end, length);
}

/**
 * The o200k_base pattern, by hand: two word alternatives with an optional leading
 * `[^\r\n\p{L}\p{N}]`, then `\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n/]*|\s*[\r\n]+|\s+(?!\S)|\s+`.
 * Alternatives are tried in the regex's order, each with its optional prefix taken first.
 */
export const scanO200kPiece: PieceScanner = (text, start, length) => {
  const flags = classAt(text, start);
  const width = codePointWidth(text, start);
  const canPrefix = (flags & (LETTER | NUMBER | NEWLINE)) === 0 && start + width < length;
  if ((flags & (UPPER_LIKE | LOWER_LIKE)) !== 0 || canPrefix) {
    let end = canPrefix ? lowerWordEnd(text, start + width, length) : -1;
    if (end < 0) end = lowerWordEnd(text, start, length);
    if (end < 0 && canPrefix) end = upperWordEnd(text, start + width, length);
    if (end < 0) end = upperWordEnd(text, start, length);
    if (end >= 0) return end;
  }
  if ((flags & NUMBER) !== 0) return digitsEnd(text, start, length);
  if (text.charCodeAt(start) === space && start + 1 < length) {
    if (isPunctuationLike(classAt(text, start + 1))) return punctuationEnd(text, start + 1, length, true);
  }
  if (isPunctuationLike(flags)) return punctuationEnd(text, start, length, true);
  return whitespaceEnd(text, start, length);
};

/** A scanner driven by the encoding's own regex: exact for any pattern, at regex speed. */
export function createRegexScanner(pattern: string): PieceScanner {
  const sticky = new RegExp(pattern, 'uy');
  return (text, start) => {
    sticky.lastIndex = start;
    const match = sticky.exec(text);
    if (match === null || sticky.lastIndex === start) return start + codePointWidth(text, start);
    return sticky.lastIndex;
  };
}
