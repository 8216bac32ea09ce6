import {
  AbortedError,
  type AdmissionGate,
  type AdmissionRequest,
  type BucketLevels,
  type Bus,
  createBus,
  emptyUsage,
  modelClassOf,
  type Reservation,
  rateLimitedInputTokens,
  systemClock,
  type Usage,
} from '@bulwark/core';
import { invalidArgument } from '@bulwark/core/internal';
import { type BudgetHold, BudgetTracker, type UsageReport } from './budgets.js';
import { QueueFullError, RequestTooLargeError, SpendLimitError } from './errors.js';
import { createAdmissionQueue, type Waiter } from './internal/admission-queue.js';
import {
  type Amounts,
  bucketAmounts,
  bucketNames,
  type ClassState,
  type LimitSources,
  limitKeyOf,
  refreshLimits,
  scratchAmounts,
  toBucketLevels,
} from './internal/class-state.js';
import { ignoreStoreFailure } from './internal/ignore-store-failure.js';
import { LimiterReservation } from './internal/limiter-reservation.js';
import { OutputEstimator } from './internal/output-estimator.js';
import { createObserver } from './internal/server-feedback.js';
import { syncOperationsOf } from './internal/sync-store.js';
import { validateAdmissionRequest } from './internal/validate-request.js';
import { WaitQueue } from './internal/wait-queue.js';
import { createMemoryStore } from './memory-store.js';
import { type RateLimiterOptions, type RateLimits, validateRateLimiterOptions } from './options.js';
import type { StoreTakeResult } from './store.js';

/** The limiter: core's `AdmissionGate`, plus introspection and cleanup. */
export interface RateLimiter extends AdmissionGate {
  /** Token and cost totals of the current UTC hour, day and month, per model. */
  usage(): UsageReport;
  /** The current levels of a model's class (refilled to now) and its throttle mark. */
  levels(model: string): Promise<{ modelClass: string; levels: BucketLevels; throttledUntilMs: number }>;
  /** The limits in effect for a model's class (configured, learnt, or initial). */
  limitsOf(model: string): RateLimits;
  /** Rejects every waiter with `AbortedError` and stops its timers and store subscriptions. */
  close(): void;
}

const countCacheReadsOption = { countCacheReads: true };
const noCacheReadsOption = { countCacheReads: false };
const defaultInitialLimits = {
  requestsPerMinute: 50,
  inputTokensPerMinute: 30_000,
  outputTokensPerMinute: 8_000,
};

/**
 * Creates a rate limiter for the Anthropic Messages API: `acquire` waits until the requests,
 * input-token and output-token buckets of the model's class allow the call and holds its
 * share; the reservation's `reconcile(usage)` settles the difference; `observe` follows the
 * server's headers and 429s. See the README for the queue policy.
 */
