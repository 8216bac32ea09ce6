import type { Clock } from '@bulwark/core';
import { type ApiFailure, invalidRequest } from '../api-error.js';
import { randomFor, randomId } from '../random.js';
import { type BatchItem, isFailure, parseCreateBatchBody } from './create-request.js';
import { type ItemResultParts, itemOutcome, resultLine } from './item-results.js';
import { MockBatch, type SubmittedItem } from './mock-batch.js';
import type { ResolvedBatchOptions } from './options.js';

/** A page of `GET /v1/messages/batches`. */
export interface BatchPage {
  data: Record<string, unknown>[];
  has_more: boolean;
  first_id: string | null;
  last_id: string | null;
}

/** The query of `GET /v1/messages/batches`. */
export interface BatchListQuery {
  limit?: string | undefined;
  before_id?: string | undefined;
  after_id?: string | undefined;
}

function notFound(id: string): ApiFailure {
  return { status: 404, type: 'not_found_error', message: `No message batch found with id ${id}.` };
}

/**
 * Every batch of one server, and the answers of the batch endpoints, independent of HTTP.
 * Batches are listed newest first, as the API lists them.
 */
export class BatchRegistry {
  readonly #clock: Clock;
  readonly #seed: number;
  readonly #options: ResolvedBatchOptions;
  readonly #parts: ItemResultParts;
  /** Oldest first; deleted batches are removed. */
  #batches: MockBatch[] = [];
  readonly #submissions = new Map<string, number>();
  #created = 0;

  constructor(clock: Clock, seed: number, options: ResolvedBatchOptions, parts: ItemResultParts) {
    this.#clock = clock;
    this.#seed = seed;
    this.#options = options;
    this.#parts = parts;
  }

  get options(): ResolvedBatchOptions {
    return this.#options;
  }

  /** Requests waiting in the processing queue now. */
  queued(): number {
    const now = this.#clock.now();
    return this.#batches.reduce((sum, batch) => sum + batch.waitingAt(now), 0);
  }

  /** `POST /v1/messages/batches`: the new batch, or the API's refusal. */
  create(body: unknown): MockBatch | ApiFailure {
    const items = parseCreateBatchBody(body, this.#options.maxRequestsPerBatch);
    if (isFailure(items)) return items;
    const queued = this.queued();
    if (queued + items.length > this.#options.queueLimit) return this.#queueFull(queued, items.length);
    this.#created += 1;
    const id = `msgbatch_01${randomId(randomFor(this.#seed, 'batch-id', String(this.#created)), 22)}`;
    const submitted = items.map((item: BatchItem): SubmittedItem => {
      const submission = (this.#submissions.get(item.customId) ?? 0) + 1;
      this.#submissions.set(item.customId, submission);
      return { ...item, submission };
    });
    const batch = new MockBatch(id, submitted, this.#clock.now(), this.#options, (item) =>
      itemOutcome(this.#parts, item),
    );
    this.#batches.push(batch);
    return batch;
  }

  #queueFull(queued: number, wanted: number): ApiFailure {
    const excess = queued + wanted - this.#options.queueLimit;
    const retryAfterSeconds = Math.max(
      1,
      Math.ceil(Math.min(excess, queued) / this.#options.requestsPerSecond),
    );
    return {
      status: 429,
      type: 'rate_limit_error',
      message: `Number of batch requests in queue (${queued}) plus this batch's (${wanted}) exceeds the limit of ${this.#options.queueLimit}. Please try again later.`,
      headers: { 'retry-after': String(retryAfterSeconds) },
    };
  }

  /** `GET /v1/messages/batches/{id}` (and the batch behind the other routes). */
  get(id: string): MockBatch | ApiFailure {
    return this.#batches.find((batch) => batch.id === id) ?? notFound(id);
  }

  /** `POST /v1/messages/batches/{id}/cancel`. */
  cancel(id: string): MockBatch | ApiFailure {
    const batch = this.get(id);
    if (!(batch instanceof MockBatch)) return batch;
    const now = this.#clock.now();
    if (batch.status(now) === 'ended') {
      return invalidRequest(`Message batch ${id} has already ended and cannot be canceled.`);
    }
    batch.cancelInitiatedAt ??= now;
    return batch;
  }

  /** `DELETE /v1/messages/batches/{id}`: only a batch that has ended can be deleted. */
  delete(id: string): { id: string; type: 'message_batch_deleted' } | ApiFailure {
    const batch = this.get(id);
    if (!(batch instanceof MockBatch)) return batch;
    if (batch.status(this.#clock.now()) !== 'ended') {
      return invalidRequest(
        `Message batch ${id} is still processing; cancel it and wait for it to end before deleting it.`,
      );
    }
    this.#batches = this.#batches.filter((candidate) => candidate !== batch);
    return { id, type: 'message_batch_deleted' };
  }

  /** `GET /v1/messages/batches`: newest first, `limit` 1–1000 (20), paged by `after_id` (older) or `before_id` (newer). */
  list(query: BatchListQuery, resultsUrlOf: (id: string) => string): BatchPage | ApiFailure {
    const limit = query.limit === undefined ? 20 : Number(query.limit);
    if (!Number.isInteger(limit) || limit < 1 || limit > 1000) {
      return invalidRequest(
        'limit: Input should be less than or equal to 1000 and greater than or equal to 1',
      );
    }
    const newestFirst = [...this.#batches].reverse();
    const positionOf = (id: string) => newestFirst.findIndex((batch) => batch.id === id);
    let start = 0;
    let end = newestFirst.length;
    if (query.after_id !== undefined) {
      const position = positionOf(query.after_id);
      if (position < 0) return notFound(query.after_id);
      start = position + 1;
    }
    if (query.before_id !== undefined) {
      const position = positionOf(query.before_id);
      if (position < 0) return notFound(query.before_id);
      end = position;
      start = Math.max(start, end - limit);
    }
    const page = newestFirst.slice(start, Math.min(end, start + limit));
    const hasMore = query.before_id !== undefined ? start > 0 : start + page.length < end;
    const now = this.#clock.now();
    return {
      data: page.map((batch) => batch.toJson(now, resultsUrlOf(batch.id))),
      has_more: hasMore,
      first_id: page[0]?.id ?? null,
      last_id: page[page.length - 1]?.id ?? null,
    };
  }

  /** The lines of an ended batch's results file, made one at a time as they are read. */
  *resultLines(batch: MockBatch): Generator<string> {
    const now = this.#clock.now();
    for (let index = 0; index < batch.items.length; index += 1)
      yield resultLine(this.#parts, batch, index, now);
  }

  /** Forgets every batch and submission count. */
  reset(): void {
    this.#batches = [];
    this.#submissions.clear();
    this.#created = 0;
  }
}
