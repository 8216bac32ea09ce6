import type { Usage } from '@bulwark/core';
import type { BatchResult } from './batch-request.js';
import type { BatchJobState } from './job-state.js';

/** What a job came to, over every run of it. */
export interface BatchJobSummary {
  jobId: string;
  /** Requests in the job. */
  requests: number;
  /** Final results by type: each request counted once, by its last result. */
  results: { succeeded: number; errored: number; canceled: number; expired: number };
  /** Final `errored` results by the API's `error.type` (`invalid_request_error`, ...). */
  errorTypes: Record<string, number>;
  /** Requests put into a new batch after a retryable result (once per resubmission). */
  resubmitted: number;
  /** Requests never submitted because the job was cancelled first (they have no result). */
  unsubmitted: number;
  /** Every batch the job created, oldest first. */
  batchIds: string[];
  /** Tokens of the succeeded results. */
  usage: Usage;
  /** Their cost in US dollars at batch prices; `undefined` when a model has no known price. */
  costUsd: number | undefined;
  /** True when the job was cancelled through its signal. */
  canceled: boolean;
}

/**
 * A job in progress: iterate it (once) for the results as they become available; `summary()`
 * settles when the iteration ends. Nothing happens until the iteration starts.
 */
export interface BatchJob extends AsyncIterable<BatchResult> {
  readonly jobId: string;
  /**
   * The job's summary once its results have been read to the end. Rejects with the error the
   * iteration ended with, or with `AbortedError` (its `partial` the summary so far) when the
   * caller stopped iterating early: the job is then left as saved, to be picked up by a later run.
   */
  summary(): Promise<BatchJobSummary>;
}

/** The summary of a job's state. */
export function summarizeJob(state: BatchJobState): BatchJobSummary {
  const { totals } = state;
  return {
    jobId: state.jobId,
    requests: state.requests,
    results: { ...totals.results },
    errorTypes: { ...totals.errorTypes },
    resubmitted: totals.resubmitted,
    unsubmitted: totals.unsubmitted,
    batchIds: state.batches.map((batch) => batch.id),
    usage: { ...totals.usage },
    costUsd: totals.unpricedModels.length > 0 ? undefined : totals.costUsd,
    canceled: state.canceled,
  };
}
