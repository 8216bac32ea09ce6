import type { AdmissionFeedback, Bus, Clock } from '@bulwark/core';
import { expectObject, expectString, parseRetryAfterMs } from '@bulwark/core/internal';
import { SpendLimitError } from '../errors.js';
import type { RateLimitStore, StoreBucketName, StoreBucketSync, StoreLevels } from '../store.js';
import type { AdmissionQueue } from './admission-queue.js';
import { bucketNames, type ClassState, perMinuteLimits, toBucketLevels } from './class-state.js';
import { type HeaderBucket, readHeaderBuckets } from './header-limits.js';
import { LimiterReservation } from './limiter-reservation.js';
import type { ModelClasses } from './model-classes.js';
import { reportStoreFailure } from './store-failure.js';

const spendLimitCode = 'enforced_spend_limit_reached';

export interface ServerFeedbackContext {
  bus: Bus;
  clock: Clock;
  store: RateLimitStore;
  classes: ModelClasses;
  queue: AdmissionQueue;
  /** Shared with the limiter: until when calls are refused for the spend limit. */
  spend: { limitedUntilMs: number };
  spendLimitPauseMs: number;
  throttleWithoutRetryAfterMs: number;
  learnLimitsFromHeaders: boolean;
}

/** `observe(feedback)`: follows the server's headers, 429s and spend-limit answers. */
export class ServerFeedback {
  constructor(private readonly context: ServerFeedbackContext) {}

  observe(feedback: AdmissionFeedback): void {
    expectObject('feedback', feedback);
    expectString('feedback.model', feedback.model);
    const { classes, queue } = this.context;
    const state = classes.stateOf(feedback.model);
    const nowMs = this.context.clock.now();
    if (feedback.errorCode === spendLimitCode) {
      this.pauseForSpendLimit(state, feedback, nowMs);
      return;
    }
    if (!state.heardFromServer && (feedback.status !== undefined || feedback.headers !== undefined)) {
      state.heardFromServer = true;
      classes.refreshLimits(state);
    }
    if (feedback.headers) this.syncFromHeaders(state, feedback);
    if (feedback.status === 429) this.throttle(state, feedback, nowMs);
    queue.pump(state);
  }

  /** The spend limit belongs to the organisation, not to a class: every waiter is refused. */
  private pauseForSpendLimit(state: ClassState, feedback: AdmissionFeedback, nowMs: number): void {
    const { bus, spend, spendLimitPauseMs, classes, queue } = this.context;
    spend.limitedUntilMs = Math.max(spend.limitedUntilMs, nowMs + spendLimitPauseMs);
    bus.emit('ratelimit:throttled', {
      ...(feedback.requestId === undefined ? {} : { requestId: feedback.requestId }),
      model: feedback.model,
      modelClass: state.modelClass,
      resumeAt: spend.limitedUntilMs,
      retryAfterMs: spendLimitPauseMs,
      reason: 'spend_limit',
    });
    const untilMs = spend.limitedUntilMs;
    for (const other of classes.all()) {
      queue.rejectAll(other, (model) => new SpendLimitError({ model, untilMs }));
    }
  }

  /** Pauses the class in the store until `retry-after`, for every process sharing it. */
  private throttle(state: ClassState, feedback: AdmissionFeedback, nowMs: number): void {
    const { bus, store, queue } = this.context;
    const retryAfterMs =
      parseRetryAfterMs(feedback.headers, nowMs) ?? this.context.throttleWithoutRetryAfterMs;
    const requestId = feedback.requestId === undefined ? {} : { requestId: feedback.requestId };
    store.throttle({ scope: state.scope, durationMs: retryAfterMs }).then(
      (result) => {
        bus.emit('ratelimit:throttled', {
          ...requestId,
          model: feedback.model,
          modelClass: state.modelClass,
          resumeAt: result.throttledUntilMs,
          retryAfterMs,
          reason: 'rate_limit',
        });
        queue.pump(state);
      },
      reportStoreFailure(bus, state, 'throttle', feedback.requestId),
    );
  }

  private syncFromHeaders(state: ClassState, feedback: AdmissionFeedback): void {
    const fromHeaders = readHeaderBuckets(feedback.headers!);
    const limitsChanged = this.context.learnLimitsFromHeaders && this.learnLimits(state, fromHeaders);
    if (limitsChanged) this.context.classes.refreshLimits(state);
    const buckets = this.bucketsToSync(state, fromHeaders, feedback.reservation);
    if (buckets.length === 0 && !limitsChanged) return;
    if (buckets.length === 0) {
      this.announceUpdate(state, {});
      return;
    }
    const { bus, store } = this.context;
    store
      .sync({ scope: state.scope, buckets, raise: true })
      .then(
        (result) => this.announceUpdate(state, result.levels),
        reportStoreFailure(bus, state, 'sync', feedback.requestId),
      );
  }

  /** Adopts the limits the headers report; returns whether any changed. */
  private learnLimits(
    state: ClassState,
    fromHeaders: Partial<Record<StoreBucketName, HeaderBucket>>,
  ): boolean {
    let changed = false;
    for (const bucket of bucketNames) {
      const limit = fromHeaders[bucket]?.limit;
      if (limit !== undefined && state.learnt[bucket] !== limit) {
        state.learnt[bucket] = limit;
        changed = true;
      }
    }
    return changed;
  }

  /**
   * Each bucket's `remaining`, with what this process holds that the server has not counted
   * yet: every open reservation of the class, except the requests and input of the call this
   * response answers, which the server has counted (its output may still be coming, so its
   * reservation stays pending). A reservation already settled holds nothing any more.
   */
  private bucketsToSync(
    state: ClassState,
    fromHeaders: Partial<Record<StoreBucketName, HeaderBucket>>,
    reservation: AdmissionFeedback['reservation'],
  ): StoreBucketSync[] {
    const own =
      reservation instanceof LimiterReservation && reservation.state === state && !reservation.settled
        ? reservation.amounts
        : undefined;
    const buckets: StoreBucketSync[] = [];
    for (const bucket of bucketNames) {
      const remaining = fromHeaders[bucket]?.remaining;
      const effective = state.effective[bucket];
      if (remaining === undefined || !effective) continue;
      const counted = own && bucket !== 'output_tokens' ? own[bucket] : 0;
      buckets.push({
        ...effective.shape,
        remaining,
        pendingAmount: Math.max(0, state.pending[bucket] - counted),
      });
    }
    return buckets;
  }

  private announceUpdate(state: ClassState, levels: StoreLevels): void {
    this.context.bus.emit('ratelimit:update', {
      modelClass: state.modelClass,
      source: 'headers',
      limits: perMinuteLimits(state),
      levels: toBucketLevels(state, levels),
    });
    this.context.queue.pump(state);
  }
}
