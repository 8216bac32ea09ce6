import type { RankTable } from './rank-table.js';

/** The longest range this merge takes: positions fit in 8 bits of a heap key. */
export const heapMergeMaxBytes = 256;
const positionBits = 8;
const positionMask = (1 << positionBits) - 1;

/**
 * The byte-pair merge for ranges of moderate length (up to 256 bytes): parts in a linked list,
 * candidates in a binary heap keyed by `rank · 256 + position`, so the lowest rank pops first
 * and the leftmost on ties, exactly the reference's choice; stale candidates are skipped when
 * popped. Keys fit in 32 bits (ranks are below 2^18), so the whole state is a few small typed
 * arrays that stay in the L1 cache, which beats the bucket queue's setup at this size.
 */
export class HeapMerge {
  private readonly table: RankTable;
  private readonly tokenAt = new Int32Array(heapMergeMaxBytes);
  private readonly nextAt = new Int32Array(heapMergeMaxBytes);
  private readonly previousAt = new Int32Array(heapMergeMaxBytes);
  private readonly pairRankAt = new Int32Array(heapMergeMaxBytes);
  // Each merge pushes at most two candidates on top of the initial pairs.
  private readonly heap = new Int32Array(heapMergeMaxBytes * 3);

  constructor(table: RankTable) {
    this.table = table;
  }

  /** The number of parts `bytes[start, start + length)` merges into; `length` ≤ `heapMergeMaxBytes`. */
  count(bytes: Uint8Array, start: number, length: number): number {
    const { tokenAt, nextAt, previousAt, pairRankAt, heap, table } = this;
    const byteRanks = table.byteRanks;
    const bytePairRanks = table.bytePairRanks;
    let size = 0;
    for (let index = 0; index < length; index += 1) {
      tokenAt[index] = byteRanks[bytes[start + index]!]!;
      nextAt[index] = index + 1;
      previousAt[index] = index - 1;
    }
    for (let index = 0; index + 1 < length; index += 1) {
      const rank = bytePairRanks[(bytes[start + index]! << 8) | bytes[start + index + 1]!]!;
      pairRankAt[index] = rank;
      if (rank >= 0) size = push(heap, size, (rank << positionBits) | index);
    }
    pairRankAt[length - 1] = -1;
    let parts = length;
    while (size > 0) {
      const key = heap[0]!;
      const rank = key >> positionBits;
      const position = key & positionMask;
      if (tokenAt[position]! < 0 || pairRankAt[position] !== rank) {
        size = pop(heap, size);
        continue;
      }
      parts -= 1;
      const right = nextAt[position]!;
      const afterRight = nextAt[right]!;
      tokenAt[position] = rank;
      tokenAt[right] = -1;
      nextAt[position] = afterRight;
      let nextRank = -1;
      if (afterRight < length) {
        previousAt[afterRight] = position;
        nextRank = table.pairRank(rank, tokenAt[afterRight]!);
      }
      pairRankAt[position] = nextRank;
      // The merged part's new pair takes the popped key's place: one sift instead of two.
      if (nextRank >= 0) siftDown(heap, size, (nextRank << positionBits) | position);
      else size = pop(heap, size);
      const before = previousAt[position]!;
      if (before >= 0) {
        const beforeRank = table.pairRank(tokenAt[before]!, rank);
        pairRankAt[before] = beforeRank;
        if (beforeRank >= 0) size = push(heap, size, (beforeRank << positionBits) | before);
      }
    }
    return parts;
  }
}

function push(heap: Int32Array, size: number, key: number): number {
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

/** Removes the top; returns the new size. */
function pop(heap: Int32Array, size: number): number {
  const last = size - 1;
  siftDown(heap, last, heap[last]!);
  return last;
}

/** Puts `key` in place of the top of a heap of `size` entries and restores the order. */
function siftDown(heap: Int32Array, size: number, key: number): void {
  let index = 0;
  for (;;) {
    let child = 2 * index + 1;
    if (child >= size) break;
    if (child + 1 < size && heap[child + 1]! < heap[child]!) child += 1;
    if (heap[child]! >= key) break;
    heap[index] = heap[child]!;
    index = child;
  }
  heap[index] = key;
}
