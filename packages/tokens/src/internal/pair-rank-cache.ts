import type { RankTable } from './rank-table.js';

const emptyKey = -1;
const noMerge = -1;
const maxCapacityBits = 20;

/**
 * rank(bytes(left) + bytes(right)) for two tokens, or -1 when they do not merge, memoised in
 * an open-addressing table of typed arrays (no per-entry objects). The table doubles up to
 * 2^20 slots (12 MiB) and then starts over, so it stays bounded on any input.
 */
export class PairRankCache {
  private readonly table: RankTable;
  private bits = 12;
  private keys = new Float64Array(1 << 12).fill(emptyKey);
  private values = new Int32Array(1 << 12);
  private size = 0;

  constructor(table: RankTable) {
    this.table = table;
  }

  get(left: number, right: number): number {
    const key = left * 262_144 + right;
    const mask = (1 << this.bits) - 1;
    let slot = (Math.imul(left, 0x9e3779b1) ^ Math.imul(right + 0x7f4a7c15, 0x85ebca6b)) >>> (32 - this.bits);
    for (;;) {
      const found = this.keys[slot]!;
      if (found === key) return this.values[slot]!;
      if (found === emptyKey) break;
      slot = (slot + 1) & mask;
    }
    const merged = this.table.ranks.get(this.table.tokenBytes[left]! + this.table.tokenBytes[right]!);
    const value = merged === undefined ? noMerge : merged;
    this.keys[slot] = key;
    this.values[slot] = value;
    this.size += 1;
    if (this.size * 2 > 1 << this.bits) this.grow();
    return value;
  }

  private grow(): void {
    const oldKeys = this.keys;
    const oldValues = this.values;
    if (this.bits >= maxCapacityBits) {
      this.keys.fill(emptyKey);
      this.size = 0;
      return;
    }
    this.bits += 1;
    this.keys = new Float64Array(1 << this.bits).fill(emptyKey);
    this.values = new Int32Array(1 << this.bits);
    const mask = (1 << this.bits) - 1;
    for (let index = 0; index < oldKeys.length; index += 1) {
      const key = oldKeys[index]!;
      if (key === emptyKey) continue;
      const left = Math.floor(key / 262_144);
      const right = key - left * 262_144;
      let slot =
        (Math.imul(left, 0x9e3779b1) ^ Math.imul(right + 0x7f4a7c15, 0x85ebca6b)) >>> (32 - this.bits);
      while (this.keys[slot] !== emptyKey) slot = (slot + 1) & mask;
      this.keys[slot] = key;
      this.values[slot] = oldValues[index]!;
    }
  }
}
