import { hashString } from '@bulwark/core/internal';

/** A seeded generator of floats in [0, 1) (mulberry32). */
export function createRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let value = state;
    value = Math.imul(value ^ (value >>> 15), value | 1);
    value ^= value + Math.imul(value ^ (value >>> 7), value | 61);
    return ((value ^ (value >>> 14)) >>> 0) / 4294967296;
  };
}

/** A seeded generator for `parts`, e.g. `randomFor(seed, 'text', requestKey)`. */
export function randomFor(seed: number, ...parts: string[]): () => number {
  return createRandom(hashString(parts.join('\u0000'), seed));
}

const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

/** A deterministic id body of `length` base-62 characters. */
export function randomId(random: () => number, length: number): string {
  let id = '';
  for (let index = 0; index < length; index += 1) id += alphabet[Math.floor(random() * alphabet.length)];
  return id;
}

/** JSON with object keys sorted, so that equal requests give equal keys whatever their key order. */
export function stableStringify(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value)) return `[${value.map(stableStringify).join(',')}]`;
  const record = value as Record<string, unknown>;
  const keys = Object.keys(record)
    .filter((key) => record[key] !== undefined)
    .sort();
  return `{${keys.map((key) => `${JSON.stringify(key)}:${stableStringify(record[key])}`).join(',')}}`;
}
