/**
 * Saves partial results by key, so work survives the process. Values are JSON-serialisable.
 * `@bulwark/files` provides one on disk with atomic writes; `createMemoryCheckpointStore`
 * keeps them in memory.
 */
export interface CheckpointStore<TValue = unknown> {
  save(key: string, value: TValue): Promise<void>;
  /** The value saved under `key`, or `undefined` if none is. */
  load(key: string): Promise<TValue | undefined>;
  /** Removes `key`; removing a missing key is not an error. */
  delete(key: string): Promise<void>;
  /** Every key saved. */
  keys(): Promise<string[]>;
}

/**
 * A checkpoint store in memory. Values are copied through JSON on save and load, as a disk
 * store would, so a caller mutating its object later does not change what was saved.
 */
export function createMemoryCheckpointStore<TValue = unknown>(): CheckpointStore<TValue> {
  const saved = new Map<string, string>();
  return {
    async save(key, value) {
      saved.set(key, JSON.stringify(value));
    },
    async load(key) {
      const json = saved.get(key);
      return json === undefined ? undefined : (JSON.parse(json) as TValue);
    },
    async delete(key) {
      saved.delete(key);
    },
    async keys() {
      return [...saved.keys()];
    },
  };
}
