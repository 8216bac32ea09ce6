const hashBase = 0x01000193;
const space = 32;
const newline = 10;

const base64Values = new Int8Array(128).fill(-1);
const base64Alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
for (let index = 0; index < base64Alphabet.length; index += 1) {
  base64Values[base64Alphabet.charCodeAt(index)] = index;
}

/** The slot of a 32-bit token hash in a table of 2^(32 - shift) slots (Fibonacci hashing). */
function slotOf(hash: number, shift: number): number {
  return Math.imul(hash ^ (hash >>> 16), 0x9e3779b1) >>> shift;
}

/** The filter bit of a 32-bit token hash (another multiplier than `slotOf`, so other bits). */
function filterBitOf(hash: number, shift: number): number {
  return Math.imul(hash ^ (hash >>> 13), 0x85ebca6b) >>> shift;
}

/**
 * js-tiktoken's rank table in typed arrays: every token's bytes back to back, and an
 * open-addressing table from a polynomial hash of the bytes to the rank. Nothing is a string,
 * so looking up a piece needs no key built, and looking up the merge of two tokens needs no
 * concatenation: the hash of `left + right` is `hash(left) · base^|right| + hash(right)`. A
 * hash match is always confirmed byte by byte, so collisions cost time, never exactness.
 */
export class RankTable {
  /** Number of ranks (one more than the highest). */
  readonly rankCount: number;
  /** Byte value → rank of the single-byte token. */
  readonly byteRanks: Int32Array;
  /** rank(byte a + byte b) at `a · 256 + b`, or -1: a piece's first pairs without hashing. */
  readonly bytePairRanks: Int32Array;
  /**
   * 1 at `a · 256 + b` when no token holds byte a followed by byte b: no merge can ever join
   * a part ending in a to a part starting with b (the merged token would hold "ab").
   */
  readonly bytePairInNoToken: Uint8Array;
  /** The longest token in bytes: a longer piece cannot be a single token. */
  readonly maxTokenBytes: number;
  private readonly bytes: Uint8Array;
  /** Rank r is `tokens[4r]` (start in `bytes`), `[4r + 1]` (length), `[4r + 2]` (hash): one cache line. */
  private readonly tokens: Int32Array;
  /** base^k mod 2^32. */
  private readonly powers: Int32Array;
  /** Slot s is `slots[2s]` (a rank, -1: empty) and `slots[2s + 1]` (its hash): one cache line per probe. */
  private readonly slots: Int32Array;
  private readonly shift: number;
  private readonly mask: number;
  /**
   * One bit per hash value (about 16 bits per token, so ~6 % false positives): a pair whose
   * concatenation hashes to an unset bit is no token, known from a small array that stays in
   * cache instead of a probe into the large slot table. Most pairs met in a merge are no token.
   */
  private readonly hashFilter: Int32Array;
  private readonly filterShift: number;

  constructor(bytes: Uint8Array, tokenStart: Int32Array, tokenLength: Int32Array, rankCount: number) {
    this.bytes = bytes;
    this.tokens = new Int32Array(rankCount * 4);
    this.rankCount = rankCount;
    let maxTokenBytes = 0;
    let bits = 10;
    while (1 << bits < rankCount * 2) bits += 1;
    this.shift = 32 - bits;
    this.mask = (1 << bits) - 1;
    this.slots = new Int32Array(2 << bits).fill(-1);
    let filterBits = 16;
    while (1 << filterBits < rankCount * 16) filterBits += 1;
    this.filterShift = 32 - filterBits;
    this.hashFilter = new Int32Array(1 << (filterBits - 5));
    for (let rank = 0; rank < rankCount; rank += 1) {
      const length = tokenLength[rank]!;
      if (length === 0) continue; // a rank the file does not use
      if (length > maxTokenBytes) maxTokenBytes = length;
      const hash = this.hashBytes(bytes, tokenStart[rank]!, length);
      this.tokens[4 * rank] = tokenStart[rank]!;
      this.tokens[4 * rank + 1] = length;
      this.tokens[4 * rank + 2] = hash;
      let slot = slotOf(hash, this.shift);
      while (this.slots[2 * slot]! >= 0) slot = (slot + 1) & this.mask;
      this.slots[2 * slot] = rank;
      this.slots[2 * slot + 1] = hash;
      const bit = filterBitOf(hash, this.filterShift);
      this.hashFilter[bit >>> 5]! |= 1 << (bit & 31);
    }
    this.maxTokenBytes = maxTokenBytes;
    this.powers = new Int32Array(maxTokenBytes + 1);
    this.powers[0] = 1;
    for (let length = 1; length <= maxTokenBytes; length += 1) {
      this.powers[length] = Math.imul(this.powers[length - 1]!, hashBase);
    }
    this.byteRanks = new Int32Array(256);
    const single = new Uint8Array(1);
    for (let byte = 0; byte < 256; byte += 1) {
      single[0] = byte;
      const rank = this.rankOf(single, 0, 1);
      if (rank < 0) throw new Error(`The rank table has no token for byte ${byte}`);
      this.byteRanks[byte] = rank;
    }
    this.bytePairRanks = new Int32Array(65_536);
    for (let pair = 0; pair < 65_536; pair += 1) {
      this.bytePairRanks[pair] = this.pairRank(this.byteRanks[pair >> 8]!, this.byteRanks[pair & 255]!);
    }
    this.bytePairInNoToken = new Uint8Array(65_536).fill(1);
    for (let rank = 0; rank < rankCount; rank += 1) {
      const start = tokenStart[rank]!;
      const end = start + tokenLength[rank]!;
      for (let index = start; index + 1 < end; index += 1) {
        this.bytePairInNoToken[(bytes[index]! << 8) | bytes[index + 1]!] = 0;
      }
    }
  }

