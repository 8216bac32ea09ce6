import { BulwarkError } from '@bulwark/core';

/** A call to the batch endpoints. */
export type BatchOperation = 'create' | 'retrieve' | 'results' | 'cancel' | 'list';

const apiMarker = 'bulwark.error.batch_api';
const apiSymbol = Symbol.for(apiMarker);

/**
 * A call to the Message Batches endpoints failed for good: the API refused it (a 4xx other
 * than 408, 409 and 429), or a transient failure lasted through every retry. The job's state
 * is saved, so `run` with the same `jobId` picks it up once the cause is fixed.
 */
export class BatchApiError extends BulwarkError {
  readonly [apiSymbol] = true;
  readonly operation: BatchOperation;
  /** The batch the call was about, when it was about one. */
  readonly batchId: string | undefined;
  /** The HTTP status, when the API answered. */
  readonly status: number | undefined;

  constructor({
    operation,
    batchId,
    status,
    message,
    cause,
    isRetryable = false,
  }: {
    operation: BatchOperation;
    batchId?: string | undefined;
    status?: number | undefined;
    message: string;
    cause?: unknown;
    isRetryable?: boolean;
  }) {
    super({ message, code: 'batch_api_error', cause, isRetryable });
    this.name = 'BatchApiError';
    this.operation = operation;
    this.batchId = batchId;
    this.status = status;
  }

  static override isInstance(error: unknown): error is BatchApiError {
    return BulwarkError.hasMarker(error, apiMarker);
  }
}

const stateMarker = 'bulwark.error.batch_state';
const stateSymbol = Symbol.for(stateMarker);

/**
 * The job's state could not be loaded or saved through the `CheckpointStore`, or what was
 * loaded is not a batch job's state. Nothing is submitted while the state cannot be saved, so a
 * crash never leaves a paid batch unknown (a batch created just before a failed save is found
 * again on the API by the next run).
 */
export class BatchStateError extends BulwarkError {
  readonly [stateSymbol] = true;
  readonly jobId: string;
  /** The store key of the job's state. */
  readonly key: string;

  constructor({
    jobId,
    key,
    message,
    cause,
  }: { jobId: string; key: string; message: string; cause?: unknown }) {
    super({ message, code: 'batch_state_error', cause });
    this.name = 'BatchStateError';
    this.jobId = jobId;
    this.key = key;
  }

  static override isInstance(error: unknown): error is BatchStateError {
    return BulwarkError.hasMarker(error, stateMarker);
  }
}
