import type { AdmissionFeedback, Bus, Clock } from '@bulwark/core';
import { expectObject, expectString, parseRetryAfterMs } from '@bulwark/core/internal';
import { SpendLimitError } from '../errors.js';
import type { RateLimitStore, StoreBucketSync, StoreLevels } from '../store.js';
import { bucketNames, type ClassState, perMinuteLimits, toBucketLevels } from './class-state.js';
import { readHeaderBuckets } from './header-limits.js';
import { ignoreStoreFailure } from './ignore-store-failure.js';

const spendLimitCode = 'enforced_spend_limit_reached';

export interface ObserverContext {
  bus: Bus;
  clock: Clock;
  store: RateLimitStore;
  /** Shared with the limiter: until when calls are refused for the spend limit. */
  spend: { limitedUntilMs: number };
  spendLimitPauseMs: number;
  throttleWithoutRetryAfterMs: number;
  learnLimitsFromHeaders: boolean;
  stateOf(model: string): ClassState;
  allStates(): Iterable<ClassState>;
  limitsChanged(state: ClassState): void;
  rejectAllWaiters(state: ClassState, error: (model: string) => Error): void;
  pump(state: ClassState): void;
}

/** `observe(feedback)`: follows the server's headers, 429s and spend-limit answers. */
export function createObserver(context: ObserverContext): (feedback: AdmissionFeedback) => void {
  const { bus, clock, store, spend } = context;

  const syncFromHeaders = (state: ClassState, feedback: AdmissionFeedback): void => {
    const fromHeaders = readHeaderBuckets(feedback.headers!);
    let limitsChanged = false;
    if (context.learnLimitsFromHeaders) {
      for (const bucket of bucketNames) {
        const limit = fromHeaders[bucket]?.limit;
        if (limit !== undefined && state.learnt[bucket] !== limit) {
          state.learnt[bucket] = limit;
          limitsChanged = true;
        }
      }
    }
    if (limitsChanged) context.limitsChanged(state);
    // The response's own call was counted by the server for requests and input tokens.
    const own = feedback.reservation;
    const buckets: StoreBucketSync[] = [];
    for (const bucket of bucketNames) {
      const remaining = fromHeaders[bucket]?.remaining;
      const effective = state.effective[bucket];
      if (remaining === undefined || !effective) continue;
      const counted = own && bucket !== 'output_tokens' ? (bucket === 'requests' ? 1 : own.inputTokens) : 0;
      buckets.push({
        ...effective.shape,
        remaining,
        pendingAmount: Math.max(0, state.pending[bucket] - counted),
      });
    }
    if (buckets.length === 0 && !limitsChanged) return;
    const announce = (levels: StoreLevels): void => {
      bus.emit('ratelimit:update', {
        modelClass: state.modelClass,
        source: 'headers',
        limits: perMinuteLimits(state),
        levels: toBucketLevels(state, levels),
      });
      context.pump(state);
    };
    if (buckets.length === 0) {
      announce({});
      return;
    }
    store
      .sync({ scope: state.scope, buckets, raise: true })
      .then((result) => announce(result.levels), ignoreStoreFailure);
  };

  return (feedback) => {
    expectObject('feedback', feedback);
    expectString('feedback.model', feedback.model);
    const state = context.stateOf(feedback.model);
    const nowMs = clock.now();
    const requestId = feedback.requestId === undefined ? {} : { requestId: feedback.requestId };
    if (feedback.errorCode === spendLimitCode) {
      spend.limitedUntilMs = Math.max(spend.limitedUntilMs, nowMs + context.spendLimitPauseMs);
      bus.emit('ratelimit:throttled', {
        ...requestId,
        model: feedback.model,
        modelClass: state.modelClass,
        resumeAt: spend.limitedUntilMs,
        retryAfterMs: context.spendLimitPauseMs,
        reason: 'spend_limit',
      });
      // The spend limit belongs to the organisation, not to a class: refuse every waiter.
      const untilMs = spend.limitedUntilMs;
      for (const other of context.allStates()) {
        context.rejectAllWaiters(other, (model) => new SpendLimitError({ model, untilMs }));
      }
      return;
    }
    if (!state.heardFromServer && (feedback.status !== undefined || feedback.headers !== undefined)) {
      state.heardFromServer = true;
      context.limitsChanged(state);
    }
    if (feedback.headers) syncFromHeaders(state, feedback);
    if (feedback.status === 429) {
      const retryAfterMs = parseRetryAfterMs(feedback.headers, nowMs) ?? context.throttleWithoutRetryAfterMs;
      store.throttle({ scope: state.scope, durationMs: retryAfterMs }).then((result) => {
        bus.emit('ratelimit:throttled', {
          ...requestId,
          model: feedback.model,
          modelClass: state.modelClass,
          resumeAt: result.throttledUntilMs,
          retryAfterMs,
          reason: 'rate_limit',
        });
        context.pump(state);
      }, ignoreStoreFailure);
    }
    context.pump(state);
  };
}
