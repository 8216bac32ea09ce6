import {
  type AdmissionRequest,
  type Bus,
  type Clock,
  rateLimitedInputTokens,
  type Usage,
} from '@bulwark/core';
import type { RateLimitStore } from '../store.js';
import type { BudgetHold, BudgetTracker } from './budget-tracker.js';
import { type Amounts, bucketAmounts, bucketNames, type ClassState, scratchAmounts } from './class-state.js';
import { LimiterReservation, type ReservationSettler } from './limiter-reservation.js';
import type { OutputEstimator } from './output-estimator.js';
import { reportStoreFailure } from './store-failure.js';

export interface SettlementContext {
  store: RateLimitStore;
  clock: Clock;
  bus: Bus;
  budgets: BudgetTracker;
  outputEstimator: OutputEstimator;
  countsCacheReads: (model: string) => boolean;
  /** Capacity came back to `state`: let its waiters look again. */
  wake(state: ClassState): void;
}

const countCacheReadsOption = { countCacheReads: true };
const noCacheReadsOption = { countCacheReads: false };

/**
 * Holding and settling reservations: `reserve` counts an admitted call as in flight and
 * pending; the holder's `reconcile(usage)` or `release()` comes back here once, to give the
 * store the difference between what was held and what was used, record the usage against the
 * budgets, and wake the class's waiters.
 */
export class Settlement implements ReservationSettler {
  // Reused by every settlement (synchronous, never retained): one allocation less per call.
  private readonly difference: Amounts = { requests: 0, input_tokens: 0, output_tokens: 0 };

  constructor(private readonly context: SettlementContext) {}

  reserve(
    state: ClassState,
    request: AdmissionRequest,
    amounts: Amounts,
    hold: BudgetHold | undefined,
  ): LimiterReservation {
    state.inFlight += 1;
    for (const bucket of bucketNames) state.pending[bucket] += amounts[bucket];
    return new LimiterReservation(request.model, request.requestId, state, amounts, hold, this);
  }

  settle(reservation: LimiterReservation, usage: Usage | undefined, partial: boolean): void {
    const { state, amounts, model } = reservation;
    state.inFlight -= 1;
    for (const bucket of bucketNames) state.pending[bucket] -= amounts[bucket];
    if (usage && !partial) this.context.outputEstimator.record(model, usage.outputTokens);
    const nowMs = this.differenceOf(reservation, usage) ? this.giveBack(reservation) : undefined;
    // The memory store's time saves reading the clock again (it shows at a million calls a second).
    const settledAtMs = nowMs ?? this.context.clock.now();
    const { budgets, bus } = this.context;
    budgets.settle(model, reservation.budgetHold, usage, settledAtMs);
    if (usage && budgets.hasCaps && bus.listenerCount('budget:level') > 0) {
      for (const level of budgets.levels(settledAtMs)) bus.emit('budget:level', { model, ...level });
    }
    this.context.wake(state);
  }

  /** Fills `this.difference` with what goes back to the buckets; false when nothing does. */
  private differenceOf({ amounts, model }: LimiterReservation, usage: Usage | undefined): boolean {
    const difference = this.difference;
    if (usage) {
      const cacheReads = this.context.countsCacheReads(model) ? countCacheReadsOption : noCacheReadsOption;
      difference.requests = 0;
      difference.input_tokens = amounts.input_tokens - rateLimitedInputTokens(usage, cacheReads);
      difference.output_tokens = amounts.output_tokens - usage.outputTokens;
    } else {
      difference.requests = amounts.requests;
      difference.input_tokens = amounts.input_tokens;
      difference.output_tokens = amounts.output_tokens;
    }
    return difference.requests !== 0 || difference.input_tokens !== 0 || difference.output_tokens !== 0;
  }

  /**
   * Refunds (or charges) `this.difference`. A synchronous store answers at once, with its time;
   * an async one is not awaited: the holder's `reconcile` must not wait on the store.
   */
  private giveBack({ state, requestId }: LimiterReservation): number | undefined {
    const { store, bus } = this.context;
    if (store.adjustSync) {
      try {
        return store.adjustSync({ scope: state.scope, buckets: scratchAmounts(state, this.difference) })
          .nowMs;
      } catch (error) {
        // The holder's reconcile never throws for the store: report it like an async failure.
        reportStoreFailure(bus, state, 'adjust', requestId)(error);
        return undefined;
      }
    }
    const buckets = bucketAmounts(state, this.difference).filter((bucket) => bucket.amount !== 0);
    store
      .adjust({ scope: state.scope, buckets })
      .then(() => this.context.wake(state), reportStoreFailure(bus, state, 'adjust', requestId));
    return undefined;
  }
}
