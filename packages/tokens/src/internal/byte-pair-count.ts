import { HeapMerge, heapMergeMaxBytes } from './heap-merge.js';
import { RankBuckets, sortPositions } from './rank-buckets.js';
import type { RankTable } from './rank-table.js';

const keepScratchUpTo = 1 << 16;
/** Up to this many bytes, a plain rescan (the reference's loop, on integers) beats a heap. */
const smallPieceBytes = 10;
const warmUpRounds = 5;
const nodeSize = 4;
const next = 1;
const previous = 2;
const pairRank = 3;

/**
 * Counts the tokens of one piece (`length` bytes of `bytes`) with the byte-pair merge of
 * js-tiktoken (`bytePairMerge`): repeatedly merge the adjacent pair whose concatenation has
 * the lowest rank, the leftmost one on ties, until no pair merges. js-tiktoken rescans every
 * pair after each merge (O(n²) per piece). Here a piece is first cut where no merge can
 * cross (see `count`); then each range is merged by a plain rescan (up to 10 bytes), a small
 * binary heap (`HeapMerge`, up to 256 bytes), or, beyond, parts in a linked list of typed
 * arrays with candidate merges in a bucket queue keyed by rank (`RankBuckets`): linear work
 * per merge, whatever the length.
 *
 * Why this is the reference's order: the lowest non-empty rank r is drained into a run,
 * sorted by position, and merged left to right, skipping candidates gone stale (the part was
 * absorbed, or its pair changed). A merge at rank r never creates another pair of rank r (the
 * new pair's bytes strictly contain the merged token's, and a rank names one byte string), so
 * the run holds every pair of rank r, and left to right is the reference's leftmost-first. A
 * merge can create a pair of LOWER rank (the rank table is not monotone: in about a fifth of
 * the two-token splits of a cl100k token, the token ranks below one of its parts). The
 * reference would merge that pair next, so the run is suspended on a stack and the lower
 * bucket drained first; the stack's ranks fall towards the top, so the lowest pending rank is
 * always the top run's or the lowest bucket's. New pairs of a suspended run's rank are sorted
 * into the rest of that run before it resumes.
 */
export class BytePairCounter {
  private readonly table: RankTable;
  private readonly buckets: RankBuckets;
  private readonly heapMerge: HeapMerge;
  private capacity = 0;
  private nodes = new Int32Array(0);
  private readonly smallTokens = new Int32Array(smallPieceBytes);
  private readonly smallPairRanks = new Int32Array(smallPieceBytes);
  /** The suspended runs, stacked: positions to merge, each run sorted from its cursor to its end. */
  private runPositions = new Int32Array(0);
  private readonly runRank: number[] = [];
  private readonly runCursor: number[] = [];
  private readonly runEnd: number[] = [];
  /** How many merges the last `mergeRun` made. */
  private runMerges = 0;

  constructor(table: RankTable) {
    this.table = table;
    this.buckets = new RankBuckets(table.rankCount);
    this.heapMerge = new HeapMerge(table);
  }

  /**
   * Runs every merge path on a few hundred bytes (a run of one letter, of spaces, mixed
   * letters), five times over, so the engine has optimised each step of the merge before the
   * first long piece arrives: without it, the first megabyte-long piece of a process is
   * compiled mid-loop and thrown back to the interpreter at each branch it reaches first.
   * Once is not enough since the merge is split into steps (`linkParts`, `mergeAll`,
   * `mergeRun`): each must be called often enough to be optimised on its own. Costs about 3 ms
   * at load and saved 20–30 % on a first megabyte of one letter or of spaces (measured by hand).
   */
  warmUp(): void {
    const sample = new Uint8Array(600);
    for (let round = 0; round < warmUpRounds; round += 1) {
      for (const fill of ['a', ' ', 'the quick brown fox jumps over a lazy dog ']) {
        for (let index = 0; index < sample.length; index += 1) {
          sample[index] = fill.charCodeAt(index % fill.length);
        }
        this.count(sample, sample.length);
      }
    }
  }

