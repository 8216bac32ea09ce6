import {
  AbortedError,
  type AdmissionRequest,
  type Bus,
  type Clock,
  type RateLimitBucket,
  type Reservation,
} from '@bulwark/core';
import type { BudgetHold } from '../budgets.js';
import { RequestTooLargeError, SpendLimitError, WaitTimeoutError } from '../errors.js';
import type { RateLimitStore, StoreBucketName, StoreTakeResult } from '../store.js';
import { type Amounts, bucketAmounts, bucketNames, type ClassState } from './class-state.js';
import { ignoreStoreFailure } from './ignore-store-failure.js';
import type { SyncStoreOperations } from './sync-store.js';
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
  syncStore: SyncStoreOperations | undefined;
  bus: Bus;
  /** Shared with the limiter: until when calls are refused for the spend limit. */
  spend: { limitedUntilMs: number };
  maxWaitMs: number;
  /** Gives back a waiter's budget hold when it leaves without being admitted. */
  releaseBudget(model: string, hold: BudgetHold | undefined): void;
  /** Holds the capacity of an admitted call. */
  reserve(
    state: ClassState,
    request: AdmissionRequest,
    amounts: Amounts,
    hold: BudgetHold | undefined,
  ): Reservation;
  announceAdmit(
    state: ClassState,
    request: AdmissionRequest,
    result: StoreTakeResult,
    amounts: Amounts,
    enqueuedAtMs: number,
  ): void;
}

/**
 * The waiting side of the limiter: queues callers per class, and pumps each queue one waiter
 * at a time (see `WaitQueue` for the order) until the one in front has to wait.
 */
