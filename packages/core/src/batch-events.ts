import type { ErrorSummary } from './request-events.js';
import type { Usage } from './usage.js';

/** How many requests of a Message Batch are in each state, as the API counts them. */
export interface BatchRequestCounts {
  processing: number;
  succeeded: number;
  errored: number;
  canceled: number;
  expired: number;
}

/** A job of `@bulwark/batches` starts or resumes. */
export interface BatchJobStartEvent {
  jobId: string;
  /** Requests in the job. */
  requests: number;
  /** True when the job's state was found in the store and the run picks it up. */
  resumed: boolean;
  /** Requests that already have their final result (0 for a new job). */
  finished: number;
  /** Batches already submitted (0 for a new job). */
  batches: number;
}

/** A Message Batch was created on the API (or, after a crash, found there and adopted). */
export interface BatchSubmittedEvent {
  jobId: string;
  batchId: string;
  requestCount: number;
  /** Size of the batch's request body in bytes. */
  bytes: number;
  /** 1 for a first submission; 2 and more for batches of resubmitted requests. */
  round: number;
  /** True when the batch was created before a crash and recognised on the API instead of sent again. */
  adopted: boolean;
}

/** A poll of a Message Batch: its state and request counts. */
export interface BatchProgressEvent {
  jobId: string;
  batchId: string;
  processingStatus: 'in_progress' | 'canceling' | 'ended';
  requestCounts: BatchRequestCounts;
  /** Requests of the whole job that have their final result. */
  jobFinished: number;
  /** Requests in the whole job. */
  jobRequests: number;
}

/** A Message Batch finished processing; its results are about to be read. */
export interface BatchEndedEvent {
  jobId: string;
  batchId: string;
  requestCounts: BatchRequestCounts;
  /** From the batch's `created_at` to its `ended_at`. */
  processingMs: number;
}

/** A Message Batch's results file was read to its end. */
export interface BatchCollectedEvent {
  jobId: string;
  batchId: string;
  /** Final results delivered from this batch, by type. */
  results: Omit<BatchRequestCounts, 'processing'>;
  /** Requests of this batch that go into a new batch (errored with a retryable type, or expired). */
  resubmitted: number;
  /** Tokens of the succeeded results. */
  usage: Usage;
  /** Their cost in US dollars at batch prices (half the list price); `undefined` when a model has no price. */
  costUsd: number | undefined;
}

/** Requests whose result was retryable go into a new batch. */
export interface BatchRetryingEvent {
  jobId: string;
  /** The batch whose results asked for it. */
  fromBatchId: string;
  requestCount: number;
  /** Of those, errored with a retryable error type. */
  errored: number;
  /** Of those, expired. */
  expired: number;
  /** The round the new batch belongs to (2 for the first resubmission). */
  round: number;
}

/** A call to the batch endpoints failed for a reason worth waiting out (429, 5xx, a dropped connection). */
export interface BatchThrottledEvent {
  jobId: string;
  operation: 'create' | 'retrieve' | 'results' | 'cancel' | 'list';
  batchId?: string;
  error: ErrorSummary;
  /** The wait before the call is tried again (the API's `retry-after` when it sent one). */
  delayMs: number;
  /** Failed attempts of this call so far. */
  attempt: number;
}

/** The job was cancelled through its signal: the batch was asked to stop on the API. */
export interface BatchCanceledEvent {
  jobId: string;
  batchId: string;
}

/** A job finished (or stopped after a cancellation): its final counts, tokens and cost. */
export interface BatchJobEndEvent {
  jobId: string;
  requests: number;
  /** Final results by type, over every run of the job. */
  results: Omit<BatchRequestCounts, 'processing'>;
  /** Requests never submitted because the job was cancelled first. */
  unsubmitted: number;
  /** Batches created over every run of the job. */
  batches: number;
  usage: Usage;
  /** Cost in US dollars at batch prices; `undefined` when a model has no price. */
  costUsd: number | undefined;
  canceled: boolean;
}