export function createRateLimiter(options: RateLimiterOptions = {}): RateLimiter {
  validateRateLimiterOptions(options);
  const {
    limits = {},
    limitsByModelClass = {},
    learnLimitsFromHeaders = true,
    initialLimits = defaultInitialLimits,
    modelClasses = {},
    defaultModelClass,
    outputReservation = 'estimate',
    countsCacheReads = () => false,
    clock = systemClock,
    store = createMemoryStore({ clock }),
    namespace = 'default',
    bus = createBus() as Bus,
    maxWaitMs = Number.POSITIVE_INFINITY,
    maxQueueLength = Number.POSITIVE_INFINITY,
    priorityAgingMs = 30_000,
    throttleWithoutRetryAfterMs = 1_000,
    spendLimitPauseMs = 60_000,
    budgets = {},
    prices = {},
  } = options;
  const limitSources: LimitSources = { learnLimitsFromHeaders, initialLimits };
  const syncStore = syncOperationsOf(store);

  const classOfModel = new Map<string, string>();
  const resolveModelClass = (model: string): string => {
    let modelClass = classOfModel.get(model);
    if (modelClass !== undefined) return modelClass;
    modelClass = modelClasses[model] ?? modelClassOf(model) ?? defaultModelClass;
    if (modelClass === undefined) {
      throw invalidArgument(
        'request.model',
        'a Claude model id, a key of `modelClasses`, or any id when `defaultModelClass` is set',
        model,
      );
    }
    classOfModel.set(model, modelClass);
    return modelClass;
  };

  const budgetTracker = new BudgetTracker(budgets, prices, (model) => classOfModel.get(model));
  const outputEstimator = new OutputEstimator(outputReservation);
  const classes = new Map<string, ClassState<Waiter>>();
  const spend = { limitedUntilMs: 0 };
  // Reused by every settlement (synchronous, never retained): one allocation less per call.
  const settleScratch: Amounts = { requests: 0, input_tokens: 0, output_tokens: 0 };
  let closed = false;

  const stateOf = (modelClass: string): ClassState<Waiter> => {
    let state = classes.get(modelClass);
    if (!state) {
      state = {
        modelClass,
        scope: { namespace, modelClass },
        configured: { ...limits, ...limitsByModelClass[modelClass] },
        learnt: {},
        heardFromServer: false,
        effective: {},
        maxInFlight: 1,
        queue: new WaitQueue<Waiter>(priorityAgingMs),
        pumping: false,
        dirty: false,
        wakeTimer: undefined,
        inFlight: 0,
        pending: { requests: 0, input_tokens: 0, output_tokens: 0 },
        scratch: [],
        unsubscribe: undefined,
      };
      refreshLimits(state, limitSources);
      const subscribed = state;
      state.unsubscribe = store.subscribe?.(state.scope, () => pump(subscribed));
      classes.set(modelClass, state);
    }
    return state;
  };

  // ---- reservations ----

  const settleReservation = (
    reservation: LimiterReservation,
    usage: Usage | undefined,
    partial: boolean,
  ): void => {
    const { state, amounts, model } = reservation;
    state.inFlight -= 1;
    for (const bucket of bucketNames) state.pending[bucket] -= amounts[bucket];
    if (usage && !partial) outputEstimator.record(model, usage.outputTokens);
    const difference = settleScratch;
    difference.requests = usage ? 0 : amounts.requests;
    difference.input_tokens = usage
      ? amounts.input_tokens -
        rateLimitedInputTokens(usage, countsCacheReads(model) ? countCacheReadsOption : noCacheReadsOption)
      : amounts.input_tokens;
    difference.output_tokens = usage ? amounts.output_tokens - usage.outputTokens : amounts.output_tokens;
    const changed =
      difference.requests !== 0 || difference.input_tokens !== 0 || difference.output_tokens !== 0;
    let nowMs: number | undefined;
    if (changed && syncStore) {
      nowMs = syncStore.adjustSync({ scope: state.scope, buckets: scratchAmounts(state, difference) }).nowMs;
    } else if (changed) {
      const buckets = bucketAmounts(state, difference).filter((bucket) => bucket.amount !== 0);
      store.adjust({ scope: state.scope, buckets }).then(() => wake(state), ignoreStoreFailure);
    }
    // The memory store's time saves reading the clock again (it shows at a million calls a second).
    budgetTracker.settle(model, reservation.budgetHold, usage, nowMs ?? clock.now());
    wake(state);
  };

  const reserve = (
    state: ClassState<Waiter>,
    request: AdmissionRequest,
    amounts: Amounts,
    hold: BudgetHold | undefined,
  ) => {
    state.inFlight += 1;
    for (const bucket of bucketNames) state.pending[bucket] += amounts[bucket];
    return new LimiterReservation(request.model, request.requestId, state, amounts, hold, settleReservation);
  };

  const announceAdmit = (
    state: ClassState<Waiter>,
    request: AdmissionRequest,
    result: StoreTakeResult,
    amounts: Amounts,
    enqueuedAtMs: number,
  ): void => {
    if (bus.listenerCount('ratelimit:admit') === 0) return;
    bus.emit('ratelimit:admit', {
      ...(request.requestId === undefined ? {} : { requestId: request.requestId }),
      model: request.model,
      modelClass: state.modelClass,
      inputTokens: amounts.input_tokens,
      outputTokens: amounts.output_tokens,
      waitedMs: Math.max(0, result.nowMs - enqueuedAtMs),
      levels: toBucketLevels(state, result.levels),
    });
  };

  const { amountsFor, enqueue, fail, pump, wake } = createAdmissionQueue({
    clock,
    store,
    syncStore,
    bus,
    spend,
    maxWaitMs,
    releaseBudget: (model, hold) => budgetTracker.settle(model, hold, undefined, clock.now()),
    reserve,
    announceAdmit,
  });

  const acquire = (request: AdmissionRequest): Promise<Reservation> => {
    try {
      validateAdmissionRequest(request);
      if (closed) throw new AbortedError({ message: 'The rate limiter is closed' });
      if (request.signal?.aborted) throw new AbortedError({ cause: request.signal.reason });
      const modelClass = resolveModelClass(request.model);
      const state = stateOf(modelClass);
      if (spend.limitedUntilMs > 0 && spend.limitedUntilMs > clock.now()) {
        throw new SpendLimitError({ model: request.model, untilMs: spend.limitedUntilMs });
      }
      if (state.queue.length >= maxQueueLength) throw new QueueFullError({ modelClass, maxQueueLength });
      const amounts: Amounts = {
        requests: 1,
        input_tokens: request.inputTokens,
        output_tokens: outputEstimator.reserve(request.model, request.maxOutputTokens),
      };
      const budgetHold = budgetTracker.hasCaps ? holdBudget(request, amounts, clock.now()) : undefined;
      // Fast path: nobody waits and the store answers synchronously.
      if (syncStore && state.queue.length === 0 && !state.pumping && state.inFlight < state.maxInFlight) {
        const admitted = amountsFor(state, request, amounts);
        if (admitted instanceof RequestTooLargeError) {
          budgetTracker.settle(request.model, budgetHold, undefined, clock.now());
          throw admitted;
        }
        const result = syncStore.takeSync({ scope: state.scope, buckets: scratchAmounts(state, admitted) });
        if (result.admitted) {
          const reservation = reserve(state, request, admitted, budgetHold);
          announceAdmit(state, request, result, admitted, result.nowMs);
          return Promise.resolve(reservation);
        }
      }
      return enqueue(state, request, amounts, budgetHold, clock.now());
    } catch (error) {
      return Promise.reject(error);
    }
  };

  const holdBudget = (request: AdmissionRequest, amounts: Amounts, nowMs: number): BudgetHold => {
    if (budgetTracker.needsPrices && !budgetTracker.priceOf(request.model)) {
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
    return budgetTracker.hold(
      request.model,
      expected,
      nowMs,
      (event) => bus.emit('budget:exceeded', event),
      request.requestId,
    );
  };

  const observe = createObserver({
    bus,
    clock,
    store,
    spend,
    spendLimitPauseMs,
    throttleWithoutRetryAfterMs,
    learnLimitsFromHeaders,
    stateOf: (model) => stateOf(resolveModelClass(model)),
    allStates: () => classes.values(),
    limitsChanged: (state) => refreshLimits(state, limitSources),
    rejectAllWaiters: (state, error) => {
      for (const waiter of (state as ClassState<Waiter>).queue.drain())
        fail(waiter, error(waiter.request.model));
    },
    pump,
  });

  return {
    acquire,
    observe,
    usage: () => budgetTracker.report(clock.now()),
    async levels(model) {
      const state = stateOf(resolveModelClass(model));
      const shapes = bucketNames.flatMap((bucket) => state.effective[bucket]?.shape ?? []);
      const result = await store.peek({ scope: state.scope, buckets: shapes });
      return {
        modelClass: state.modelClass,
        levels: toBucketLevels(state, result.levels),
        throttledUntilMs: result.throttledUntilMs,
      };
    },
    limitsOf(model) {
      const state = stateOf(resolveModelClass(model));
      const result: RateLimits = {};
      for (const bucket of bucketNames) {
        const effective = state.effective[bucket];
        if (effective) result[limitKeyOf[bucket]] = effective.limit;
      }
      if (Number.isFinite(state.maxInFlight)) result.maxInFlight = state.maxInFlight;
      return result;
    },
    close() {
      closed = true;
      for (const state of classes.values()) {
        state.unsubscribe?.();
        state.unsubscribe = undefined;
        state.wakeTimer?.cancel();
        state.wakeTimer = undefined;
        for (const waiter of state.queue.drain()) {
          fail(waiter, new AbortedError({ message: 'The rate limiter was closed' }));
        }
      }
    },
  };
}
