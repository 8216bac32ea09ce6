import type Anthropic from '@anthropic-ai/sdk';
import type { BatchUsageLedger } from '../batch-usage.js';
import type { BatchJobState } from '../job-state.js';
import type { ApiCallContext } from './api-call.js';
import type { JobInput } from './job-input.js';
import type { JobStore } from './job-store.js';
import type { BatchLimits } from './split.js';

/** Everything the steps of one run of a job share. */
export interface JobContext {
  readonly client: Anthropic;
  readonly input: JobInput;
  readonly store: JobStore;
  /** Changed in place by the steps, saved through `store` at each transition. */
  readonly state: BatchJobState;
  readonly api: ApiCallContext;
  readonly limits: BatchLimits;
  /** How many times a request may be resubmitted after a retryable result. */
  readonly retryErrored: number;
  /** Save the state after this many result lines, besides every transition. */
  readonly checkpointEveryResults: number;
  readonly ledger: BatchUsageLedger;
  /** The caller's signal until the job is cancelled; `undefined` after, so the clean-up runs to its end. */
  signal(): AbortSignal | undefined;
}

/** How many requests of the job have their final result. */
export function finishedRequests(job: JobContext): number {
  const { succeeded, errored, canceled, expired } = job.state.totals.results;
  return succeeded + errored + canceled + expired;
}
