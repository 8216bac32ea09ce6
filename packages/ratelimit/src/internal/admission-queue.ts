import {
  AbortedError,
  type AdmissionRequest,
  type Bus,
  type Clock,
  type RateLimitBucket,
  type Reservation,
} from '@bulwark/core';
import { RequestTooLargeError, SpendLimitError, WaitTimeoutError } from '../errors.js';
import type { RateLimitStore, StoreBucketAmount, StoreTakeResult } from '../store.js';
import type { BudgetHold } from './budget-tracker.js';
import {
  type Amounts,
  admissibleAmounts,
  bucketAmounts,
  type ClassState,
  toBucketLevels,
  tooLarge,
} from './class-state.js';
import type { Settlement } from './settlement.js';
import { reportStoreFailure } from './store-failure.js';
import type { QueuedWaiter } from './wait-queue.js';

/** One caller waiting in a class's queue. */
export interface Waiter extends QueuedWaiter {
  request: AdmissionRequest;
  state: ClassState<Waiter>;
  amounts: Amounts;
  budgetHold: BudgetHold | undefined;
  waitAnnounced: boolean;
  deadlineMs: number;
  timeoutTimer: { cancel(): void } | undefined;
  onAbort: (() => void) | undefined;
  resolve: (reservation: Reservation) => void;
  reject: (error: unknown) => void;
}

export interface AdmissionQueueContext {
  clock: Clock;
  store: RateLimitStore;
  bus: Bus;
  settlement: Settlement;
  /** Shared with the limiter: until when calls are refused for the spend limit. */
  spend: { limitedUntilMs: number };
  maxWaitMs: number;
  /** Gives back a waiter's budget hold when it leaves without being admitted. */
  releaseBudget(model: string, hold: BudgetHold | undefined): void;
}

/**
 * The waiting side of the limiter: queues callers per class, and pumps each queue one waiter
 * at a time (see `WaitQueue` for the order) until the one in front has to wait.
 */
export class AdmissionQueue {
  private sequence = 0;

  constructor(private readonly context: AdmissionQueueContext) {}

  /** Queues a call that cannot go at once; settles when it is admitted or fails. */
  enqueue(
    state: ClassState<Waiter>,
    request: AdmissionRequest,
    amounts: Amounts,
    budgetHold: BudgetHold | undefined,
    nowMs: number,
  ): Promise<Reservation> {
    const { clock, maxWaitMs } = this.context;
    return new Promise<Reservation>((resolve, reject) => {
      const waiter: Waiter = {
        request,
        state,
        amounts,
        budgetHold,
        priority: request.priority ?? 0,
        enqueuedAtMs: nowMs,
        sequence: this.sequence++,
        queued: false,
        settled: false,
        waitAnnounced: false,
        deadlineMs: nowMs + maxWaitMs,
        timeoutTimer: undefined,
        onAbort: undefined,
        resolve,
        reject,
      };
      if (Number.isFinite(maxWaitMs)) {
        waiter.timeoutTimer = clock.setTimeout(
          () => this.fail(waiter, new WaitTimeoutError({ modelClass: state.modelClass, maxWaitMs })),
          maxWaitMs,
        );
      }
      const signal = request.signal;
      if (signal) {
        waiter.onAbort = () => this.fail(waiter, new AbortedError({ cause: signal.reason }));
        signal.addEventListener('abort', waiter.onAbort, { once: true });
      }
      state.queue.push(waiter);
      this.pump(state);
    });
  }

  /** Holds the capacity the store just gave a call and announces `ratelimit:admit`. */
  grant(
    state: ClassState,
    request: AdmissionRequest,
    amounts: Amounts,
    hold: BudgetHold | undefined,
    result: StoreTakeResult,
    enqueuedAtMs: number,
  ): Reservation {
    const reservation = this.context.settlement.reserve(state, request, amounts, hold);
    const { bus } = this.context;
    if (bus.listenerCount('ratelimit:admit') > 0) {
      bus.emit('ratelimit:admit', {
        ...(request.requestId === undefined ? {} : { requestId: request.requestId }),
        model: request.model,
        modelClass: state.modelClass,
        inputTokens: amounts.input_tokens,
        outputTokens: amounts.output_tokens,
        waitedMs: Math.max(0, result.nowMs - enqueuedAtMs),
        levels: toBucketLevels(state, result.levels),
      });
    }
    return reservation;
  }

  /** Pumps the queue if anyone waits (after capacity came back). */
  wake(state: ClassState): void {
    if (state.queue.length > 0) this.pump(state);
  }

  pump(state: ClassState): void {
    if (state.pumping) {
      state.dirty = true;
      return;
    }
    state.pumping = true;
    // Every class state is created with a queue of Waiters.
    void this.runPump(state as ClassState<Waiter>);
  }

  /** Rejects every waiter of `state` with the error `errorFor` makes for its model. */
  rejectAll(state: ClassState, errorFor: (model: string) => Error): void {
    for (const waiter of (state as ClassState<Waiter>).queue.drain()) {
      this.fail(waiter, errorFor(waiter.request.model));
    }
  }

