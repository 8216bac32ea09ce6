import { type BudgetExceededEvent, BulwarkError } from '@bulwark/core';

const requestTooLargeMarker = 'bulwark.error.request_too_large';
const requestTooLargeSymbol = Symbol.for(requestTooLargeMarker);

/** A request needs more of a bucket than the bucket can ever hold: it would wait forever. */
export class RequestTooLargeError extends BulwarkError {
  readonly [requestTooLargeSymbol] = true;
  readonly model: string;
  readonly modelClass: string;
  /** `requests`, `input_tokens` or `output_tokens`. */
  readonly bucket: string;
  readonly requested: number;
  /** The bucket's capacity (its per-minute limit). */
  readonly capacity: number;

  constructor(details: {
    model: string;
    modelClass: string;
    bucket: string;
    requested: number;
    capacity: number;
  }) {
    super({
      code: 'request_too_large',
      message: `The request needs ${details.requested} ${details.bucket} of ${details.modelClass}, more than its per-minute limit of ${details.capacity}`,
    });
    this.name = 'RequestTooLargeError';
    this.model = details.model;
    this.modelClass = details.modelClass;
    this.bucket = details.bucket;
    this.requested = details.requested;
    this.capacity = details.capacity;
  }

  static override isInstance(error: unknown): error is RequestTooLargeError {
    return BulwarkError.hasMarker(error, requestTooLargeMarker);
  }
}

const spendLimitMarker = 'bulwark.error.spend_limit';
const spendLimitSymbol = Symbol.for(spendLimitMarker);

/**
 * The organisation reached its spend limit (a 429 with `enforced_spend_limit_reached`).
 * Retrying does not help: it is not retryable, and the limiter refuses calls until `untilMs`.
 */
export class SpendLimitError extends BulwarkError {
  readonly [spendLimitSymbol] = true;
  readonly model: string;
  /** Epoch milliseconds until which the limiter refuses calls without asking the server. */
  readonly untilMs: number;

  constructor({ model, untilMs, cause }: { model: string; untilMs: number; cause?: unknown }) {
    super({
      code: 'spend_limit',
      message:
        'The API reported that the spend limit is reached (enforced_spend_limit_reached); retrying does not help',
      cause,
      isRetryable: false,
    });
    this.name = 'SpendLimitError';
    this.model = model;
    this.untilMs = untilMs;
  }

  static override isInstance(error: unknown): error is SpendLimitError {
    return BulwarkError.hasMarker(error, spendLimitMarker);
  }
}

const queueFullMarker = 'bulwark.error.queue_full';
const queueFullSymbol = Symbol.for(queueFullMarker);

/** `maxQueueLength` waiters already wait for this model class. */
export class QueueFullError extends BulwarkError {
  readonly [queueFullSymbol] = true;
  readonly modelClass: string;
  readonly maxQueueLength: number;

  constructor({ modelClass, maxQueueLength }: { modelClass: string; maxQueueLength: number }) {
    super({
      code: 'queue_full',
      message: `${maxQueueLength} callers already wait for ${modelClass} (maxQueueLength)`,
      isRetryable: true,
    });
    this.name = 'QueueFullError';
    this.modelClass = modelClass;
    this.maxQueueLength = maxQueueLength;
  }

  static override isInstance(error: unknown): error is QueueFullError {
    return BulwarkError.hasMarker(error, queueFullMarker);
  }
}

const waitTimeoutMarker = 'bulwark.error.wait_timeout';
const waitTimeoutSymbol = Symbol.for(waitTimeoutMarker);

/** Admission would take longer than `maxWaitMs` (known in advance, or the time ran out). */
export class WaitTimeoutError extends BulwarkError {
  readonly [waitTimeoutSymbol] = true;
  readonly modelClass: string;
  readonly maxWaitMs: number;
  /** The bucket that made the caller wait, when known. */
  readonly bucket: string | undefined;

  constructor({ modelClass, maxWaitMs, bucket }: { modelClass: string; maxWaitMs: number; bucket?: string }) {
    super({
      code: 'wait_timeout',
      message: `Admission to ${modelClass} would take longer than maxWaitMs (${maxWaitMs} ms)${bucket ? `, waiting for ${bucket}` : ''}`,
      isRetryable: true,
    });
    this.name = 'WaitTimeoutError';
    this.modelClass = modelClass;
    this.maxWaitMs = maxWaitMs;
    this.bucket = bucket;
  }

  static override isInstance(error: unknown): error is WaitTimeoutError {
    return BulwarkError.hasMarker(error, waitTimeoutMarker);
  }
}

const budgetExceededMarker = 'bulwark.error.budget_exceeded';
const budgetExceededSymbol = Symbol.for(budgetExceededMarker);

/** A call would pass a token or cost budget; it was refused before it was made. */
export class BudgetExceededError extends BulwarkError {
  readonly [budgetExceededSymbol] = true;
  readonly model: string;
  readonly period: BudgetExceededEvent['period'];
  readonly kind: BudgetExceededEvent['kind'];
  readonly limit: number;
  /** Used and held in the period so far. */
  readonly used: number;
  readonly requested: number;

  /** Takes the payload of the `budget:exceeded` event it accompanies. */
  constructor(details: Omit<BudgetExceededEvent, 'requestId'>) {
    const unit = details.kind === 'cost' ? 'USD' : 'tokens';
    super({
      code: 'budget_exceeded',
      message: `The call would pass the ${details.period}ly ${details.kind} budget: ${details.used} ${unit} used + ${details.requested} requested > ${details.limit}`,
    });
    this.name = 'BudgetExceededError';
    this.model = details.model;
    this.period = details.period;
    this.kind = details.kind;
    this.limit = details.limit;
    this.used = details.used;
    this.requested = details.requested;
  }

  static override isInstance(error: unknown): error is BudgetExceededError {
    return BulwarkError.hasMarker(error, budgetExceededMarker);
  }
}
