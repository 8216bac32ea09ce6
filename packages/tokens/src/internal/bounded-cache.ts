/**
 * A bounded map with two generations: lookups hit the young map, then the old one (and are
 * promoted); when the young map is full it becomes the old one and the previous old one is
 * dropped. An approximate LRU with O(1) operations and at most `2 × capacity` entries.
 */
export class BoundedCache<Key, Value> {
  private readonly capacity: number;
  private young = new Map<Key, Value>();
  private old = new Map<Key, Value>();

  constructor(capacity: number) {
    this.capacity = capacity;
  }

  get(key: Key): Value | undefined {
    const young = this.young.get(key);
    if (young !== undefined) return young;
    const old = this.old.get(key);
    if (old !== undefined) this.set(key, old);
    return old;
  }

  set(key: Key, value: Value): void {
    if (this.young.size >= this.capacity) {
      this.old = this.young;
      this.young = new Map();
    }
    this.young.set(key, value);
  }

  delete(key: Key): void {
    this.young.delete(key);
    this.old.delete(key);
  }

  get size(): number {
    return this.young.size + this.old.size;
  }
}
