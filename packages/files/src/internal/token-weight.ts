/**
 * A rough cl100k-like token weight per UTF-16 unit, fitted by least squares on prose, Markdown,
 * TypeScript and CJK text: letters 0.23, digits 0.6, spaces 0.02 (they join the next word),
 * tabs 0.1, line ends 0.7, ASCII punctuation 0.46, other 2-byte characters 0.6, 3-byte ones
 * (CJK) 1.3, astral ones (emoji) 3 on the high surrogate. It only aims the chunker's exact
 * counts (scaled by a ratio learnt from them), so it never decides whether a chunk fits.
 * Weights are in hundredths (one table lookup per character).
 */
const unitWeights = new Uint16Array(0x10000);
for (let code = 0; code < 0x10000; code += 1) {
  const isLetter = (code >= 65 && code <= 90) || (code >= 97 && code <= 122);
  const isDigit = code >= 48 && code <= 57;
  let weight: number;
  if (code >= 128) {
    if (code < 0x800) weight = 60;
    else if (code >= 0xd800 && code <= 0xdbff) weight = 300;
    else if (code >= 0xdc00 && code <= 0xdfff) weight = 0;
    else weight = 130;
  } else if (isLetter) weight = 23;
  else if (isDigit) weight = 60;
  else if (code === 32) weight = 2;
  else if (code === 9) weight = 10;
  else if (code === 10 || code === 13) weight = 70;
  else weight = 46;
  unitWeights[code] = weight;
}

/**
 * Prefix sums of the weights over the current window of the chunker, computed once per
 * character as far as they are needed: `values[i]` is the weight of `text[0, i)`, so every
 * weight is a difference and every search a binary search.
 */
export class PrefixWeights {
  private values = new Float64Array(4096);
  /** `values[0..end]` are valid. */
  private end = 0;

  /** Makes `values[position]` valid (`position <= text.length`). */
  private extendTo(text: string, position: number): void {
    if (position <= this.end) return;
    if (position >= this.values.length) {
      let length = this.values.length * 2;
      while (length <= position) length *= 2;
      const grown = new Float64Array(length);
      grown.set(this.values.subarray(0, this.end + 1));
      this.values = grown;
    }
    const values = this.values;
    let sum = values[this.end]!;
    for (let index = this.end; index < position; index += 1) {
      sum += unitWeights[text.charCodeAt(index)]!;
      values[index + 1] = sum;
    }
    this.end = position;
  }

  /** The weight of `text[start, end)`. */
  weight(text: string, start: number, end: number): number {
    this.extendTo(text, end);
    return (this.values[end]! - this.values[start]!) / 100;
  }

  /** The first position in `[0, limit]` where the weight of `text[0, p)` reaches `weight` (else `limit`). */
  advance(text: string, limit: number, weight: number): number {
    const goal = weight * 100;
    // Walk on from what is known, a stretch at a time, until the goal is passed.
    while (this.end < limit && this.values[this.end]! < goal) {
      this.extendTo(text, Math.min(limit, this.end + 1024));
    }
    const high = Math.min(this.end, limit);
    if (this.values[high]! < goal) return limit;
    let low = 0;
    let top = high;
    while (low < top) {
      const middle = (low + top) >>> 1;
      if (this.values[middle]! >= goal) top = middle;
      else low = middle + 1;
    }
    return low;
  }

  /** The last position in `[floor, end]` where the weight of `text[p, end)` reaches `weight` (else `floor`). */
  retreat(text: string, end: number, floor: number, weight: number): number {
    this.extendTo(text, end);
    const goal = this.values[end]! - weight * 100;
    if (this.values[floor]! > goal) return floor;
    // The last position whose prefix is at most the goal (prefixes never decrease).
    let low = floor;
    let high = end;
    while (low < high) {
      const middle = (low + high + 1) >>> 1;
      if (this.values[middle]! <= goal) low = middle;
      else high = middle - 1;
    }
    return low;
  }

  /** The window changed its start: forget everything (each chunk is weighed afresh). */
  reset(): void {
    this.end = 0;
  }
}
