const slotBits = 17;
const slotCount = 1 << slotBits;
/** A slot is four integers: hash, arena offset, length (0: empty), token count. */
const slotSize = 4;
const slotsLength = slotCount * slotSize;
const maxEntries = slotCount >> 1;
const arenaUnits = 1 << 20;

/**
 * A bounded memo of piece → token count, keyed by the piece's UTF-16 units read straight from
 * the text: no substring is cut and no string hashed by the engine, so a lookup allocates
 * nothing. Open addressing over one typed array (a probe reads one cache line); the units of
 * stored pieces live in one arena. When half the slots or the arena are used it starts over,
 * so it stays under 4 MiB whatever it is fed.
 */
export class PieceCache {
  private readonly slots = new Int32Array(slotsLength);
  private readonly arena = new Uint16Array(arenaUnits);
  private arenaUsed = 0;
  private entries = 0;
  /** Where `lookup` stopped: the slot to `store` into, and the piece's hash. */
  private pendingSlot = 0;
  private pendingHash = 0;

  /** The count stored for `text[start, end)`, or -1 (then `store` may follow for the same piece). */
  lookup(text: string, start: number, end: number): number {
    let hash = 0x811c9dc5;
    for (let index = start; index < end; index += 1)
      hash = Math.imul(hash ^ text.charCodeAt(index), 0x01000193);
    const length = end - start;
    const { slots, arena } = this;
    let slot = (Math.imul(hash ^ (hash >>> 15), 0x2c1b3c6d) >>> (32 - slotBits)) * slotSize;
    for (;;) {
      const storedLength = slots[slot + 2]!;
      if (storedLength === 0) break;
      if (storedLength === length && slots[slot] === hash) {
        const offset = slots[slot + 1]!;
        let index = 0;
        while (index < length && arena[offset + index] === text.charCodeAt(start + index)) index += 1;
        if (index === length) return slots[slot + 3]!;
      }
      slot = (slot + slotSize) & (slotsLength - 1);
    }
    this.pendingSlot = slot;
    this.pendingHash = hash;
    return -1;
  }

  /** Stores the count of `text[start, end)`, the piece the last `lookup` missed. */
  store(text: string, start: number, end: number, count: number): void {
    const length = end - start;
    if (this.entries >= maxEntries || this.arenaUsed + length > arenaUnits) {
      this.clear();
      this.lookup(text, start, end);
    }
    const { slots, arena } = this;
    const slot = this.pendingSlot;
    const offset = this.arenaUsed;
    for (let index = 0; index < length; index += 1) arena[offset + index] = text.charCodeAt(start + index);
    this.arenaUsed = offset + length;
    this.entries += 1;
    slots[slot] = this.pendingHash;
    slots[slot + 1] = offset;
    slots[slot + 2] = length;
    slots[slot + 3] = count;
  }

  private clear(): void {
    this.slots.fill(0);
    this.arenaUsed = 0;
    this.entries = 0;
  }
}
