import { expect } from 'vitest';
import type { Chunk } from '../chunk.js';

/**
 * Checks every provenance invariant of `chunks` against `source` (the bytes they came from,
 * `bomLength` bytes of BOM first): each chunk's text is exactly its byte range, ranges follow
 * each other with only the declared overlap, they cover the source, and line numbers match.
 */
export function expectExactProvenance(source: Uint8Array, chunks: readonly Chunk[], bomLength = 0): void {
  const buffer = Buffer.from(source);
  let expectedStart = bomLength;
  const pieces: Buffer[] = [];
  chunks.forEach((chunk, position) => {
    expect(chunk.index).toBe(position);
    expect(chunk.byteStart).toBe(expectedStart - chunk.overlapBytes);
    const bytes = Buffer.from(chunk.text, 'utf8');
    expect(bytes.equals(buffer.subarray(chunk.byteStart, chunk.byteEnd))).toBe(true);
    pieces.push(bytes.subarray(chunk.overlapBytes));
    expectedStart = chunk.byteEnd;
    const linesBefore = countByte(buffer.subarray(0, chunk.byteStart), 10);
    expect(chunk.lineStart).toBe(linesBefore + 1);
    const inside = countByte(bytes.subarray(0, Math.max(0, bytes.length - 1)), 10);
    expect(chunk.lineEnd).toBe(chunk.lineStart + inside);
  });
  expect(Buffer.concat(pieces).equals(buffer.subarray(bomLength))).toBe(true);
}

function countByte(bytes: Uint8Array, byte: number): number {
  let count = 0;
  for (const value of bytes) if (value === byte) count += 1;
  return count;
}
