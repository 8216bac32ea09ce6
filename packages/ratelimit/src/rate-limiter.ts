import {
  AbortedError,
  type AdmissionFeedback,
  type AdmissionGate,
  type AdmissionRequest,
  type BucketLevels,
  type Bus,
  type ClockTimer,
  createBus,
  emptyUsage,
  expectNumber,
  expectObject,
  expectOptionalNumber,
  expectOptionalSignal,
  expectString,
  invalidArgument,
  modelClassOf,
  parseRetryAfterMs,
  type RateLimitBucket,
  type Reservation,
  rateLimitedInputTokens,
  systemClock,
  type Usage,
  type UsageEvent,
} from '@bulwark/core';
import { type BudgetHold, BudgetTracker, type UsageReport } from './budgets.js';
import { QueueFullError, RequestTooLargeError, SpendLimitError, WaitTimeoutError } from './errors.js';
import { readHeaderBuckets } from './internal/header-limits.js';
import { OutputEstimator } from './internal/output-estimator.js';
import { type QueuedWaiter, WaitQueue } from './internal/wait-queue.js';
import { createMemoryStore } from './memory-store.js';
import { type RateLimiterOptions, type RateLimits, validateRateLimiterOptions } from './options.js';
import type {
  StoreBucketAmount,
  StoreBucketName,
  StoreBucketShape,
  StoreLevels,
  StoreScope,
  StoreTakeResult,
} from './store.js';

/** The limiter: core's `AdmissionGate`, plus introspection and cleanup. */
export interface RateLimiter extends AdmissionGate {
  /** Token and cost totals of the current UTC hour, day and month, per model. */
  usage(): UsageReport;
  /** The current levels of a model's class (refilled to now) and its throttle mark. */
  levels(model: string): Promise<{ modelClass: string; levels: BucketLevels; throttledUntilMs: number }>;
  /** The limits in effect for a model's class (configured, learnt, or initial). */
  limitsOf(model: string): RateLimits;
  /** Rejects every waiter with `AbortedError` and stops listening to the bus. */
  close(): void;
}

const bucketNames = [
  'requests',
  'input_tokens',
  'output_tokens',
] as const satisfies readonly StoreBucketName[];
const limitKeyOf = {
  requests: 'requestsPerMinute',
  input_tokens: 'inputTokensPerMinute',
  output_tokens: 'outputTokensPerMinute',
} as const satisfies Record<StoreBucketName, keyof RateLimits>;
const levelKeyOf = {
  requests: 'requests',
  input_tokens: 'inputTokens',
  output_tokens: 'outputTokens',
} as const satisfies Record<StoreBucketName, keyof BucketLevels>;

type Amounts = Record<StoreBucketName, number>;

interface ClassState {
  modelClass: string;
  scope: StoreScope;
  configured: RateLimits;
  learnt: Partial<Record<StoreBucketName, number>>;
  /** A response of this class was observed, so buckets with no known limit stop being provisional. */
  heardFromServer: boolean;
  queue: WaitQueue<Waiter>;
  pumping: boolean;
  /** Something changed while the pump awaited the store: look again before sleeping. */
  dirty: boolean;
  wakeTimer: ClockTimer | undefined;
  inFlight: number;
  /** Held by reservations not yet reconciled or released. */
  pending: Amounts;
  /** Stops the store's refund wake-ups (a shared store's `subscribe`). */
  unsubscribe: (() => void) | undefined;
}

interface Waiter extends QueuedWaiter {
  request: AdmissionRequest;
  state: ClassState;
  amounts: Amounts;
  budgetHold: BudgetHold | undefined;
  settled: boolean;
  waitAnnounced: boolean;
  deadlineMs: number;
  timeoutTimer: ClockTimer | undefined;
  onAbort: (() => void) | undefined;
  resolve: (reservation: Reservation) => void;
  reject: (error: unknown) => void;
}

function withoutInFlight(limits: RateLimits): Omit<RateLimits, 'maxInFlight'> {
  const result: Omit<RateLimits, 'maxInFlight'> = {};
  if (limits.requestsPerMinute !== undefined) result.requestsPerMinute = limits.requestsPerMinute;
  if (limits.inputTokensPerMinute !== undefined) result.inputTokensPerMinute = limits.inputTokensPerMinute;
  if (limits.outputTokensPerMinute !== undefined) result.outputTokensPerMinute = limits.outputTokensPerMinute;
  return result;
}