  count(bytes: Uint8Array, length: number): number {
    if (length <= smallPieceBytes) return this.countSmall(bytes, 0, length);
    // Cut the piece where two adjacent bytes appear together in no token. No merge can join
    // across such a cut (the merged token would contain both bytes), so the pair across it
    // never has a rank, every valid pair lies on one side, and each side's merges happen in
    // the order they would alone (the reference takes the global minimum, which is its own
    // side's minimum, and a merge on one side changes no pair on the other). The count is the
    // sum of the sides' counts, and the work stays local in memory.
    const inNoToken = this.table.bytePairInNoToken;
    let total = 0;
    let start = 0;
    let previousByte = bytes[0]!;
    for (let index = 1; index < length; index += 1) {
      const byte = bytes[index]!;
      if (inNoToken[(previousByte << 8) | byte] === 1) {
        total += this.countRange(bytes, start, index);
        start = index;
      }
      previousByte = byte;
    }
    return total + this.countRange(bytes, start, length);
  }

  private countRange(bytes: Uint8Array, start: number, stop: number): number {
    const length = stop - start;
    if (length <= smallPieceBytes) return this.countSmall(bytes, start, length);
    if (length <= heapMergeMaxBytes) return this.heapMerge.count(bytes, start, length);
    this.reserve(length);
    this.linkParts(bytes, start, length);
    const parts = length - this.mergeAll(length);
    if (length > keepScratchUpTo) this.release();
    return parts;
  }

  /**
   * Lays the range out as parts of one byte each. A part is four adjacent integers (one cache
   * line for all a merge reads of it), at `node = index · 4`: its token, the next part's node,
   * the previous part's node, and the rank of its pair with the next part (-1: none). The
   * initial pairs go into the buckets.
   */
  private linkParts(bytes: Uint8Array, start: number, length: number): void {
    const { nodes, table } = this;
    const byteRanks = table.byteRanks;
    const last = (length - 1) * nodeSize;
    const end = length * nodeSize;
    for (let node = 0, index = start; node < end; node += nodeSize, index += 1) {
      nodes[node] = byteRanks[bytes[index]!]!;
      nodes[node + next] = node + nodeSize;
      nodes[node + previous] = node - nodeSize;
    }
    const bytePairRanks = table.bytePairRanks;
    for (let node = 0, index = start; node < last; node += nodeSize, index += 1) {
      nodes[node + pairRank] = bytePairRanks[(bytes[index]! << 8) | bytes[index + 1]!]!;
    }
    nodes[last + pairRank] = -1;
    // Each merge pushes at most two candidates after the initial pairs.
    this.buckets.load(nodes, length - 1, nodeSize, pairRank, 2 * length);
  }

  /**
   * Merges the linked parts in the reference's order: the lowest rank's run first, suspended
   * on the stack when a merge creates a pair of lower rank. Returns the number of merges.
   */
  private mergeAll(length: number): number {
    const { buckets, runPositions, runRank, runCursor, runEnd } = this;
    const end = length * nodeSize;
    let merges = 0;
    let depth = 0;
    let used = 0;
    for (;;) {
      const lowest = buckets.lowestRank();
      if (depth === 0 || (lowest >= 0 && lowest < runRank[depth - 1]!)) {
        if (lowest < 0) break;
        const runEndsAt = buckets.drain(lowest, runPositions, used);
        runRank[depth] = lowest;
        runCursor[depth] = used;
        runEnd[depth] = runEndsAt;
        depth += 1;
        used = runEndsAt;
      } else if (lowest === runRank[depth - 1]) {
        used = buckets.drain(lowest, runPositions, used);
        runEnd[depth - 1] = used;
        sortPositions(runPositions, runCursor[depth - 1]!, used);
      }
      const runEndsAt = runEnd[depth - 1]!;
      const cursor = this.mergeRun(runRank[depth - 1]!, runCursor[depth - 1]!, runEndsAt, end);
      merges += this.runMerges;
      runCursor[depth - 1] = cursor;
      if (cursor === runEndsAt) {
        depth -= 1;
        used = depth === 0 ? 0 : runEnd[depth - 1]!;
      }
    }
    return merges;
  }

