import type { BatchJobQueueEntry } from '../job-state.js';
import { batchEnvelopeBytes, type JobInput } from './job-input.js';

/** The API's limits on one batch, or lower ones. */
export interface BatchLimits {
  maxBatchRequests: number;
  maxBatchBytes: number;
}

/** The requests of the next batch to create, by position in the job's input. */
export interface Chunk {
  round: number;
  indexes: number[];
  /** The size of the batch's request body. */
  bytes: number;
}

function entryLength(entry: BatchJobQueueEntry): number {
  return 'customIds' in entry ? entry.customIds.length : entry.to - entry.from;
}

function entryIndexAt(entry: BatchJobQueueEntry, offset: number, input: JobInput): number {
  if (!('customIds' in entry)) return entry.from + offset;
  // Every saved custom_id was checked against the input when the state was loaded.
  return input.indexOf.get(entry.customIds[offset] as string) as number;
}

/**
 * The next batch from the head of the queue: as many requests of the head entry as fit within
 * `limits` (one round per batch), or exactly `count` of them when given (to recognise a batch
 * created before a crash). `undefined` when the queue is empty.
 */
export function nextChunk(
  queue: readonly BatchJobQueueEntry[],
  input: JobInput,
  limits: BatchLimits,
  count?: number,
): Chunk | undefined {
  const entry = queue[0];
  if (!entry) return undefined;
  const available = entryLength(entry);
  const indexes: number[] = [];
  let bytes = batchEnvelopeBytes;
  for (let offset = 0; offset < available; offset += 1) {
    if (count !== undefined ? indexes.length >= count : indexes.length >= limits.maxBatchRequests) break;
    const index = entryIndexAt(entry, offset, input);
    const added = (input.requestBytes[index] as number) + (indexes.length > 0 ? 1 : 0);
    if (count === undefined && indexes.length > 0 && bytes + added > limits.maxBatchBytes) break;
    indexes.push(index);
    bytes += added;
  }
  return { round: entry.round, indexes, bytes };
}

/** The queue without the first `count` requests of its head entry. */
export function withoutChunk(queue: readonly BatchJobQueueEntry[], count: number): BatchJobQueueEntry[] {
  const [entry, ...rest] = queue;
  if (!entry) return [];
  if (count >= entryLength(entry)) return rest;
  const remaining: BatchJobQueueEntry =
    'customIds' in entry
      ? { round: entry.round, customIds: entry.customIds.slice(count) }
      : { round: entry.round, from: entry.from + count, to: entry.to };
  return [remaining, ...rest];
}

/** Requests waiting in the queue. */
export function queuedRequests(queue: readonly BatchJobQueueEntry[]): number {
  return queue.reduce((sum, entry) => sum + entryLength(entry), 0);
}
