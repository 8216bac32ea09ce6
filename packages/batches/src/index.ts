export type { BatchJob, BatchJobSummary } from './batch-job.js';
export {
  type BatchRequest,
  type BatchResult,
  type BatchResultType,
  batchErrorTypeOf,
  retryableBatchErrorTypes,
} from './batch-request.js';
export { type BatchRunner, createBatchRunner } from './batch-runner.js';
export type { BatchRunnerOptions, BatchRunOptions } from './batch-runner-options.js';
export type { BatchModelUsage, BatchUsage } from './batch-usage.js';
export { BatchApiError, type BatchOperation, BatchStateError } from './errors.js';
export {
  type BatchJobBatchRecord,
  type BatchJobQueueEntry,
  type BatchJobState,
  type BatchJobTotals,
  batchJobStateFormat,
  batchJobStateKey,
} from './job-state.js';