  /**
   * Merges the candidates of rank `rank` at `runPositions[cursor, runEndsAt)` left to right,
   * skipping stale ones, until the run ends or a merge creates a pair of lower rank. Returns
   * where it stopped; `runMerges` says how many merges it made.
   */
  private mergeRun(rank: number, cursor: number, runEndsAt: number, end: number): number {
    const { nodes, buckets, runPositions, table } = this;
    let merges = 0;
    // A one-entry memo per side: along a run of one repeated pattern every merge asks the
    // same two questions.
    let lastAfterToken = -1;
    let lastAfterRank = -1;
    let lastBeforeToken = -1;
    let lastBeforeRank = -1;
    while (cursor < runEndsAt) {
      const node = runPositions[cursor]!;
      cursor += 1;
      if (nodes[node]! < 0 || nodes[node + pairRank] !== rank) continue;
      merges += 1;
      // The merge: `node` takes its right neighbour's bytes.
      const right = nodes[node + next]!;
      const afterRight = nodes[right + next]!;
      nodes[node] = rank;
      nodes[right] = -1;
      nodes[node + next] = afterRight;
      let lowerRankCreated = false;
      if (afterRight < end) {
        nodes[afterRight + previous] = node;
        const afterToken = nodes[afterRight]!;
        if (afterToken !== lastAfterToken) {
          lastAfterToken = afterToken;
          lastAfterRank = table.pairRank(rank, afterToken);
        }
        nodes[node + pairRank] = lastAfterRank;
        if (lastAfterRank >= 0) {
          buckets.push(lastAfterRank, node);
          if (lastAfterRank < rank) lowerRankCreated = true;
        }
      } else {
        nodes[node + pairRank] = -1;
      }
      const before = nodes[node + previous]!;
      if (before >= 0) {
        const beforeToken = nodes[before]!;
        if (beforeToken !== lastBeforeToken) {
          lastBeforeToken = beforeToken;
          lastBeforeRank = table.pairRank(beforeToken, rank);
        }
        nodes[before + pairRank] = lastBeforeRank;
        if (lastBeforeRank >= 0) {
          buckets.push(lastBeforeRank, before);
          if (lastBeforeRank < rank) lowerRankCreated = true;
        }
      }
      if (lowerRankCreated) break;
    }
    this.runMerges = merges;
    return cursor;
  }

  /** The reference loop on a compact array of parts: find the leftmost lowest rank, merge, repeat. */
  private countSmall(bytes: Uint8Array, start: number, length: number): number {
    if (length <= 1) return length;
    const table = this.table;
    const tokenAt = this.smallTokens;
    const pairRankAt = this.smallPairRanks;
    const byteRanks = this.table.byteRanks;
    for (let index = 0; index < length; index += 1) tokenAt[index] = byteRanks[bytes[start + index]!]!;
    const bytePairRanks = table.bytePairRanks;
    for (let index = start; index + 1 < start + length; index += 1) {
      pairRankAt[index - start] = bytePairRanks[(bytes[index]! << 8) | bytes[index + 1]!]!;
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
      if (best + 1 < parts) pairRankAt[best] = table.pairRank(bestRank, tokenAt[best + 1]!);
      if (best > 0) pairRankAt[best - 1] = table.pairRank(tokenAt[best - 1]!, bestRank);
    }
  }

  private reserve(length: number): void {
    if (length <= this.capacity) return;
    const capacity = Math.max(length, 64);
    this.capacity = capacity;
    this.nodes = new Int32Array(capacity * nodeSize);
    this.runPositions = new Int32Array(capacity * 3);
  }

  /** Drops the scratch arrays of a huge piece so they do not stay resident. */
  private release(): void {
    this.capacity = 0;
    this.buckets.release();
    this.reserve(keepScratchUpTo);
  }
}