const spendLimitCode = 'enforced_spend_limit_reached';
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
  const classes = new Map<string, ClassState>();
  const reservationsByRequestId = new Map<string, LimiterReservation[]>();
  let sequence = 0;
  let spendLimitedUntilMs = 0;
  let closed = false;

  const stateOf = (modelClass: string): ClassState => {
    let state = classes.get(modelClass);
    if (!state) {
      state = {
        modelClass,
        scope: { namespace, modelClass },
        configured: { ...limits, ...limitsByModelClass[modelClass] },
        learnt: {},
        heardFromServer: false,
        queue: new WaitQueue<Waiter>(priorityAgingMs),
        pumping: false,
        dirty: false,
        wakeTimer: undefined,
        inFlight: 0,
        pending: { requests: 0, input_tokens: 0, output_tokens: 0 },
        unsubscribe: undefined,
      };
      const subscribed = state;
      state.unsubscribe = store.subscribe?.(state.scope, () => pump(subscribed));
      classes.set(modelClass, state);
    }
    return state;
  };

  /** The limit of one bucket, and whether it is only the conservative initial guess. */
  const limitOf = (
    state: ClassState,
    bucket: StoreBucketName,
  ): { limit: number; provisional: boolean } | undefined => {
    const configured = state.configured[limitKeyOf[bucket]];
    const learnt = state.learnt[bucket];
    if (configured !== undefined && learnt !== undefined)
      return { limit: Math.min(configured, learnt), provisional: false };
    if (configured !== undefined) return { limit: configured, provisional: false };
    if (learnt !== undefined) return { limit: learnt, provisional: false };
    if (!learnLimitsFromHeaders || state.heardFromServer) return undefined;
    const initial = initialLimits[limitKeyOf[bucket]];
    return initial === undefined ? undefined : { limit: initial, provisional: true };
  };

  const shapeOf = (state: ClassState, bucket: StoreBucketName): StoreBucketShape | undefined => {
    const known = limitOf(state, bucket);
    return known && { bucket, capacity: known.limit, refillPerSecond: known.limit / 60 };
  };

  const isProvisional = (state: ClassState): boolean =>
    bucketNames.some((bucket) => limitOf(state, bucket)?.provisional === true);

  const maxInFlightOf = (state: ClassState): number =>
    isProvisional(state) ? 1 : (state.configured.maxInFlight ?? Number.POSITIVE_INFINITY);

  const toBucketLevels = (state: ClassState, levels: StoreLevels): BucketLevels => {
    const result: BucketLevels = {};
    for (const bucket of bucketNames) {
      const available = levels[bucket];
      const known = limitOf(state, bucket);
      if (available !== undefined && known) result[levelKeyOf[bucket]] = { available, capacity: known.limit };
    }
    return result;
  };

  const currentLimits = (state: ClassState): RateLimits => {
    const result: RateLimits = {};
    for (const bucket of bucketNames) {
      const known = limitOf(state, bucket);
      if (known) result[limitKeyOf[bucket]] = known.limit;
    }
    const maxInFlight = maxInFlightOf(state);
    if (Number.isFinite(maxInFlight)) result.maxInFlight = maxInFlight;
    return result;
  };

  const ignoreStoreFailure = (): void => {
    // A failed refund or sync only makes the limiter more cautious until the next success;
    // there is no caller to hand the error to.
  };

  // ---- reservations ----

  class LimiterReservation implements Reservation {
    readonly model: string;
    readonly requestId: string | undefined;
    readonly inputTokens: number;
    readonly outputTokens: number;
    settled = false;

    constructor(
      private readonly state: ClassState,
      request: AdmissionRequest,
      private readonly amounts: Amounts,
      private readonly budgetHold: BudgetHold | undefined,
    ) {
      this.model = request.model;
      this.requestId = request.requestId;
      this.inputTokens = amounts.input_tokens;
      this.outputTokens = amounts.output_tokens;
    }

    reconcile(usage: Usage): void {
      this.settle(usage, false);
    }

    release(): void {
      this.settle(undefined, false);
    }

    /** Settles once: charges or refunds the difference from `usage`, or refunds all without it. */
    settle(usage: Usage | undefined, partial: boolean): void {
      if (this.settled) return;
      this.settled = true;
      const { state, amounts } = this;
      forgetReservation(this);
      state.inFlight -= 1;
      for (const bucket of bucketNames) state.pending[bucket] -= amounts[bucket];
      budgetTracker.settle(this.model, this.budgetHold, usage, clock.now());
      const used: Amounts = usage
        ? {
            requests: 1,
            input_tokens: rateLimitedInputTokens(usage, { countCacheReads: countsCacheReads(this.model) }),
            output_tokens: usage.outputTokens,
          }
        : { requests: 0, input_tokens: 0, output_tokens: 0 };
      if (usage && !partial) outputEstimator.record(this.model, usage.outputTokens);
      const adjustments: StoreBucketAmount[] = [];
      for (const bucket of bucketNames) {
        const difference = amounts[bucket] - used[bucket];
        const shape = difference !== 0 ? shapeOf(state, bucket) : undefined;
        if (shape) adjustments.push({ ...shape, amount: difference });
      }
      if (adjustments.length === 0) {
        pump(state);
        return;
      }
      store.adjust({ scope: state.scope, buckets: adjustments }).then(() => pump(state), ignoreStoreFailure);
    }
  }

  const rememberReservation = (reservation: LimiterReservation): void => {
    if (reservation.requestId === undefined) return;
    const list = reservationsByRequestId.get(reservation.requestId);
    if (list) list.push(reservation);
    else reservationsByRequestId.set(reservation.requestId, [reservation]);
  };

  const forgetReservation = (reservation: LimiterReservation): void => {
    if (reservation.requestId === undefined) return;
    const list = reservationsByRequestId.get(reservation.requestId);
    if (!list) return;
    const index = list.indexOf(reservation);
    if (index !== -1) list.splice(index, 1);
    if (list.length === 0) reservationsByRequestId.delete(reservation.requestId);
  };

  const onUsage = (event: UsageEvent): void => {
    // Each attempt of a request acquires once and reports usage once: settle the oldest.
    const oldest = reservationsByRequestId.get(event.requestId)?.[0];
    oldest?.settle(event.usage, event.partial);
  };
  bus.on('usage', onUsage);

  // ---- the queue ----

  const finish = (waiter: Waiter): void => {
    waiter.settled = true;
    waiter.state.queue.remove(waiter);
    waiter.timeoutTimer?.cancel();
    if (waiter.onAbort) waiter.request.signal?.removeEventListener('abort', waiter.onAbort);
  };

  const fail = (waiter: Waiter, error: unknown): void => {
    if (waiter.settled) return;
    finish(waiter);
    if (waiter.budgetHold)
      budgetTracker.settle(waiter.request.model, waiter.budgetHold, undefined, clock.now());
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

  const admit = (waiter: Waiter, result: StoreTakeResult, amounts: Amounts): void => {
    finish(waiter);
    const { state, request } = waiter;
    state.inFlight += 1;
    for (const bucket of bucketNames) state.pending[bucket] += amounts[bucket];
    const reservation = new LimiterReservation(state, request, amounts, waiter.budgetHold);
    rememberReservation(reservation);
    if (bus.listenerCount('ratelimit:admit') > 0) {
      bus.emit('ratelimit:admit', {
        ...(request.requestId === undefined ? {} : { requestId: request.requestId }),
        model: request.model,
        modelClass: state.modelClass,
        inputTokens: amounts.input_tokens,
        outputTokens: amounts.output_tokens,
        waitedMs: Math.max(0, clock.now() - waiter.enqueuedAtMs),
        levels: toBucketLevels(state, result.levels),
      });
    }
    waiter.resolve(reservation);
  };

  const scheduleWake = (state: ClassState, waitMs: number): void => {
    // A shared store's jitter keeps processes waiting for the same refill from waking together.
    const delayMs = waitMs + (store.wakeJitterMs ? Math.random() * store.wakeJitterMs : 0);
    state.wakeTimer?.cancel();
    state.wakeTimer = clock.setTimeout(() => {
      state.wakeTimer = undefined;
      pump(state);
    }, delayMs);
  };

  /** Takes for the waiter `next` picks, one at a time, until one has to wait. */
  const pump = (state: ClassState): void => {
    if (state.pumping) {
      state.dirty = true;
      return;
    }
    state.pumping = true;
    void runPump(state);
  };

  const runPump = async (state: ClassState): Promise<void> => {
    // The finally runs in the same tick as the loop's last decision, so no pump() call can
    // fall between that decision and the flag going down.
    try {
      for (;;) {
        state.dirty = false;
        const nowMs = clock.now();
        const waiter = state.queue.next(nowMs);
        if (!waiter) return;
        if (spendLimitedUntilMs > nowMs) {
          fail(waiter, new SpendLimitError({ model: waiter.request.model, untilMs: spendLimitedUntilMs }));
          continue;
        }
        if (state.inFlight >= maxInFlightOf(state)) {
          // A reservation settling pumps again.
          announceWait(waiter, 'in_flight', 0);
          return;
        }
        const amounts = amountsFor(state, waiter);
        if (amounts instanceof RequestTooLargeError) {
          fail(waiter, amounts);
          continue;
        }
        const buckets: StoreBucketAmount[] = [];
        for (const bucket of bucketNames) {
          const shape = shapeOf(state, bucket);
          if (shape) buckets.push({ ...shape, amount: amounts[bucket] });
        }
        let result: StoreTakeResult;
        try {
          result = await store.take({ scope: state.scope, buckets });
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
          admit(waiter, result, amounts);
          continue;
        }
        if (result.reason === 'oversize') {
          fail(waiter, tooLarge(state, waiter, result.bucket, amounts[result.bucket]));
          continue;
        }
        const now = clock.now();
        if (now + result.waitMs > waiter.deadlineMs) {
          fail(
            waiter,
            new WaitTimeoutError({ modelClass: state.modelClass, maxWaitMs, bucket: result.bucket }),
          );
          continue;
        }
        announceWait(waiter, result.reason === 'throttled' ? 'throttled' : result.bucket, result.waitMs);
        if (state.dirty) continue;
        scheduleWake(state, result.waitMs);
        return;
      }
    } finally {
      state.pumping = false;
    }
  };

  const tooLarge = (state: ClassState, waiter: Waiter, bucket: StoreBucketName, requested: number) =>
    new RequestTooLargeError({
      model: waiter.request.model,
      modelClass: state.modelClass,
      bucket,
      requested,
      capacity: limitOf(state, bucket)?.limit ?? 0,
    });

  /** What a waiter takes from each bucket now that the limits are what they are. */
  const amountsFor = (state: ClassState, waiter: Waiter): Amounts | RequestTooLargeError => {
    const amounts = { ...waiter.amounts };
    for (const bucket of bucketNames) {
      const known = limitOf(state, bucket);
      if (!known || amounts[bucket] <= known.limit) continue;
      // Output is counted as generated, so holding more than a minute's worth is pointless;
      // a provisional limit is only a guess, so a large call goes alone rather than never.
      if (bucket === 'output_tokens' || known.provisional) amounts[bucket] = known.limit;
      else return tooLarge(state, waiter, bucket, amounts[bucket]);
    }
    return amounts;
  };

  const validateRequest = (request: AdmissionRequest): void => {
    expectObject('request', request);
    expectString('request.model', request.model);
    expectNumber('request.inputTokens', request.inputTokens, { min: 0 });
    expectNumber('request.maxOutputTokens', request.maxOutputTokens, { min: 0 });
    expectOptionalNumber('request.priority', request.priority);
    expectOptionalSignal('request.signal', request.signal);
    if (request.requestId !== undefined) expectString('request.requestId', request.requestId);
  };

  const acquire = (request: AdmissionRequest): Promise<Reservation> => {
    try {
      validateRequest(request);
      if (closed) throw new AbortedError({ message: 'The rate limiter is closed' });
      if (request.signal?.aborted) throw new AbortedError({ cause: request.signal.reason });
      const modelClass = resolveModelClass(request.model);
      const state = stateOf(modelClass);
      const nowMs = clock.now();
      if (spendLimitedUntilMs > nowMs)
        throw new SpendLimitError({ model: request.model, untilMs: spendLimitedUntilMs });
      if (state.queue.length >= maxQueueLength) throw new QueueFullError({ modelClass, maxQueueLength });
      const amounts: Amounts = {
        requests: 1,
        input_tokens: request.inputTokens,
        output_tokens: outputEstimator.reserve(request.model, request.maxOutputTokens),
      };
      let budgetHold: BudgetHold | undefined;
      if (budgetTracker.hasCaps) {
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
        budgetHold = budgetTracker.hold(
          request.model,
          expected,
          nowMs,
          (event) => bus.emit('budget:exceeded', event),
          request.requestId,
        );
      }
      return new Promise<Reservation>((resolve, reject) => {
        const waiter: Waiter = {
          request,
          state,
          amounts,
          budgetHold,
          priority: request.priority ?? 0,
          enqueuedAtMs: nowMs,
          sequence: sequence++,
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
            () => fail(waiter, new WaitTimeoutError({ modelClass, maxWaitMs })),
            maxWaitMs,
          );
        }
        if (request.signal) {
          const signal = request.signal;
          waiter.onAbort = () => fail(waiter, new AbortedError({ cause: signal.reason }));
          signal.addEventListener('abort', waiter.onAbort, { once: true });
        }
        state.queue.push(waiter);
        pump(state);
      });
    } catch (error) {
      return Promise.reject(error);
    }
  };

  // ---- following the server ----

  const observe = (feedback: AdmissionFeedback): void => {
    expectObject('feedback', feedback);
    expectString('feedback.model', feedback.model);
    const modelClass = resolveModelClass(feedback.model);
    const state = stateOf(modelClass);
    const nowMs = clock.now();
    if (feedback.errorCode === spendLimitCode) {
      spendLimitedUntilMs = Math.max(spendLimitedUntilMs, nowMs + spendLimitPauseMs);
      bus.emit('ratelimit:throttled', {
        ...(feedback.requestId === undefined ? {} : { requestId: feedback.requestId }),
        model: feedback.model,
        modelClass,
        resumeAt: spendLimitedUntilMs,
        retryAfterMs: spendLimitPauseMs,
        reason: 'spend_limit',
      });
      // The spend limit belongs to the organisation, not to a class: refuse every waiter.
      for (const other of classes.values()) {
        for (const waiter of other.queue.drain()) {
          fail(waiter, new SpendLimitError({ model: waiter.request.model, untilMs: spendLimitedUntilMs }));
        }
      }
      return;
    }
    if (feedback.status !== undefined || feedback.headers !== undefined) state.heardFromServer = true;
    if (feedback.headers) syncFromHeaders(state, feedback);
    if (feedback.status === 429) {
      const retryAfterMs = parseRetryAfterMs(feedback.headers, nowMs) ?? throttleWithoutRetryAfterMs;
      store.throttle({ scope: state.scope, durationMs: retryAfterMs }).then((result) => {
        bus.emit('ratelimit:throttled', {
          ...(feedback.requestId === undefined ? {} : { requestId: feedback.requestId }),
          model: feedback.model,
          modelClass,
          resumeAt: result.throttledUntilMs,
          retryAfterMs,
          reason: 'rate_limit',
        });
        pump(state);
      }, ignoreStoreFailure);
    }
    pump(state);
  };

  const syncFromHeaders = (state: ClassState, feedback: AdmissionFeedback): void => {
    const fromHeaders = readHeaderBuckets(feedback.headers!);
    let limitsChanged = false;
    if (learnLimitsFromHeaders) {
      for (const bucket of bucketNames) {
        const limit = fromHeaders[bucket]?.limit;
        if (limit !== undefined && state.learnt[bucket] !== limit) {
          state.learnt[bucket] = limit;
          limitsChanged = true;
        }
      }
    }
    // The response's own call was counted by the server for requests and input tokens.
    const own =
      feedback.requestId === undefined ? undefined : reservationsByRequestId.get(feedback.requestId)?.[0];
    const buckets = [];
    for (const bucket of bucketNames) {
      const remaining = fromHeaders[bucket]?.remaining;
      const shape = shapeOf(state, bucket);
      if (remaining === undefined || !shape) continue;
      const counted = own && bucket !== 'output_tokens' ? (bucket === 'requests' ? 1 : own.inputTokens) : 0;
      buckets.push({ ...shape, remaining, pendingAmount: Math.max(0, state.pending[bucket] - counted) });
    }
    if (buckets.length === 0 && !limitsChanged) return;
    const emitUpdate = (levels: StoreLevels): void => {
      bus.emit('ratelimit:update', {
        modelClass: state.modelClass,
        source: 'headers',
        limits: withoutInFlight(currentLimits(state)),
        levels: toBucketLevels(state, levels),
      });
      pump(state);
    };
    if (buckets.length === 0) {
      emitUpdate({});
      return;
    }
    store
      .sync({ scope: state.scope, buckets, raise: true })
      .then((result) => emitUpdate(result.levels), ignoreStoreFailure);
  };

  return {
    acquire,
    observe,
    usage: () => budgetTracker.report(clock.now()),
    async levels(model) {
      const state = stateOf(resolveModelClass(model));
      const shapes = bucketNames
        .map((bucket) => shapeOf(state, bucket))
        .filter((shape) => shape !== undefined);
      const result = await store.peek({ scope: state.scope, buckets: shapes });
      return {
        modelClass: state.modelClass,
        levels: toBucketLevels(state, result.levels),
        throttledUntilMs: result.throttledUntilMs,
      };
    },
    limitsOf: (model) => currentLimits(stateOf(resolveModelClass(model))),
    close() {
      closed = true;
      bus.off('usage', onUsage);
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
