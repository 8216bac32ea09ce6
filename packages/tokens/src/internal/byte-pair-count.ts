import type { PairRankCache } from './pair-rank-cache.js';
import type { RankTable } from './rank-table.js';

const positionScale = 4_294_967_296; // 2^32: a heap key is rank · 2^32 + position
const keepScratchUpTo = 1 << 16;
/** Up to this many bytes, a plain rescan (the reference's loop, on integers) beats the heap. */
const smallPieceBytes = 24;

/**
 * Counts the tokens of one piece (`length` bytes of `bytes`) with the byte-pair merge of
 * js-tiktoken (`bytePairMerge`): repeatedly merge the adjacent pair whose concatenation has
 * the lowest rank, the leftmost one on ties, until no pair merges. js-tiktoken rescans every
 * pair after each merge (O(n²) per piece, worse with its string keys); here the parts form a
 * linked list and candidate merges sit in a binary heap keyed by (rank, start position), with
 * stale entries skipped when popped, so a piece of n bytes costs O(n log n). The heap's order
 * is the reference's order (lowest rank, then leftmost start), so the parts, and the count,
 * are the same.
 */
export class BytePairCounter {
  private readonly table: RankTable;
  private readonly pairs: PairRankCache;
  private capacity = 0;
  private tokenAt = new Int32Array(0);
  private nextAt = new Int32Array(0);
  private previousAt = new Int32Array(0);
  private pairRankAt = new Int32Array(0);
  private heap = new Float64Array(0);

  constructor(table: RankTable, pairs: PairRankCache) {
    this.table = table;
    this.pairs = pairs;
  }

  count(bytes: Uint8Array, length: number): number {
    if (length <= 1) return length;
    this.reserve(length);
    if (length <= smallPieceBytes) return this.countSmall(bytes, length);
    const { tokenAt, nextAt, previousAt, pairRankAt } = this;
    const byteRanks = this.table.byteRanks;
    let heapSize = 0;
    for (let index = 0; index < length; index += 1) {
      tokenAt[index] = byteRanks[bytes[index]!]!;
      nextAt[index] = index + 1;
      previousAt[index] = index - 1;
    }
    for (let index = 0; index + 1 < length; index += 1) {
      const rank = this.pairs.get(tokenAt[index]!, tokenAt[index + 1]!);
      pairRankAt[index] = rank;
      if (rank >= 0) heapSize = this.push(heapSize, rank * positionScale + index);
    }
    pairRankAt[length - 1] = -1;
    let parts = length;
    while (heapSize > 0) {
      const key = this.heap[0]!;
      heapSize = this.pop(heapSize);
      const rank = Math.floor(key / positionScale);
      const position = key - rank * positionScale;
      // Stale: the part was merged into its left neighbour, or its right neighbour changed.
      if (tokenAt[position]! < 0 || pairRankAt[position] !== rank) continue;
      const right = nextAt[position]!;
      const afterRight = nextAt[right]!;
      tokenAt[position] = rank;
      tokenAt[right] = -1;
      nextAt[position] = afterRight;
      parts -= 1;
      if (afterRight < length) {
        previousAt[afterRight] = position;
        const nextRank = this.pairs.get(rank, tokenAt[afterRight]!);
        pairRankAt[position] = nextRank;
        if (nextRank >= 0) heapSize = this.push(heapSize, nextRank * positionScale + position);
      } else {
        pairRankAt[position] = -1;
      }
      const before = previousAt[position]!;
      if (before >= 0) {
        const beforeRank = this.pairs.get(tokenAt[before]!, rank);
        pairRankAt[before] = beforeRank;
        if (beforeRank >= 0) heapSize = this.push(heapSize, beforeRank * positionScale + before);
      }
    }
    if (length > keepScratchUpTo) this.release();
    return parts;
  }

  /** The reference loop on a compact array of parts: find the leftmost lowest rank, merge, repeat. */
  private countSmall(bytes: Uint8Array, length: number): number {
    const { tokenAt, pairRankAt } = this;
    const byteRanks = this.table.byteRanks;
    for (let index = 0; index < length; index += 1) tokenAt[index] = byteRanks[bytes[index]!]!;
    for (let index = 0; index + 1 < length; index += 1) {
      pairRankAt[index] = this.pairs.get(tokenAt[index]!, tokenAt[index + 1]!);
    }
    let parts = length;
    for (;;) {
      let best = -1;
      let bestRank = 0x7fffffff;
      for (let index = 0; index + 1 < parts; index += 1) {
        const rank = pairRankAt[index]!;
        if (rank >= 0 && rank < bestRank) {
          bestRank = rank;
          best = index;
        }
      }
      if (best < 0) return parts;
      tokenAt[best] = bestRank;
      for (let index = best + 1; index + 1 < parts; index += 1) {
        tokenAt[index] = tokenAt[index + 1]!;
        pairRankAt[index] = pairRankAt[index + 1]!;
      }
      parts -= 1;
      if (best + 1 < parts) pairRankAt[best] = this.pairs.get(bestRank, tokenAt[best + 1]!);
      if (best > 0) pairRankAt[best - 1] = this.pairs.get(tokenAt[best - 1]!, bestRank);
    }
  }

  private reserve(length: number): void {
    if (length <= this.capacity) return;
    const capacity = Math.max(length, 64);
    this.capacity = capacity;
    this.tokenAt = new Int32Array(capacity);
    this.nextAt = new Int32Array(capacity);
    this.previousAt = new Int32Array(capacity);
    this.pairRankAt = new Int32Array(capacity);
    // Each merge pushes at most two entries on top of the initial pairs.
    this.heap = new Float64Array(capacity * 3);
  }

  /** Drops the scratch arrays of a huge piece so they do not stay resident. */
  private release(): void {
    this.capacity = 0;
    this.reserve(keepScratchUpTo);
  }

  private push(size: number, key: number): number {
    const heap = this.heap;
    let index = size;
    while (index > 0) {
      const parent = (index - 1) >> 1;
      const parentKey = heap[parent]!;
      if (parentKey <= key) break;
      heap[index] = parentKey;
      index = parent;
    }
    heap[index] = key;
    return size + 1;
  }

  private pop(size: number): number {
    const heap = this.heap;
    const last = size - 1;
    const key = heap[last]!;
    let index = 0;
    for (;;) {
      let child = 2 * index + 1;
      if (child >= last) break;
      const rightChild = child + 1;
      if (rightChild < last && heap[rightChild]! < heap[child]!) child = rightChild;
      if (heap[child]! >= key) break;
      heap[index] = heap[child]!;
      index = child;
    }
    heap[index] = key;
    return last;
  }
}
