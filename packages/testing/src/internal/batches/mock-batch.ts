import type { BatchItem } from './create-request.js';

/** The outcome of a processed request, before it is written as a results line. */
export type ItemOutcome =
  | { type: 'succeeded' }
  | { type: 'errored'; errorType: string; message: string }
  | { type: 'expired' }
  | { type: 'canceled' };

/** A request in a batch, with how many times its `custom_id` had been submitted to this server. */
export interface SubmittedItem extends BatchItem {
  /** 1 for the first batch that holds this `custom_id`, 2 for the next, ... */
  submission: number;
}

export interface RequestCounts {
  processing: number;
  succeeded: number;
  errored: number;
  canceled: number;
  expired: number;
}

/** How fast batches move, from the server's options. */
export interface BatchTiming {
  requestsPerSecond: number;
  expiresAfterMs: number;
  cancelDelayMs: number;
}

/**
 * One batch on the mock. Its requests are processed in order at `requestsPerSecond` from its
 * creation, on the server's clock; its state at any time is computed from that time, so nothing
 * runs in the background. Processing stops at a cancel request (the batch is `canceling` for
 * `cancelDelayMs`, then `ended`, its unprocessed requests `canceled`) or at `expires_at` (the
 * unprocessed requests `expired`).
 */
export class MockBatch {
  readonly id: string;
  readonly items: readonly SubmittedItem[];
  readonly createdAt: number;
  readonly expiresAt: number;
  cancelInitiatedAt: number | undefined;
  /** Downloads of the results file started so far. */
  resultsDownloads = 0;
  readonly #timing: BatchTiming;
  readonly #outcomeOf: (item: SubmittedItem) => ItemOutcome;
  /** Requests whose outcome is in `#counts` (counted once, as time moves on). */
  #counted = 0;
  readonly #counts = { succeeded: 0, errored: 0, canceled: 0, expired: 0 };

  constructor(
    id: string,
    items: readonly SubmittedItem[],
    createdAt: number,
    timing: BatchTiming,
    outcomeOf: (item: SubmittedItem) => ItemOutcome,
  ) {
    this.id = id;
    this.items = items;
    this.createdAt = createdAt;
    this.expiresAt = createdAt + timing.expiresAfterMs;
    this.#timing = timing;
    this.#outcomeOf = outcomeOf;
  }

  /** When processing stops: every request done, a cancel request, or expiry, whichever comes first. */
  get #stopAt(): number {
    const done = this.createdAt + Math.ceil((this.items.length * 1000) / this.#timing.requestsPerSecond);
    return Math.min(done, this.cancelInitiatedAt ?? Number.POSITIVE_INFINITY, this.expiresAt);
  }

  /** True when a cancel request stopped processing before every request was done. */
  get #stoppedByCancel(): boolean {
    return this.cancelInitiatedAt !== undefined && this.#stopAt === this.cancelInitiatedAt;
  }

  /** When the batch has ended (or will end, as things stand). */
  get endedAt(): number {
    return this.#stoppedByCancel ? this.#stopAt + this.#timing.cancelDelayMs : this.#stopAt;
  }

  /** Requests processed by `nowMs`. */
  processedAt(nowMs: number): number {
    const elapsedMs = Math.min(nowMs, this.#stopAt) - this.createdAt;
    const processed = Math.floor((Math.max(0, elapsedMs) * this.#timing.requestsPerSecond) / 1000);
    return Math.min(this.items.length, processed);
  }

  status(nowMs: number): 'in_progress' | 'canceling' | 'ended' {
    if (nowMs >= this.endedAt) return 'ended';
    return this.cancelInitiatedAt !== undefined && nowMs >= this.cancelInitiatedAt
      ? 'canceling'
      : 'in_progress';
  }

  /** Requests not yet processed while the batch is in progress (what the processing queue holds). */
  waitingAt(nowMs: number): number {
    return this.status(nowMs) === 'ended' ? 0 : this.items.length - this.processedAt(nowMs);
  }

  /** The outcome of request `index`, as it stands once the batch has ended. */
  outcomeAt(index: number, nowMs: number): ItemOutcome {
    if (index < this.processedAt(nowMs)) return this.#outcomeOf(this.items[index] as SubmittedItem);
    return { type: this.#stoppedByCancel ? 'canceled' : 'expired' };
  }

  requestCounts(nowMs: number): RequestCounts {
    const processed = this.processedAt(nowMs);
    for (; this.#counted < processed; this.#counted += 1) {
      this.#counts[this.#outcomeOf(this.items[this.#counted] as SubmittedItem).type] += 1;
    }
    const counts = { processing: this.items.length - processed, ...this.#counts };
    if (this.status(nowMs) !== 'ended') return counts;
    const rest = counts.processing;
    const canceled = this.#stoppedByCancel;
    return {
      ...counts,
      processing: 0,
      canceled: counts.canceled + (canceled ? rest : 0),
      expired: counts.expired + (canceled ? 0 : rest),
    };
  }

  /** The API's `MessageBatch` object at `nowMs`. */
  toJson(nowMs: number, resultsUrl: string): Record<string, unknown> {
    const status = this.status(nowMs);
    const iso = (ms: number) => new Date(ms).toISOString();
    return {
      id: this.id,
      type: 'message_batch',
      processing_status: status,
      request_counts: this.requestCounts(nowMs),
      ended_at: status === 'ended' ? iso(this.endedAt) : null,
      created_at: iso(this.createdAt),
      expires_at: iso(this.expiresAt),
      archived_at: null,
      cancel_initiated_at: this.cancelInitiatedAt === undefined ? null : iso(this.cancelInitiatedAt),
      results_url: status === 'ended' ? resultsUrl : null,
    };
  }
}
