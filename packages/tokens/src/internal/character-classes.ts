/**
 * Character classes of the cl100k and o200k split patterns, as bit flags, so the hand-written
 * pre-tokenizers classify a code point with one table lookup instead of a regex. The flags are
 * computed with the very Unicode property escapes the patterns use, so they agree with the
 * regex engine of the runtime by construction.
 */

/** `\p{L}` */
export const LETTER = 1;
/** `\p{N}` */
export const NUMBER = 2;
/** `\s` */
export const SPACE = 4;
/** `\r` or `\n` */
export const NEWLINE = 8;
/** o200k's `[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]` */
export const UPPER_LIKE = 16;
/** o200k's `[\p{Ll}\p{Lm}\p{Lo}\p{M}]` */
export const LOWER_LIKE = 32;

const computed = 128;

const letterPattern = /^\p{L}$/u;
const numberPattern = /^\p{N}$/u;
const spacePattern = /^\s$/u;
const upperLikePattern = /^[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]$/u;
const lowerLikePattern = /^[\p{Ll}\p{Lm}\p{Lo}\p{M}]$/u;

function classify(codePoint: number): number {
  // A lone surrogate is a code point of its own for a `u` regex and belongs to no class.
  if (codePoint >= 0xd800 && codePoint <= 0xdfff) return 0;
  const character = String.fromCodePoint(codePoint);
  let flags = 0;
  if (letterPattern.test(character)) flags |= LETTER;
  if (numberPattern.test(character)) flags |= NUMBER;
  if (spacePattern.test(character)) flags |= SPACE;
  if (codePoint === 10 || codePoint === 13) flags |= NEWLINE;
  if (upperLikePattern.test(character)) flags |= UPPER_LIKE;
  if (lowerLikePattern.test(character)) flags |= LOWER_LIKE;
  return flags;
}

// The Basic Multilingual Plane is classified lazily into 64 KiB; astral code points, rare in
// text, go through a small map.
const basicPlane = new Uint8Array(0x10000);
const astral = new Map<number, number>();

for (let codePoint = 0; codePoint < 128; codePoint += 1)
  basicPlane[codePoint] = classify(codePoint) | computed;

/** The class flags of the code point starting at `index` (see `codePointWidth`). */
export function classAt(text: string, index: number): number {
  const unit = text.charCodeAt(index);
  if (unit < 0xd800 || unit > 0xdbff) {
    const cached = basicPlane[unit]!;
    if (cached !== 0) return cached & ~computed;
    const flags = classify(unit);
    basicPlane[unit] = flags | computed;
    return flags;
  }
  const low = text.charCodeAt(index + 1);
  if (!(low >= 0xdc00 && low <= 0xdfff)) return 0;
  const codePoint = (unit - 0xd800) * 0x400 + (low - 0xdc00) + 0x10000;
  let flags = astral.get(codePoint);
  if (flags === undefined) {
    flags = classify(codePoint);
    if (astral.size < 65_536) astral.set(codePoint, flags);
  }
  return flags;
}

/** 2 for a surrogate pair at `index`, else 1 (a `u` regex steps by code points). */
export function codePointWidth(text: string, index: number): number {
  const unit = text.charCodeAt(index);
  if (unit < 0xd800 || unit > 0xdbff) return 1;
  const low = text.charCodeAt(index + 1);
  return low >= 0xdc00 && low <= 0xdfff ? 2 : 1;
}
