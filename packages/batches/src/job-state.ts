import type { Usage } from '@bulwark/core';

/** The `format` of the job state this version writes and reads. */
export const batchJobStateFormat = 'bulwark.batch-job/1';

/** The `CheckpointStore` key under which a job's state is saved: `batch-job:<jobId>`. */
export function batchJobStateKey(jobId: string): string {
  return `batch-job:${jobId}`;
}

/**
 * Requests waiting to be submitted: a range of the job's requests in input order (the first
 * round), or the `custom_id`s of requests to resubmit (later rounds).
 */
export type BatchJobQueueEntry =
  | { round: number; from: number; to: number }
  | { round: number; customIds: string[] };

/** One Message Batch the job created. */
export interface BatchJobBatchRecord {
  /** The API's id, `msgbatch_...`. */
  id: string;
  round: number;
  requestCount: number;
  bytes: number;
  /** Runner clock, epoch ms. */
  submittedAt: number;
  /** `collected` once every line of its results was read and acknowledged. */
  status: 'in_progress' | 'ended' | 'collected';
  /** Lines of the results file already handled (delivered, or kept for a resubmission). */
  linesRead: number;
  /** Requests of this batch found retryable so far, resubmitted once the batch is collected. */
  retryIds: string[];
  /** Of `retryIds`, how many had expired (the rest errored with a retryable type). */
  retryExpired: number;
  /** True once the job asked the API to cancel this batch. */
  cancelRequested: boolean;
}

/** Running totals of a job, over every run of it. */
export interface BatchJobTotals {
  results: { succeeded: number; errored: number; canceled: number; expired: number };
  /** Final `errored` results by the API's `error.type`. */
  errorTypes: Record<string, number>;
  /** Requests put into a new batch after a retryable result (counted once per resubmission). */
  resubmitted: number;
  /** Requests never submitted because the job was cancelled first. */
  unsubmitted: number;
  usage: Usage;
  /** At batch prices, over the models that have a price. */
  costUsd: number;
  /** Models of succeeded results with no known price (their tokens are in `usage`, not in `costUsd`). */
  unpricedModels: string[];
}

/**
 * What a job saves in the `CheckpointStore` as it changes: enough to pick up after a crash
 * without submitting any batch twice or delivering any result twice. Request bodies are not
 * saved: `run` is given the same requests again, and `inputFingerprint` checks they are.
 */
export interface BatchJobState {
  format: typeof batchJobStateFormat;
  jobId: string;
  /** Requests in the job. */
  requests: number;
  /** A hash of every request line in order. */
  inputFingerprint: string;
  /** Runner clock, epoch ms. */
  createdAt: number;
  /** Requests not yet submitted, in order. */
  queue: BatchJobQueueEntry[];
  /**
   * Set just before a batch is created and cleared once its id is saved: the next run looks
   * on the API for a batch of `requestCount` requests it does not know, created since
   * `startedAt` (runner clock), and adopts it instead of creating it again.
   */
  submitting: { round: number; requestCount: number; startedAt: number } | null;
  /** Every batch created, oldest first. */
  batches: BatchJobBatchRecord[];
  totals: BatchJobTotals;
  /** True once the job was cancelled through its signal: nothing more is submitted. */
  canceled: boolean;
  /** True once every request has its final result (or the cancelled job was collected). */
  finished: boolean;
}
