import { isAbortError } from '@bulwark/core';
import { sleep } from '@bulwark/core/internal';
import type { BatchResult } from '../batch-request.js';
import type { BatchJobState } from '../job-state.js';
import { jittered, nextPollIntervalMs } from './backoff.js';
import { collectBatch } from './collector.js';
import type { JobContext } from './job-context.js';
import { recoverSubmission, submitQueued } from './submitter.js';
import { cancelJob, pollBatches } from './tracker.js';

/** The runner's polling settings. */
export interface PollSettings {
  pollIntervalMs: number;
  maxPollIntervalMs: number;
}

/** Nothing queued, nothing being created, every batch's results read. */
export function isComplete(state: BatchJobState): boolean {
  return (
    state.queue.length === 0 &&
    state.submitting === null &&
    state.batches.every((batch) => batch.status === 'collected')
  );
}

/**
 * The life of a job until it is complete: submit what is queued, poll what is processing,
 * collect what ended (yielding its results and queueing its retryable requests), wait with
 * backoff, again. An abort of `userSignal` cancels the job and carries on until the batches
 * that were cancelled have ended and been collected.
 */
export async function* runJobLoop(
  job: JobContext,
  polling: PollSettings,
  userSignal: AbortSignal | undefined,
): AsyncGenerator<BatchResult> {
  const { api, state } = job;
  const lastSeen = new Map<string, string>();
  let intervalMs = polling.pollIntervalMs;
  let blockedUntil: number | undefined;
  while (!isComplete(state)) {
    try {
      // A batch whose creation a crash or an abort interrupted is found on the API first.
      if (state.submitting) await recoverSubmission(job);
      if (userSignal?.aborted && !state.canceled) await cancelJob(job);
      if (blockedUntil === undefined || api.clock.now() >= blockedUntil)
        blockedUntil = await submitQueued(job);
      let progressed = await pollBatches(job, lastSeen);
      for (const record of state.batches) {
        if (record.status !== 'ended') continue;
        yield* collectBatch(job, record);
        progressed = true;
      }
      if (isComplete(state)) break;
      // Requests queued for resubmission go out at once rather than after a wait.
      if (progressed && state.queue.length > 0 && blockedUntil === undefined) continue;
      intervalMs = nextPollIntervalMs(intervalMs, polling, progressed);
      let delayMs = jittered(intervalMs, api.random);
      if (blockedUntil !== undefined)
        delayMs = Math.min(delayMs, Math.max(0, blockedUntil - api.clock.now()));
      await sleep(api.clock, delayMs, job.signal());
    } catch (error) {
      // The caller aborted: the next turn of the loop cancels the job and collects what finished.
      if (isAbortError(error) && userSignal?.aborted && !state.canceled) continue;
      throw error;
    }
  }
}