  private fail(waiter: Waiter, error: unknown): void {
    if (waiter.settled) return;
    this.finish(waiter);
    this.context.releaseBudget(waiter.request.model, waiter.budgetHold);
    waiter.reject(error);
    // The head leaving may let the next waiter go.
    this.pump(waiter.state);
  }

  private finish(waiter: Waiter): void {
    waiter.settled = true;
    waiter.state.queue.remove(waiter);
    waiter.timeoutTimer?.cancel();
    if (waiter.onAbort) waiter.request.signal?.removeEventListener('abort', waiter.onAbort);
  }

  /** Takes for the waiter `next` picks, one at a time, until one has to wait. */
  private async runPump(state: ClassState<Waiter>): Promise<void> {
    const { clock, store } = this.context;
    // The finally runs in the same tick as the loop's last decision, so no pump() call can
    // fall between that decision and the flag going down. A synchronous store never yields.
    try {
      for (;;) {
        state.dirty = false;
        state.wakeTimer?.cancel();
        state.wakeTimer = undefined;
        const nowMs = clock.now();
        const waiter = state.queue.next(nowMs);
        if (!waiter) return;
        const amounts = this.amountsToTake(state, waiter, nowMs);
        if (amounts === 'next') continue;
        if (amounts === 'stop') return;
        const buckets = bucketAmounts(state, amounts);
        let result: StoreTakeResult;
        try {
          result = store.takeSync
            ? store.takeSync({ scope: state.scope, buckets })
            : await store.take({ scope: state.scope, buckets });
        } catch (error) {
          this.fail(waiter, error);
          continue;
        }
        if (!this.conclude(state, waiter, amounts, buckets, result)) return;
      }
    } finally {
      state.pumping = false;
    }
  }

  /** What the head waiter asks the store for, or whether to go on to the next one or stop. */
  private amountsToTake(state: ClassState<Waiter>, waiter: Waiter, nowMs: number): Amounts | 'next' | 'stop' {
    const { spend } = this.context;
    if (spend.limitedUntilMs > nowMs) {
      this.fail(waiter, new SpendLimitError({ model: waiter.request.model, untilMs: spend.limitedUntilMs }));
      return 'next';
    }
    if (state.inFlight >= state.maxInFlight) {
      // A reservation settling pumps again.
      this.announceWait(waiter, 'in_flight', 0);
      return 'stop';
    }
    const amounts = admissibleAmounts(state, waiter.request, waiter.amounts);
    if (amounts instanceof RequestTooLargeError) {
      this.fail(waiter, amounts);
      return 'next';
    }
    return amounts;
  }

  /**
   * Acts on the store's answer for the head waiter: admits it, fails it, or sets the timer
   * for when the store said the take would succeed. Returns whether to go on pumping.
   */
  private conclude(
    state: ClassState<Waiter>,
    waiter: Waiter,
    amounts: Amounts,
    buckets: StoreBucketAmount[],
    result: StoreTakeResult,
  ): boolean {
    const { store, bus, maxWaitMs } = this.context;
    if (waiter.settled) {
      // Aborted or timed out while the store answered: give back what it took.
      if (result.admitted) {
        store
          .adjust({ scope: state.scope, buckets })
          .then(undefined, reportStoreFailure(bus, state, 'adjust', waiter.request.requestId));
      }
      return true;
    }
    if (result.admitted) {
      this.finish(waiter);
      const { request, budgetHold, enqueuedAtMs } = waiter;
      waiter.resolve(this.grant(state, request, amounts, budgetHold, result, enqueuedAtMs));
      return true;
    }
    if (result.reason === 'oversize') {
      this.fail(waiter, tooLarge(state, waiter.request, result.bucket, amounts[result.bucket]));
      return true;
    }
    if (result.nowMs + result.waitMs > waiter.deadlineMs) {
      this.fail(
        waiter,
        new WaitTimeoutError({ modelClass: state.modelClass, maxWaitMs, bucket: result.bucket }),
      );
      return true;
    }
    this.announceWait(waiter, result.reason === 'throttled' ? 'throttled' : result.bucket, result.waitMs);
    if (state.dirty) return true;
    // A shared store's jitter keeps processes waiting for the same refill from waking together.
    const jitterMs = store.wakeJitterMs ? Math.random() * store.wakeJitterMs : 0;
    state.wakeTimer = this.context.clock.setTimeout(() => {
      state.wakeTimer = undefined;
      this.pump(state);
    }, result.waitMs + jitterMs);
    return false;
  }

  private announceWait(waiter: Waiter, bucket: RateLimitBucket, waitMs: number): void {
    if (waiter.waitAnnounced) return;
    waiter.waitAnnounced = true;
    const { request, state } = waiter;
    this.context.bus.emit('ratelimit:wait', {
      ...(request.requestId === undefined ? {} : { requestId: request.requestId }),
      model: request.model,
      modelClass: state.modelClass,
      bucket,
      waitMs,
      queueLength: state.queue.length,
    });
  }
}
