import { BytePairCounter } from './byte-pair-count.js';
import { PieceCache } from './piece-cache.js';
import type { PieceScanner } from './pre-tokenizer.js';
import type { RankTable } from './rank-table.js';

/** Pieces up to this many UTF-16 units are memoised; longer ones rarely repeat. */
const maxCachedPieceLength = 48;
const keepBytesUpTo = 1 << 18;
/** Letters of every case and script class, digits, contractions, punctuation, whitespace runs. */
const warmUpText =
  "Hello, World! It's 2024; we'RE 'll 'VE 'd 'S done.\n\n  \t x = f(1, 22, 333) /* ok */ caf\u00e9 " +
  'ǅungla ʰmod ªord Ⅻ ٣ e\u0301 中文 😀 \ud800 ?\r/ a.\n/b  \r\n   end   \n';

/**
 * Counts tokens exactly as js-tiktoken's `encode(text, [], []).length`: split `text` into
 * pieces (the encoding's regex, by hand), count each piece from a bounded cache, else as one
 * token when its UTF-8 bytes are a token, else by the byte-pair merge.
 */
export class Encoder {
  private readonly table: RankTable;
  private readonly scan: PieceScanner;
  private readonly merger: BytePairCounter;
  private readonly pieces = new PieceCache();
  private bytes = new Uint8Array(1024);

  constructor(table: RankTable, scan: PieceScanner) {
    this.table = table;
    this.scan = scan;
    this.merger = new BytePairCounter(table);
    // Every branch of the scanner and the merge seen once, so that the first real text is
    // not compiled and thrown back to the interpreter branch by branch (see `warmUp`).
    this.merger.warmUp();
    for (let round = 0; round < 2; round += 1) this.count(warmUpText);
  }

  count(text: string): number {
    const length = text.length;
    const pieces = this.pieces;
    let total = 0;
    let start = 0;
    while (start < length) {
      const end = this.scan(text, start, length);
      if (end - start <= maxCachedPieceLength) {
        let count = pieces.lookup(text, start, end);
        if (count < 0) {
          count = this.countPiece(text, start, end);
          pieces.store(text, start, end, count);
        }
        total += count;
      } else {
        total += this.countPiece(text, start, end);
      }
      start = end;
    }
    return total;
  }

  private countPiece(text: string, start: number, end: number): number {
    const byteLength = this.encodeUtf8(text, start, end);
    if (this.table.rankOf(this.bytes, 0, byteLength) >= 0) return 1;
    const count = this.merger.count(this.bytes, byteLength);
    // Do not keep a huge piece's buffer resident.
    if (this.bytes.length > keepBytesUpTo) this.bytes = new Uint8Array(1024);
    return count;
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
