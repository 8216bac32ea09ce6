import { BatchApiError } from '../errors.js';
import { callWithRetries } from './api-call.js';
import { finishedRequests, type JobContext } from './job-context.js';
import { queuedRequests } from './split.js';

/**
 * Polls every batch still processing once: emits `batch:progress`, and marks and announces
 * those that ended. Returns whether any batch moved since `lastSeen` (which it updates).
 */
export async function pollBatches(job: JobContext, lastSeen: Map<string, string>): Promise<boolean> {
  const { state, api, client } = job;
  let progressed = false;
  for (const record of state.batches) {
    if (record.status !== 'in_progress') continue;
    const signal = job.signal();
    const options = { maxRetries: 0, ...(signal ? { signal } : {}) };
    const batch = await callWithRetries(
      api,
      'retrieve',
      record.id,
      () => client.messages.batches.retrieve(record.id, {}, options),
      signal,
    );
    const counts = batch.request_counts;
    const requestCounts = {
      processing: counts.processing,
      succeeded: counts.succeeded,
      errored: counts.errored,
      canceled: counts.canceled,
      expired: counts.expired,
    };
    const seen = `${batch.processing_status} ${JSON.stringify(requestCounts)}`;
    if (lastSeen.get(record.id) !== seen) progressed = true;
    lastSeen.set(record.id, seen);
    api.bus.emit('batch:progress', {
      jobId: state.jobId,
      batchId: record.id,
      processingStatus: batch.processing_status,
      requestCounts,
      jobFinished: finishedRequests(job),
      jobRequests: state.requests,
    });
    if (batch.processing_status !== 'ended') continue;
    record.status = 'ended';
    await job.store.save(state);
    const processingMs = batch.ended_at
      ? Math.max(0, Date.parse(batch.ended_at) - Date.parse(batch.created_at))
      : 0;
    api.bus.emit('batch:ended', { jobId: state.jobId, batchId: record.id, requestCounts, processingMs });
  }
  return progressed;
}

/**
 * Cancels the job: asks the API to cancel every batch still processing (`batch:canceled`),
 * drops the requests not yet submitted, and saves. Polling and collecting go on afterwards,
 * so the results that had finished are still delivered.
 */
export async function cancelJob(job: JobContext): Promise<void> {
  const { state, api, client } = job;
  if (!state.canceled) {
    state.canceled = true;
    state.totals.unsubmitted += queuedRequests(state.queue);
    state.queue = [];
    await job.store.save(state);
  }
  for (const record of state.batches) {
    if (record.status !== 'in_progress' || record.cancelRequested) continue;
    try {
      await callWithRetries(api, 'cancel', record.id, () =>
        client.messages.batches.cancel(record.id, {}, { maxRetries: 0 }),
      );
    } catch (error) {
      // The API refuses to cancel a batch that has already ended; polling will show it ended.
      if (!(BatchApiError.isInstance(error) && error.status !== undefined && error.status < 500)) throw error;
    }
    record.cancelRequested = true;
    await job.store.save(state);
    api.bus.emit('batch:canceled', { jobId: state.jobId, batchId: record.id });
  }
}
