/**
 * What happens to one request of a batch instead of its normal answer: `errored` with an API
 * error type (`api_error` unless given), `expired` (not processed before the batch expired) or
 * `canceled` (as if its batch had been cancelled before it ran).
 */
export type BatchItemFault =
  | { kind: 'errored'; errorType?: string; message?: string }
  | { kind: 'expired' }
  | { kind: 'canceled' };

/** Per-request faults of the batch endpoints. */
export interface BatchFaultPlan {
  /**
   * By `custom_id`: the fault of its first submission, or a list of faults by submission
   * (the first applies to its first batch, the second to the batch it is resubmitted in, ...).
   * A submission past the list's end is answered normally.
   */
  byCustomId?: Record<string, BatchItemFault | BatchItemFault[]>;
  /** Drawn from the seed, the `custom_id` and its submission number, so a run is repeatable. */
  random?: { probability: number; faults: BatchItemFault[] };
}

/** How the mock's Message Batches endpoints behave. Every option is optional. */
export interface MockBatchOptions {
  /** Requests each batch processes per second of the server's clock. @default 1000 */
  requestsPerSecond?: number;
  /**
   * Requests that may wait in the processing queue (unprocessed requests of every batch in
   * progress); a batch that would pass it is refused with the API's 429. @default 1000000
   */
  queueLimit?: number;
  /** Requests one batch may hold; more is the API's 400. @default 100000 */
  maxRequestsPerBatch?: number;
  /** Bytes of one batch's request body; more is the API's 413. @default 268435456 (256 MB) */
  maxBatchBytes?: number;
  /** From creation until unprocessed requests expire. @default 86400000 (24 h) */
  expiresAfterMs?: number;
  /** From a cancel request until the batch has ended (`canceling` meanwhile). @default 1000 */
  cancelDelayMs?: number;
  /** Per-request faults. @default none */
  faults?: BatchFaultPlan;
  /**
   * The first download of each batch's results file breaks off (the socket is destroyed) after
   * this many lines; later downloads are whole. For tests of readers that resume. @default none
   */
  dropResultsAfterLines?: number | undefined;
  /**
   * For tests of large results files only: each succeeded result gets an extra text block of
   * this many bytes (so it no longer equals the synchronous answer). @default 0
   */
  resultPaddingBytes?: number;
}
