import { addUsage, emptyUsage, type Usage } from '@bulwark/core';
import {
  type BatchResult,
  type BatchResultType,
  batchErrorTypeOf,
  retryableBatchErrorTypes,
} from '../batch-request.js';
import type { BatchJobBatchRecord } from '../job-state.js';
import type { JobContext } from './job-context.js';
import { readResultLines } from './results-reader.js';

/** What one run read from one batch's results. */
interface CollectedFigures {
  results: Record<BatchResultType, number>;
  usage: Usage;
  costUsd: number | undefined;
  priced: boolean;
}

/** A request goes into a new batch when it expired or errored with a retryable type, while retries remain. */
function shouldResubmit(job: JobContext, record: BatchJobBatchRecord, line: BatchResult): boolean {
  if (job.state.canceled || record.round > job.retryErrored) return false;
  if (line.result.type === 'expired') return true;
  const errorType = batchErrorTypeOf(line);
  return errorType !== undefined && retryableBatchErrorTypes.includes(errorType);
}

/** Adds a final result to the job's totals (and its tokens and cost to the ledger). */
function countFinal(job: JobContext, line: BatchResult, figures: CollectedFigures): void {
  const { totals } = job.state;
  const type = line.result.type;
  totals.results[type] += 1;
  figures.results[type] += 1;
  const errorType = batchErrorTypeOf(line);
  if (errorType !== undefined) totals.errorTypes[errorType] = (totals.errorTypes[errorType] ?? 0) + 1;
  if (line.result.type !== 'succeeded') return;
  const cost = job.ledger.record(line.result.message);
  totals.usage = addUsage(totals.usage, cost.usage);
  figures.usage = addUsage(figures.usage, cost.usage);
  if (cost.costUsd === undefined) {
    figures.priced = false;
    if (!totals.unpricedModels.includes(cost.model)) totals.unpricedModels.push(cost.model);
  } else {
    totals.costUsd += cost.costUsd;
    figures.costUsd = (figures.costUsd ?? 0) + cost.costUsd;
  }
}

/** Marks the batch collected and queues its retryable requests as a new round, in one save. */
async function finishCollection(job: JobContext, record: BatchJobBatchRecord, figures: CollectedFigures) {
  const { state, api } = job;
  const resubmitted = record.retryIds.length;
  if (resubmitted > 0) {
    state.queue.push({ round: record.round + 1, customIds: record.retryIds });
    state.totals.resubmitted += resubmitted;
    api.bus.emit('batch:retrying', {
      jobId: state.jobId,
      fromBatchId: record.id,
      requestCount: resubmitted,
      errored: resubmitted - record.retryExpired,
      expired: record.retryExpired,
      round: record.round + 1,
    });
  }
  record.retryIds = [];
  record.retryExpired = 0;
  record.status = 'collected';
  await job.store.save(state);
  const { succeeded, errored, canceled, expired } = figures.results;
  api.bus.emit('batch:collected', {
    jobId: state.jobId,
    batchId: record.id,
    results: { succeeded, errored, canceled, expired },
    resubmitted,
    usage: figures.usage,
    costUsd: figures.priced ? (figures.costUsd ?? 0) : undefined,
  });
}

/**
 * Reads an ended batch's results from where the job left off and yields each final result;
 * retryable ones are kept for a new batch instead. The state is saved every
 * `checkpointEveryResults` lines and when the batch is done, so a crash re-delivers at most
 * that many results.
 */
export async function* collectBatch(
  job: JobContext,
  record: BatchJobBatchRecord,
): AsyncGenerator<BatchResult> {
  const figures: CollectedFigures = {
    results: { succeeded: 0, errored: 0, canceled: 0, expired: 0 },
    usage: emptyUsage(),
    costUsd: undefined,
    priced: true,
  };
  for await (const line of readResultLines(job.client, record.id, record.linesRead, job.api)) {
    record.linesRead += 1;
    if (shouldResubmit(job, record, line)) {
      record.retryIds.push(line.custom_id);
      if (line.result.type === 'expired') record.retryExpired += 1;
    } else {
      countFinal(job, line, figures);
      yield line;
    }
    if (record.linesRead % job.checkpointEveryResults === 0) await job.store.save(job.state);
  }
  await finishCollection(job, record, figures);
}
