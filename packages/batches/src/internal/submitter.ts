import type Anthropic from '@anthropic-ai/sdk';
import { isAbortError } from '@bulwark/core';
import { sleep, summarizeError } from '@bulwark/core/internal';
import { type ApiFailure, batchApiError, callWithRetries, classifyApiFailure } from './api-call.js';
import { apiRetryDelayMs } from './backoff.js';
import type { JobContext } from './job-context.js';
import { type Chunk, nextChunk, withoutChunk } from './split.js';

type MessageBatch = Anthropic.Messages.Batches.MessageBatch;

/** How far before the saved start a batch found on the API may have been created (clock skew). */
const adoptionSkewMs = 5 * 60_000;
/** Pages of the batch list searched for a batch created before a crash. */
const adoptionPages = 5;

function totalRequests(batch: MessageBatch): number {
  const counts = batch.request_counts;
  return counts.processing + counts.succeeded + counts.errored + counts.canceled + counts.expired;
}

/** Saves the new batch's id and takes its requests off the queue, in one save. */
async function recordBatch(job: JobContext, batch: MessageBatch, chunk: Chunk, adopted: boolean) {
  const { state } = job;
  state.batches.push({
    id: batch.id,
    round: chunk.round,
    requestCount: chunk.indexes.length,
    bytes: chunk.bytes,
    submittedAt: job.api.clock.now(),
    status: 'in_progress',
    linesRead: 0,
    retryIds: [],
    retryExpired: 0,
    cancelRequested: false,
  });
  state.queue = withoutChunk(state.queue, chunk.indexes.length);
  state.submitting = null;
  await job.store.save(state);
  job.api.bus.emit('batch:submitted', {
    jobId: state.jobId,
    batchId: batch.id,
    requestCount: chunk.indexes.length,
    bytes: chunk.bytes,
    round: chunk.round,
    adopted,
  });
}

/**
 * A batch of `requestCount` requests that the API holds and the job does not know, created
 * since `startedAt`: the one a crash (or a lost answer) kept the job from recording. Only a
 * single match is taken; with none or several, the requests are submitted again.
 */
async function findUnrecordedBatch(
  job: JobContext,
  requestCount: number,
  startedAt: number,
): Promise<MessageBatch | undefined> {
  const known = new Set(job.state.batches.map((batch) => batch.id));
  const since = startedAt - adoptionSkewMs;
  const matches: MessageBatch[] = [];
  let page = await callWithRetries(job.api, 'list', undefined, () =>
    job.client.messages.batches.list({ limit: 100 }, { maxRetries: 0 }),
  );
  for (let pages = 1; pages <= adoptionPages; pages += 1) {
    let older = false;
    for (const batch of page.data) {
      if (Date.parse(batch.created_at) < since) older = true;
      else if (!known.has(batch.id) && totalRequests(batch) === requestCount) matches.push(batch);
    }
    if (older || !page.hasNextPage()) break;
    const current = page;
    page = await callWithRetries(job.api, 'list', undefined, () => current.getNextPage());
  }
  return matches.length === 1 ? matches[0] : undefined;
}

/**
 * After a crash between "about to create a batch" and "saved its id": adopts the batch if the
 * API has it, so its requests are not paid for twice; otherwise leaves them queued.
 */
export async function recoverSubmission(job: JobContext): Promise<void> {
  const pending = job.state.submitting;
  if (!pending) return;
  const batch = await findUnrecordedBatch(job, pending.requestCount, pending.startedAt);
  if (batch) {
    const chunk = nextChunk(job.state.queue, job.input, job.limits, pending.requestCount) as Chunk;
    await recordBatch(job, batch, chunk, true);
    return;
  }
  job.state.submitting = null;
  await job.store.save(job.state);
}

function emitThrottled(
  job: JobContext,
  error: unknown,
  failure: ApiFailure,
  delayMs: number,
  attempt: number,
) {
  job.api.bus.emit('batch:throttled', {
    jobId: job.state.jobId,
    operation: 'create',
    error: summarizeError(error, { status: failure.status, type: failure.type }),
    delayMs,
    attempt,
  });
}

/**
 * Creates one batch from the head of the queue. Returns the time until which creation is
 * refused (the API's 429 for a full processing queue) or `undefined` once the batch exists. A
 * failure that may have created the batch (5xx, a lost connection) is followed by a look at
 * the API before the next try.
 */
async function submitChunk(job: JobContext, chunk: Chunk): Promise<number | undefined> {
  const { state, api } = job;
  const requests = chunk.indexes.map((index) => job.input.requests[index]!);
  state.submitting = { round: chunk.round, requestCount: requests.length, startedAt: api.clock.now() };
  await job.store.save(state);
  for (let attempt = 1; ; attempt += 1) {
    let batch: MessageBatch;
    try {
      const signal = job.signal();
      batch = await job.client.messages.batches.create(
        { requests },
        { maxRetries: 0, ...(signal ? { signal } : {}) },
      );
    } catch (error) {
      if (isAbortError(error)) throw error;
      const failure = classifyApiFailure(error, api.clock.now());
      // A refusal (4xx) created nothing; a timeout, a conflict, a 5xx or a lost connection may have.
      const definitelyNotCreated =
        failure.status !== undefined &&
        failure.status < 500 &&
        failure.status !== 408 &&
        failure.status !== 409;
      if (definitelyNotCreated) {
        state.submitting = null;
        await job.store.save(state);
      }
      const delayMs = apiRetryDelayMs(attempt, failure.retryAfterMs, api.random);
      if (failure.status === 429) {
        emitThrottled(job, error, failure, delayMs, attempt);
        return api.clock.now() + delayMs;
      }
      if (!failure.retryable || attempt > api.maxApiRetries) {
        throw batchApiError('create', undefined, error, failure, attempt);
      }
      emitThrottled(job, error, failure, delayMs, attempt);
      await sleep(api.clock, delayMs, job.signal());
      const created = await findUnrecordedBatch(job, requests.length, state.submitting?.startedAt ?? 0);
      if (created) {
        await recordBatch(job, created, chunk, true);
        return undefined;
      }
      continue;
    }
    // Outside the try: a failure to save the new batch's id is not a failure of the API call.
    await recordBatch(job, batch, chunk, false);
    return undefined;
  }
}

/**
 * Submits queued requests, one batch at a time within the limits, until the queue is empty or
 * the API refuses more for now. Returns the time until which it refuses, if it does.
 */
export async function submitQueued(job: JobContext): Promise<number | undefined> {
  while (!job.state.canceled) {
    const chunk = nextChunk(job.state.queue, job.input, job.limits);
    if (!chunk) return undefined;
    const blockedUntil = await submitChunk(job, chunk);
    if (blockedUntil !== undefined) return blockedUntil;
  }
  return undefined;
}
