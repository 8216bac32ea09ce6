import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { BatchJobQueueEntry } from '../job-state.js';
import { batchEnvelopeBytes, type JobInput } from './job-input.js';
import { nextChunk, queuedRequests, withoutChunk } from './split.js';

function inputOf(sizes: number[]): JobInput {
  return {
    requests: sizes.map((_, index) => ({
      custom_id: `r${index}`,
      params: { model: 'm', max_tokens: 1, messages: [{ role: 'user', content: 'x' }] },
    })),
    requestBytes: sizes,
    indexOf: new Map(sizes.map((_, index) => [`r${index}`, index])),
    fingerprint: 'f',
  };
}

/** Splits the whole queue, as the runner does. */
function splitAll(
  queue: BatchJobQueueEntry[],
  input: JobInput,
  limits: { maxBatchRequests: number; maxBatchBytes: number },
) {
  const chunks = [];
  let rest = queue;
  for (let chunk = nextChunk(rest, input, limits); chunk; chunk = nextChunk(rest, input, limits)) {
    chunks.push(chunk);
    rest = withoutChunk(rest, chunk.indexes.length);
  }
  return chunks;
}

describe('nextChunk', () => {
  it('splits by count', () => {
    const input = inputOf(Array(10).fill(10));
    const chunks = splitAll([{ round: 1, from: 0, to: 10 }], input, {
      maxBatchRequests: 4,
      maxBatchBytes: 10_000,
    });
    expect(chunks.map((chunk) => chunk.indexes.length)).toEqual([4, 4, 2]);
  });

  it('splits by the size of the request body, envelope and commas included', () => {
    const input = inputOf([100, 100, 100]);
    const limit = batchEnvelopeBytes + 100 + 1 + 100;
    const chunks = splitAll([{ round: 1, from: 0, to: 3 }], input, {
      maxBatchRequests: 100,
      maxBatchBytes: limit,
    });
    expect(chunks.map((chunk) => chunk.indexes)).toEqual([[0, 1], [2]]);
    expect(chunks[0]?.bytes).toBe(limit);
  });

  it('takes resubmissions by custom_id, one round per batch', () => {
    const input = inputOf([5, 5, 5, 5]);
    const queue: BatchJobQueueEntry[] = [
      { round: 1, from: 3, to: 4 },
      { round: 2, customIds: ['r2', 'r0'] },
    ];
    const chunks = splitAll(queue, input, { maxBatchRequests: 10, maxBatchBytes: 10_000 });
    expect(chunks.map((chunk) => [chunk.round, chunk.indexes])).toEqual([
      [1, [3]],
      [2, [2, 0]],
    ]);
  });

  it('takes exactly the count it is asked for, to match a batch created before a crash', () => {
    const input = inputOf(Array(10).fill(10));
    const chunk = nextChunk(
      [{ round: 1, from: 0, to: 10 }],
      input,
      { maxBatchRequests: 2, maxBatchBytes: 50 },
      7,
    );
    expect(chunk?.indexes).toHaveLength(7);
  });

  it('keeps every request exactly once, in order, within the limits (property)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 1, max: 500 }), { minLength: 1, maxLength: 200 }),
        fc.integer({ min: 1, max: 50 }),
        fc.integer({ min: 0, max: 2_000 }),
        (sizes, maxBatchRequests, extraBytes) => {
          const maxBatchBytes = batchEnvelopeBytes + 500 + extraBytes;
          const input = inputOf(sizes);
          const queue: BatchJobQueueEntry[] = [{ round: 1, from: 0, to: sizes.length }];
          const chunks = splitAll(queue, input, { maxBatchRequests, maxBatchBytes });
          expect(chunks.flatMap((chunk) => chunk.indexes)).toEqual(sizes.map((_, index) => index));
          for (const chunk of chunks) {
            expect(chunk.indexes.length).toBeLessThanOrEqual(maxBatchRequests);
            expect(chunk.bytes).toBeLessThanOrEqual(maxBatchBytes);
          }
          expect(queuedRequests(queue)).toBe(sizes.length);
        },
      ),
    );
  });
});
