import { BytePairCounter } from './byte-pair-count.js';
import { PairRankCache } from './pair-rank-cache.js';
import type { PieceScanner } from './pre-tokenizer.js';
import type { RankTable } from './rank-table.js';

/** Pieces up to this many UTF-16 units are memoised; longer ones rarely repeat. */
const maxCachedPieceLength = 48;
const pieceCacheCapacity = 65_536;

/**
 * Counts tokens exactly as js-tiktoken's `encode(text, [], []).length`: split `text` into
 * pieces (the encoding's regex, by hand), count each piece from a bounded cache, else as one
 * token when its UTF-8 bytes are a token, else by the heap-driven byte-pair merge.
 */
export class Encoder {
  private readonly table: RankTable;
  private readonly scan: PieceScanner;
  private readonly merger: BytePairCounter;
  private pieces = new Map<string, number>();
  private bytes = new Uint8Array(1024);

  constructor(table: RankTable, scan: PieceScanner) {
    this.table = table;
    this.scan = scan;
    this.merger = new BytePairCounter(table, new PairRankCache(table));
  }

  count(text: string): number {
    const length = text.length;
    let total = 0;
    let start = 0;
    while (start < length) {
      const end = this.scan(text, start, length);
      if (end - start <= maxCachedPieceLength) {
        const piece = text.slice(start, end);
        let count = this.pieces.get(piece);
        if (count === undefined) {
          count = this.countPiece(text, start, end, piece);
          // Bounded: start over when full (one probe per lookup, unlike an LRU's bookkeeping).
          if (this.pieces.size >= pieceCacheCapacity) this.pieces = new Map();
          this.pieces.set(piece, count);
        }
        total += count;
      } else {
        total += this.countPiece(text, start, end, undefined);
      }
      start = end;
    }
    return total;
  }

  /** `piece` is `text[start, end)` when the caller has it; an ASCII piece is its own rank key. */
  private countPiece(text: string, start: number, end: number, piece: string | undefined): number {
    const byteLength = this.encodeUtf8(text, start, end);
    if (byteLength <= this.table.maxTokenBytes) {
      let key = piece;
      if (key === undefined || byteLength !== end - start) {
        key = String.fromCharCode.apply(null, this.bytes.subarray(0, byteLength) as unknown as number[]);
      }
      if (this.table.ranks.has(key)) return 1;
    }
    return this.merger.count(this.bytes, byteLength);
  }

  /**
   * Writes the UTF-8 bytes of `text[start, end)` into the scratch buffer, a lone surrogate as
   * U+FFFD (EF BF BD) the way `TextEncoder` does, and returns their number.
   */
  private encodeUtf8(text: string, start: number, end: number): number {
    const needed = (end - start) * 3;
    if (this.bytes.length < needed) this.bytes = new Uint8Array(needed);
    const bytes = this.bytes;
    let length = 0;
    for (let index = start; index < end; index += 1) {
      let unit = text.charCodeAt(index);
      if (unit < 0x80) {
        bytes[length++] = unit;
      } else if (unit < 0x800) {
        bytes[length++] = 0xc0 | (unit >> 6);
        bytes[length++] = 0x80 | (unit & 0x3f);
      } else {
        if (unit >= 0xd800 && unit <= 0xdfff) {
          const low = index + 1 < end ? text.charCodeAt(index + 1) : 0;
          if (unit <= 0xdbff && low >= 0xdc00 && low <= 0xdfff) {
            const codePoint = (unit - 0xd800) * 0x400 + (low - 0xdc00) + 0x10000;
            bytes[length++] = 0xf0 | (codePoint >> 18);
            bytes[length++] = 0x80 | ((codePoint >> 12) & 0x3f);
            bytes[length++] = 0x80 | ((codePoint >> 6) & 0x3f);
            bytes[length++] = 0x80 | (codePoint & 0x3f);
            index += 1;
            continue;
          }
          unit = 0xfffd;
        }
        bytes[length++] = 0xe0 | (unit >> 12);
        bytes[length++] = 0x80 | ((unit >> 6) & 0x3f);
        bytes[length++] = 0x80 | (unit & 0x3f);
      }
    }
    return length;
  }
}
