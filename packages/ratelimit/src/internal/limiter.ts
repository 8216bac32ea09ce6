import {
  AbortedError,
  type AdmissionFeedback,
  type AdmissionRequest,
  type BucketLevels,
  type Bus,
  type Clock,
  createBus,
  emptyUsage,
  type Reservation,
} from '@bulwark/core';
import { invalidArgument } from '@bulwark/core/internal';
import type { UsageReport } from '../budgets.js';
import { QueueFullError, RequestTooLargeError, SpendLimitError } from '../errors.js';
import { createMemoryStore } from '../memory-store.js';
import type { RateLimiterSettings, RateLimits } from '../options.js';
import type { RateLimiter } from '../rate-limiter.js';
import type { RateLimitStore } from '../store.js';
import { AdmissionQueue, type Waiter } from './admission-queue.js';
import { type BudgetHold, BudgetTracker } from './budget-tracker.js';
import {
  type Amounts,
  admissibleAmounts,
  bucketNames,
  type ClassState,
  perMinuteLimits,
  scratchAmounts,
  toBucketLevels,
} from './class-state.js';
import { ModelClasses } from './model-classes.js';
import { OutputEstimator } from './output-estimator.js';
import { ServerFeedback } from './server-feedback.js';
import { Settlement } from './settlement.js';
import { validateAdmissionRequest } from './validate-request.js';

/**
 * The limiter behind `createRateLimiter`: admission here (the fast path when nobody waits and
 * the store answers synchronously, the queue otherwise), settlement in `Settlement`, the
 * server's feedback in `ServerFeedback`, the classes' state in `ModelClasses`.
 */
export class Limiter implements RateLimiter {
  private readonly clock: Clock;
  private readonly store: RateLimitStore;
  private readonly bus: Bus;
  private readonly maxQueueLength: number;
  private readonly classes: ModelClasses;
  private readonly budgets: BudgetTracker;
  private readonly outputEstimator: OutputEstimator;
  private readonly queue: AdmissionQueue;
  private readonly feedback: ServerFeedback;
  private readonly spend = { limitedUntilMs: 0 };
  private closed = false;

  constructor(settings: RateLimiterSettings) {
    const { clock, maxWaitMs } = settings;
    const store = settings.store ?? createMemoryStore({ clock });
    const bus = settings.bus ?? createBus();
    this.clock = clock;
    this.store = store;
    this.bus = bus;
    this.maxQueueLength = settings.maxQueueLength;
    this.classes = new ModelClasses({ ...settings, store, onRefund: (state) => this.queue.pump(state) });
    this.budgets = new BudgetTracker(settings.budgets, settings.prices, (model) =>
      this.classes.knownClassOf(model),
    );
    this.outputEstimator = new OutputEstimator(settings.outputReservation);
    const settlement = new Settlement({
      store,
      clock,
      bus,
      budgets: this.budgets,
      outputEstimator: this.outputEstimator,
      countsCacheReads: settings.countsCacheReads,
      wake: (state) => this.queue.wake(state),
    });
    const { spend, budgets } = this;
    const releaseBudget = (model: string, hold: BudgetHold | undefined) =>
      budgets.settle(model, hold, undefined, clock.now());
    this.queue = new AdmissionQueue({ clock, store, bus, settlement, spend, maxWaitMs, releaseBudget });
    this.feedback = new ServerFeedback({
      ...settings,
      store,
      bus,
      classes: this.classes,
      queue: this.queue,
      spend,
    });
  }

  acquire(request: AdmissionRequest): Promise<Reservation> {
    try {
      validateAdmissionRequest(request);
      if (this.closed) throw new AbortedError({ message: 'The rate limiter is closed' });
      if (request.signal?.aborted) throw new AbortedError({ cause: request.signal.reason });
      const state = this.classes.stateOf(request.model);
      const { spend } = this;
      if (spend.limitedUntilMs > 0 && spend.limitedUntilMs > this.clock.now()) {
        throw new SpendLimitError({ model: request.model, untilMs: spend.limitedUntilMs });
      }
      if (state.queue.length >= this.maxQueueLength) {
        throw new QueueFullError({ modelClass: state.modelClass, maxQueueLength: this.maxQueueLength });
      }
      const amounts: Amounts = {
        requests: 1,
        input_tokens: request.inputTokens,
        output_tokens: this.outputEstimator.reserve(request.model, request.maxOutputTokens),
      };
      const hold = this.budgets.hasCaps ? this.holdBudget(request, amounts) : undefined;
      try {
        return (
          this.admitNow(state, request, amounts, hold) ??
          this.queue.enqueue(state, request, amounts, hold, this.clock.now())
        );
      } catch (error) {
        this.budgets.settle(request.model, hold, undefined, this.clock.now());
        throw error;
      }
    } catch (error) {
      return Promise.reject(error);
    }
  }

  observe(feedback: AdmissionFeedback): void {
    this.feedback.observe(feedback);
  }

  usage(): UsageReport {
    return this.budgets.report(this.clock.now());
  }

  async levels(
    model: string,
  ): Promise<{ modelClass: string; levels: BucketLevels; throttledUntilMs: number }> {
    const state = this.classes.stateOf(model);
    const shapes = bucketNames.flatMap((bucket) => state.effective[bucket]?.shape ?? []);
    const result = await this.store.peek({ scope: state.scope, buckets: shapes });
    return {
      modelClass: state.modelClass,
      levels: toBucketLevels(state, result.levels),
      throttledUntilMs: result.throttledUntilMs,
    };
  }

  limitsOf(model: string): RateLimits {
    const state = this.classes.stateOf(model);
    const result: RateLimits = perMinuteLimits(state);
    if (Number.isFinite(state.maxInFlight)) result.maxInFlight = state.maxInFlight;
    return result;
  }

  close(): void {
    this.closed = true;
    this.classes.close();
    for (const state of this.classes.all()) {
      this.queue.rejectAll(state, () => new AbortedError({ message: 'The rate limiter was closed' }));
    }
  }

  /**
   * The fast path: when nobody waits and the store answers synchronously, admits at once
   * without a trip through the event loop. `undefined` when the call has to queue.
   */
  private admitNow(
    state: ClassState<Waiter>,
    request: AdmissionRequest,
    amounts: Amounts,
    hold: BudgetHold | undefined,
  ): Promise<Reservation> | undefined {
    const { store } = this;
    if (!store.takeSync || state.queue.length > 0 || state.pumping || state.inFlight >= state.maxInFlight) {
      return undefined;
    }
    const admitted = admissibleAmounts(state, request, amounts);
    if (admitted instanceof RequestTooLargeError) throw admitted;
    const result = store.takeSync({ scope: state.scope, buckets: scratchAmounts(state, admitted) });
    if (!result.admitted) return undefined;
    return Promise.resolve(this.queue.grant(state, request, admitted, hold, result, result.nowMs));
  }

  /** Holds the call's expected tokens and cost against the budgets, or throws `BudgetExceededError`. */
  private holdBudget(request: AdmissionRequest, amounts: Amounts): BudgetHold {
    const { budgets } = this;
    if (budgets.needsPrices && !budgets.priceOf(request.model)) {
      throw invalidArgument(
        `options.prices[${JSON.stringify(request.model)}]`,
        'a price for a cost budget',
        undefined,
      );
    }
    const expected = {
      ...emptyUsage(),
      inputTokens: request.inputTokens,
      outputTokens: amounts.output_tokens,
    };
    return budgets.hold(
      request.model,
      expected,
      this.clock.now(),
      (event) => this.bus.emit('budget:exceeded', event),
      request.requestId,
    );
  }
}
