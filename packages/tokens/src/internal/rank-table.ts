/** The two encodings Bulwark counts with. */
export type EncodingName = 'cl100k_base' | 'o200k_base';

/** What js-tiktoken's rank modules export. */
export interface RankFile {
  pat_str: string;
  special_tokens: Record<string, number>;
  bpe_ranks: string;
}

/**
 * js-tiktoken's rank table, keyed by the token's bytes as a "binary string" (one char per
 * byte, 0–255). A binary string hashes natively in a `Map`, where js-tiktoken joins bytes
 * with commas on every lookup; and an ASCII piece is already its own binary string.
 */
export interface RankTable {
  readonly ranks: Map<string, number>;
  /** Rank → the token's bytes as a binary string. */
  readonly tokenBytes: string[];
  /** Byte value → rank of the single-byte token. */
  readonly byteRanks: Int32Array;
  /** The longest token in bytes: a longer piece cannot be a single token. */
  readonly maxTokenBytes: number;
}

const base64Alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
const base64Values = new Int16Array(128).fill(-1);
for (let index = 0; index < base64Alphabet.length; index += 1) {
  base64Values[base64Alphabet.charCodeAt(index)] = index;
}

/** Decodes standard base64 into a binary string (no `atob`, which is slow on some runtimes). */
export function base64ToBinary(encoded: string): string {
  const codes: number[] = [];
  let buffer = 0;
  let bits = 0;
  for (let index = 0; index < encoded.length; index += 1) {
    const unit = encoded.charCodeAt(index);
    const value = unit < 128 ? base64Values[unit]! : -1;
    if (value < 0) continue; // padding and anything else
    buffer = (buffer << 6) | value;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      codes.push((buffer >> bits) & 0xff);
    }
  }
  return String.fromCharCode(...codes);
}

/**
 * Parses js-tiktoken's compressed rank format: lines of `<ignored> <offset> <token>...` where
 * the n-th base64 token of a line has rank `offset + n` (the same reading as js-tiktoken's
 * own constructor).
 */
export function parseRankTable(bpeRanks: string): RankTable {
  const ranks = new Map<string, number>();
  const tokenBytes: string[] = [];
  let maxTokenBytes = 0;
  for (const line of bpeRanks.split('\n')) {
    if (line.length === 0) continue;
    const fields = line.split(' ');
    const offset = Number.parseInt(fields[1] ?? '', 10);
    for (let index = 2; index < fields.length; index += 1) {
      const bytes = base64ToBinary(fields[index]!);
      const rank = offset + index - 2;
      ranks.set(bytes, rank);
      tokenBytes[rank] = bytes;
      if (bytes.length > maxTokenBytes) maxTokenBytes = bytes.length;
    }
  }
  const byteRanks = new Int32Array(256);
  for (let byte = 0; byte < 256; byte += 1) {
    const rank = ranks.get(String.fromCharCode(byte));
    if (rank === undefined) throw new Error(`The rank table has no token for byte ${byte}`);
    byteRanks[byte] = rank;
  }
  return { ranks, tokenBytes, byteRanks, maxTokenBytes };
}
