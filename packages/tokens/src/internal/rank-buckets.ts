/** ctz: the index of the lowest set bit of a non-zero 32-bit word. */
function lowestBit(word: number): number {
  return 31 - Math.clz32(word & -word);
}

const insertionSortUpTo = 24;

/** Sorts `positions[start, end)` ascending. */
export function sortPositions(positions: Int32Array, start: number, end: number): void {
  if (end - start > insertionSortUpTo) {
    positions.subarray(start, end).sort();
    return;
  }
  for (let index = start + 1; index < end; index += 1) {
    const position = positions[index]!;
    let hole = index;
    while (hole > start && positions[hole - 1]! > position) {
      positions[hole] = positions[hole - 1]!;
      hole -= 1;
    }
    positions[hole] = position;
  }
}

/**
 * A bucket queue of merge candidates keyed by rank, with a three-level bitmap of the
 * non-empty ranks, so the lowest rank is found with a handful of word reads (ranks are below
 * the vocabulary size, under 2^18). No comparison sort over all candidates, unlike a binary
 * heap's O(log n) per pop.
 *
 * A piece's initial candidates are laid out by a counting sort: each rank's positions sit
 * contiguous and ascending in one array, so draining them is a sequential copy rather than a
 * walk through memory. Later candidates (two at most per merge) go to a singly linked list per
 * rank, in one shared typed array, so a push allocates nothing.
 */
export class RankBuckets {
  private readonly heads: Int32Array;
  private readonly segmentStart: Int32Array;
  private readonly segmentEnd: Int32Array;
  private readonly words: Int32Array;
  private readonly groups: Int32Array;
  private readonly supergroups: Int32Array;
  /** Initial candidates grouped by rank (see `segmentStart`). */
  private initial = new Int32Array(0);
  /** The ranks met while counting, in the order first met. */
  private ranksMet = new Int32Array(0);
  /** Entry e is `entries[2e]` (its position) and `entries[2e + 1]` (the next entry, -1: none). */
  private entries = new Int32Array(0);
  private size = 0;

  constructor(rankCount: number) {
    this.heads = new Int32Array(rankCount).fill(-1);
    this.segmentStart = new Int32Array(rankCount);
    this.segmentEnd = new Int32Array(rankCount);
    this.words = new Int32Array((rankCount >> 5) + 1);
    this.groups = new Int32Array((rankCount >> 10) + 1);
    this.supergroups = new Int32Array((rankCount >> 15) + 1);
  }

  /**
   * Starts a piece (every bucket of the previous one is drained): its initial candidates are
   * `source[i · stride + rankField]` (a rank, or -1 for none) at position `i · stride`, for
   * `i < count`; `pushes` later candidates may follow.
   */
  load(source: Int32Array, count: number, stride: number, rankField: number, pushes: number): void {
    this.size = 0;
    if (this.entries.length < 2 * pushes) this.entries = new Int32Array(2 * pushes);
    if (this.initial.length < count) {
      this.initial = new Int32Array(count);
      this.ranksMet = new Int32Array(count);
    }
    const { segmentStart, segmentEnd, initial, ranksMet } = this;
    // Count per rank (in segmentEnd), remembering each rank on its first candidate.
    let distinct = 0;
    for (let index = 0, field = rankField; index < count; index += 1, field += stride) {
      const rank = source[field]!;
      if (rank < 0) continue;
      if (segmentEnd[rank] === 0) {
        ranksMet[distinct] = rank;
        distinct += 1;
        this.mark(rank);
      }
      segmentEnd[rank]! += 1;
    }
    let offset = 0;
    for (let index = 0; index < distinct; index += 1) {
      const rank = ranksMet[index]!;
      segmentStart[rank] = offset;
      offset += segmentEnd[rank]!;
      segmentEnd[rank] = segmentStart[rank]!;
    }
    // Place in position order, so each segment is ascending.
    for (let index = 0, field = rankField; index < count; index += 1, field += stride) {
      const rank = source[field]!;
      if (rank < 0) continue;
      initial[segmentEnd[rank]!] = index * stride;
      segmentEnd[rank]! += 1;
    }
  }

  /** Drops the arrays of a huge piece so they do not stay resident. */
  release(): void {
    this.entries = new Int32Array(0);
    this.initial = new Int32Array(0);
    this.ranksMet = new Int32Array(0);
    this.size = 0;
  }

  push(rank: number, position: number): void {
    const entry = this.size;
    this.size = entry + 1;
    this.entries[2 * entry] = position;
    const head = this.heads[rank]!;
    this.entries[2 * entry + 1] = head;
    this.heads[rank] = entry;
    if (head < 0) this.mark(rank);
  }

  /** The lowest rank with candidates, or -1 when every bucket is empty. */
  lowestRank(): number {
    const supergroups = this.supergroups;
    for (let index = 0; index < supergroups.length; index += 1) {
      const supergroup = supergroups[index]!;
      if (supergroup === 0) continue;
      const group = (index << 5) + lowestBit(supergroup);
      const word = (group << 5) + lowestBit(this.groups[group]!);
      return (word << 5) + lowestBit(this.words[word]!);
    }
    return -1;
  }

  /** Moves the positions of bucket `rank` into `into` from `at` on, ascending; returns the new end. */
  drain(rank: number, into: Int32Array, at: number): number {
    const start = this.segmentStart[rank]!;
    const segmentEnd = this.segmentEnd[rank]!;
    if (segmentEnd - start > 64) {
      into.set(this.initial.subarray(start, segmentEnd), at);
    } else {
      for (let index = start, to = at; index < segmentEnd; index += 1, to += 1)
        into[to] = this.initial[index]!;
    }
    this.segmentStart[rank] = 0;
    this.segmentEnd[rank] = 0;
    const listStart = at + segmentEnd - start;
    let end = listStart;
    const entries = this.entries;
    let descending = true;
    let previous = 0x7fffffff;
    for (let entry = this.heads[rank]!; entry >= 0; entry = entries[2 * entry + 1]!) {
      const position = entries[2 * entry]!;
      if (position >= previous) descending = false;
      previous = position;
      into[end] = position;
      end += 1;
    }
    if (end > listStart) {
      // Merges run left to right, so a list (newest first) is often exactly descending.
      if (descending && end - listStart > 64) {
        into.subarray(listStart, end).reverse();
      } else if (descending) {
        for (let low = listStart, high = end - 1; low < high; low += 1, high -= 1) {
          const swapped = into[low]!;
          into[low] = into[high]!;
          into[high] = swapped;
        }
      }
      const sorted = descending && (listStart === at || into[listStart - 1]! < into[listStart]!);
      if (!sorted) sortPositions(into, at, end);
    }
    this.heads[rank] = -1;
    const word = rank >> 5;
    this.words[word]! &= ~(1 << (rank & 31));
    if (this.words[word] === 0) {
      const group = rank >> 10;
      this.groups[group]! &= ~(1 << (word & 31));
      if (this.groups[group] === 0) this.supergroups[rank >> 15]! &= ~(1 << (group & 31));
    }
    return end;
  }

  private mark(rank: number): void {
    this.words[rank >> 5]! |= 1 << (rank & 31);
    this.groups[rank >> 10]! |= 1 << ((rank >> 5) & 31);
    this.supergroups[rank >> 15]! |= 1 << ((rank >> 10) & 31);
  }
}