export function createAdmissionQueue(context: AdmissionQueueContext) {
  const { clock, store, syncStore, bus, spend, maxWaitMs } = context;
  let sequence = 0;

  const finish = (waiter: Waiter): void => {
    waiter.settled = true;
    waiter.state.queue.remove(waiter);
    waiter.timeoutTimer?.cancel();
    if (waiter.onAbort) waiter.request.signal?.removeEventListener('abort', waiter.onAbort);
  };

  const fail = (waiter: Waiter, error: unknown): void => {
    if (waiter.settled) return;
    finish(waiter);
    context.releaseBudget(waiter.request.model, waiter.budgetHold);
    waiter.reject(error);
    // The head leaving may let the next waiter go.
    pump(waiter.state);
  };

  const announceWait = (waiter: Waiter, bucket: RateLimitBucket, waitMs: number): void => {
    if (waiter.waitAnnounced) return;
    waiter.waitAnnounced = true;
    const { request, state } = waiter;
    bus.emit('ratelimit:wait', {
      ...(request.requestId === undefined ? {} : { requestId: request.requestId }),
      model: request.model,
      modelClass: state.modelClass,
      bucket,
      waitMs,
      queueLength: state.queue.length,
    });
  };

  /** Pumps the queue if anyone waits (after capacity came back). */
  const wake = (state: ClassState): void => {
    if (state.queue.length > 0) pump(state);
  };

  const pump = (state: ClassState): void => {
    if (state.pumping) {
      state.dirty = true;
      return;
    }
    state.pumping = true;
    // Every class state is created by stateOf, with a queue of Waiters.
    void runPump(state as ClassState<Waiter>);
  };

  /** Takes for the waiter `next` picks, one at a time, until one has to wait. */
  const runPump = async (state: ClassState<Waiter>): Promise<void> => {
    // The finally runs in the same tick as the loop's last decision, so no pump() call can
    // fall between that decision and the flag going down.
    try {
      for (;;) {
        state.dirty = false;
        state.wakeTimer?.cancel();
        state.wakeTimer = undefined;
        const nowMs = clock.now();
        const waiter = state.queue.next(nowMs);
        if (!waiter) return;
        if (spend.limitedUntilMs > nowMs) {
          fail(waiter, new SpendLimitError({ model: waiter.request.model, untilMs: spend.limitedUntilMs }));
          continue;
        }
        if (state.inFlight >= state.maxInFlight) {
          // A reservation settling pumps again.
          announceWait(waiter, 'in_flight', 0);
          return;
        }
        const amounts = amountsFor(state, waiter.request, waiter.amounts);
        if (amounts instanceof RequestTooLargeError) {
          fail(waiter, amounts);
          continue;
        }
        const buckets = bucketAmounts(state, amounts);
        let result: StoreTakeResult;
        try {
          result = syncStore
            ? syncStore.takeSync({ scope: state.scope, buckets })
            : await store.take({ scope: state.scope, buckets });
        } catch (error) {
          fail(waiter, error);
          continue;
        }
        if (waiter.settled) {
          // Aborted or timed out while the store answered: give back what it took.
          if (result.admitted)
            store.adjust({ scope: state.scope, buckets }).then(undefined, ignoreStoreFailure);
          continue;
        }
        if (result.admitted) {
          finish(waiter);
          const reservation = context.reserve(state, waiter.request, amounts, waiter.budgetHold);
          context.announceAdmit(state, waiter.request, result, amounts, waiter.enqueuedAtMs);
          waiter.resolve(reservation);
          continue;
        }
        if (result.reason === 'oversize') {
          fail(waiter, tooLarge(state, waiter.request, result.bucket, amounts[result.bucket]));
          continue;
        }
        if (result.nowMs + result.waitMs > waiter.deadlineMs) {
          fail(
            waiter,
            new WaitTimeoutError({ modelClass: state.modelClass, maxWaitMs, bucket: result.bucket }),
          );
          continue;
        }
        announceWait(waiter, result.reason === 'throttled' ? 'throttled' : result.bucket, result.waitMs);
        if (state.dirty) continue;
        // A shared store's jitter keeps processes waiting for the same refill from waking together.
        const jitterMs = store.wakeJitterMs ? Math.random() * store.wakeJitterMs : 0;
        state.wakeTimer = clock.setTimeout(() => {
          state.wakeTimer = undefined;
          pump(state);
        }, result.waitMs + jitterMs);
        return;
      }
    } finally {
      state.pumping = false;
    }
  };

  const tooLarge = (
    state: ClassState,
    request: AdmissionRequest,
    bucket: StoreBucketName,
    requested: number,
  ) =>
    new RequestTooLargeError({
      model: request.model,
      modelClass: state.modelClass,
      bucket,
      requested,
      capacity: state.effective[bucket]?.limit ?? 0,
    });

  /** What a call takes from each bucket under the limits in effect now. */
  const amountsFor = (
    state: ClassState,
    request: AdmissionRequest,
    wanted: Amounts,
  ): Amounts | RequestTooLargeError => {
    let amounts = wanted;
    for (const bucket of bucketNames) {
      const effective = state.effective[bucket];
      if (!effective || wanted[bucket] <= effective.limit) continue;
      // Output is counted as generated, so holding more than a minute's worth is pointless;
      // a provisional limit is only a guess, so a large call goes alone rather than never.
      if (bucket !== 'output_tokens' && !effective.provisional) {
        return tooLarge(state, request, bucket, wanted[bucket]);
      }
      amounts = { ...amounts, [bucket]: effective.limit };
    }
    return amounts;
  };

  const enqueue = (
    state: ClassState<Waiter>,
    request: AdmissionRequest,
    amounts: Amounts,
    budgetHold: BudgetHold | undefined,
    nowMs: number,
  ): Promise<Reservation> =>
    new Promise<Reservation>((resolve, reject) => {
      const waiter: Waiter = {
        request,
        state,
        amounts,
        budgetHold,
        priority: request.priority ?? 0,
        enqueuedAtMs: nowMs,
        sequence: sequence++,
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
          () => fail(waiter, new WaitTimeoutError({ modelClass: state.modelClass, maxWaitMs })),
          maxWaitMs,
        );
      }
      const signal = request.signal;
      if (signal) {
        waiter.onAbort = () => fail(waiter, new AbortedError({ cause: signal.reason }));
        signal.addEventListener('abort', waiter.onAbort, { once: true });
      }
      state.queue.push(waiter);
      pump(state);
    });

  return { amountsFor, enqueue, fail, pump, tooLarge, wake };
}
