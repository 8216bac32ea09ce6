import { type CheckpointStore, emptyUsage } from '@bulwark/core';
import { invalidArgument } from '@bulwark/core/internal';
import { BatchStateError } from '../errors.js';
import { type BatchJobState, batchJobStateFormat, batchJobStateKey } from '../job-state.js';
import type { JobInput } from './job-input.js';

/** A new job's state: every request queued for the first round. */
export function newJobState(jobId: string, input: JobInput, nowMs: number): BatchJobState {
  return {
    format: batchJobStateFormat,
    jobId,
    requests: input.requests.length,
    inputFingerprint: input.fingerprint,
    createdAt: nowMs,
    queue: input.requests.length > 0 ? [{ round: 1, from: 0, to: input.requests.length }] : [],
    submitting: null,
    batches: [],
    totals: {
      results: { succeeded: 0, errored: 0, canceled: 0, expired: 0 },
      errorTypes: {},
      resubmitted: 0,
      unsubmitted: 0,
      usage: emptyUsage(),
      costUsd: 0,
      unpricedModels: [],
    },
    canceled: false,
    finished: input.requests.length === 0,
  };
}

function looksLikeState(value: unknown, jobId: string): value is BatchJobState {
  const state = value as Partial<BatchJobState> | null;
  return (
    typeof state === 'object' &&
    state !== null &&
    state.format === batchJobStateFormat &&
    state.jobId === jobId &&
    Array.isArray(state.queue) &&
    Array.isArray(state.batches) &&
    typeof state.totals === 'object'
  );
}

/** Every `custom_id` a saved state refers to is in the input it is resumed with. */
function referencesKnownRequests(state: BatchJobState, input: JobInput): boolean {
  const known = (customId: string) => input.indexOf.has(customId);
  return (
    state.queue.every((entry) => !('customIds' in entry) || entry.customIds.every(known)) &&
    state.batches.every((batch) => batch.retryIds.every(known))
  );
}

/** Loads and saves one job's state, turning store failures into `BatchStateError`. */
export class JobStore {
  readonly key: string;
  readonly #store: CheckpointStore;
  readonly #jobId: string;

  constructor(store: CheckpointStore, jobId: string) {
    this.#store = store;
    this.#jobId = jobId;
    this.key = batchJobStateKey(jobId);
  }

  /**
   * The saved state of the job, checked against `input` (the same requests must be given
   * again), or `undefined` for a new job.
   */
  async load(input: JobInput): Promise<BatchJobState | undefined> {
    let value: unknown;
    try {
      value = await this.#store.load(this.key);
    } catch (error) {
      throw this.#error(`Could not load the state of batch job \`${this.#jobId}\``, error);
    }
    if (value === undefined) return undefined;
    if (!looksLikeState(value, this.#jobId)) {
      throw this.#error(`The value under \`${this.key}\` is not the state of batch job \`${this.#jobId}\``);
    }
    if (value.inputFingerprint !== input.fingerprint || !referencesKnownRequests(value, input)) {
      throw invalidArgument(
        'requests',
        `the same requests as the first run of job \`${this.#jobId}\` (${value.requests} requests, fingerprint ${value.inputFingerprint})`,
        `${input.requests.length} requests, fingerprint ${input.fingerprint}`,
      );
    }
    return value;
  }

  async save(state: BatchJobState): Promise<void> {
    try {
      await this.#store.save(this.key, state);
    } catch (error) {
      throw this.#error(`Could not save the state of batch job \`${this.#jobId}\``, error);
    }
  }

  #error(message: string, cause?: unknown): BatchStateError {
    return new BatchStateError({ jobId: this.#jobId, key: this.key, message, cause });
  }
}