  /** The rank of the token whose bytes are `source[start, start + length)`, or -1. */
  rankOf(source: Uint8Array, start: number, length: number): number {
    if (length > this.maxTokenBytes) return -1;
    const hash = this.hashBytes(source, start, length);
    const { slots, tokens, bytes, mask } = this;
    for (let slot = slotOf(hash, this.shift); ; slot = (slot + 1) & mask) {
      const rank = slots[2 * slot]!;
      if (rank < 0) return -1;
      if (slots[2 * slot + 1] !== hash || tokens[4 * rank + 1] !== length) continue;
      const tokenAt = tokens[4 * rank]!;
      let index = 0;
      while (index < length && bytes[tokenAt + index] === source[start + index]) index += 1;
      if (index === length) return rank;
    }
  }

  /** rank(bytes(left) + bytes(right)), or -1 when the two tokens do not merge. */
  pairRank(left: number, right: number): number {
    const { slots, tokens, bytes, mask } = this;
    const leftLength = tokens[4 * left + 1]!;
    const rightLength = tokens[4 * right + 1]!;
    const length = leftLength + rightLength;
    if (length > this.maxTokenBytes) return -1;
    const hash = (Math.imul(tokens[4 * left + 2]!, this.powers[rightLength]!) + tokens[4 * right + 2]!) | 0;
    const bit = filterBitOf(hash, this.filterShift);
    if ((this.hashFilter[bit >>> 5]! & (1 << (bit & 31))) === 0) return -1;
    for (let slot = slotOf(hash, this.shift); ; slot = (slot + 1) & mask) {
      const rank = slots[2 * slot]!;
      if (rank < 0) return -1;
      if (slots[2 * slot + 1] !== hash || tokens[4 * rank + 1] !== length) continue;
      const tokenAt = tokens[4 * rank]!;
      const leftAt = tokens[4 * left]!;
      const rightAt = tokens[4 * right]! - leftLength;
      let index = 0;
      while (index < leftLength && bytes[tokenAt + index] === bytes[leftAt + index]) index += 1;
      if (index < leftLength) continue;
      while (index < length && bytes[tokenAt + index] === bytes[rightAt + index]) index += 1;
      if (index === length) return rank;
    }
  }

  private hashBytes(source: Uint8Array, start: number, length: number): number {
    let hash = 0;
    for (let index = start; index < start + length; index += 1) {
      hash = (Math.imul(hash, hashBase) + source[index]!) | 0;
    }
    return hash;
  }
}

/**
 * Parses js-tiktoken's compressed rank format: lines of `<ignored> <offset> <token>...` where
 * the n-th base64 token of a line has rank `offset + n` (the same reading as js-tiktoken's
 * own constructor). Decodes straight into one byte array, one pass over the text.
 */
export function parseRankTable(bpeRanks: string): RankTable {
  let bytes = new Uint8Array(Math.ceil(bpeRanks.length * 0.75));
  let tokenStart = new Int32Array(1024);
  let tokenLength = new Int32Array(1024);
  let rankCount = 0;
  let written = 0;
  let index = 0;
  const length = bpeRanks.length;
  while (index < length) {
    // Skip the first field, read the offset.
    while (index < length && bpeRanks.charCodeAt(index) !== space && bpeRanks.charCodeAt(index) !== newline)
      index += 1;
    if (index >= length || bpeRanks.charCodeAt(index) === newline) {
      index += 1;
      continue;
    }
    index += 1;
    let rank = 0;
    for (let unit = bpeRanks.charCodeAt(index); unit >= 48 && unit <= 57; unit = bpeRanks.charCodeAt(index)) {
      rank = rank * 10 + unit - 48;
      index += 1;
    }
    while (index < length && bpeRanks.charCodeAt(index) === space) {
      index += 1;
      const start = written;
      let buffer = 0;
      let bits = 0;
      for (;;) {
        const unit = index < length ? bpeRanks.charCodeAt(index) : newline;
        if (unit === space || unit === newline) break;
        index += 1;
        const value = unit < 128 ? base64Values[unit]! : -1;
        if (value < 0) continue; // padding
        buffer = ((buffer << 6) | value) & 0xffffff;
        bits += 6;
        if (bits >= 8) {
          bits -= 8;
          bytes[written] = (buffer >> bits) & 0xff;
          written += 1;
        }
      }
      if (rank >= tokenStart.length) {
        const grownStart = new Int32Array(Math.max(rank + 1, tokenStart.length * 2));
        const grownLength = new Int32Array(grownStart.length);
        grownStart.set(tokenStart);
        grownLength.set(tokenLength);
        tokenStart = grownStart;
        tokenLength = grownLength;
      }
      tokenStart[rank] = start;
      tokenLength[rank] = written - start;
      if (rank + 1 > rankCount) rankCount = rank + 1;
      rank += 1;
    }
    index += 1; // the newline
  }
  bytes = bytes.subarray(0, written);
  return new RankTable(bytes, tokenStart, tokenLength, rankCount);
}
