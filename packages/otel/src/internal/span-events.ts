import type {
  BudgetExceededEvent,
  CheckpointFailedEvent,
  FallbackSwitchedEvent,
  RateLimitThrottledEvent,
  RateLimitWaitEvent,
  RetryScheduledEvent,
  StreamContinueEvent,
  StreamResumeEvent,
  StreamStallEvent,
} from '@bulwark/core';
import type { Attributes } from '@opentelemetry/api';
import { errorTypeOf } from './error-type.js';
import { bulwark, eventNames, general } from './names.js';

type SpanEvent = [name: string, attributes: Attributes];

/** The span events (name and attributes) of the bus events that become one, and the wait span's attributes. */
export const spanEvents = {
  wait: (event: RateLimitWaitEvent): Attributes => ({
    [bulwark.modelClass]: event.modelClass,
    [bulwark.bucket]: event.bucket,
    [bulwark.expectedWait]: event.waitMs / 1000,
    [bulwark.queueLength]: event.queueLength,
  }),
  retry: (event: RetryScheduledEvent): SpanEvent => [
    eventNames.retry,
    {
      [bulwark.attemptNumber]: event.attempt,
      [bulwark.retryNextAttempt]: event.nextAttempt,
      [bulwark.retryReason]: event.reason,
      [bulwark.retryDelay]: event.delayMs / 1000,
      [bulwark.retryResume]: event.resume,
      ...(event.status === undefined ? {} : { [general.httpStatusCode]: event.status }),
    },
  ],
  resume: (event: StreamResumeEvent): SpanEvent => [
    eventNames.resume,
    {
      [bulwark.attemptNumber]: event.attempt,
      [bulwark.resumeStrategy]: event.strategy,
      [bulwark.resumeKeptOutputTokens]: event.keptOutputTokens,
      [bulwark.resumeKeptTextLength]: event.keptTextLength,
      [bulwark.resumeRegeneratedBlocks]: event.regeneratedBlocks,
    },
  ],
  stall: (event: StreamStallEvent): SpanEvent => [
    eventNames.stall,
    {
      [bulwark.attemptNumber]: event.attempt,
      [bulwark.stallIdle]: event.idleMs / 1000,
      [bulwark.stallPingsCountAsActivity]: event.pingsCountAsActivity,
    },
  ],
  throttled: (event: RateLimitThrottledEvent): SpanEvent => [
    eventNames.throttled,
    {
      [bulwark.throttleReason]: event.reason,
      [bulwark.throttleRetryAfter]: event.retryAfterMs / 1000,
      [bulwark.modelClass]: event.modelClass,
    },
  ],
  fallback: (event: FallbackSwitchedEvent): SpanEvent => [
    eventNames.fallback,
    {
      [bulwark.fallbackFrom]: event.from,
      [bulwark.fallbackTo]: event.to,
      [bulwark.fallbackReason]: event.reason,
    },
  ],
  continued: (event: StreamContinueEvent): SpanEvent => [
    eventNames.continue,
    {
      [bulwark.continueCall]: event.call,
      [bulwark.continueStopReason]: event.stopReason,
      [bulwark.continueOutputTokens]: event.outputTokens,
    },
  ],
  budgetExceeded: (event: BudgetExceededEvent): SpanEvent => [
    eventNames.budgetExceeded,
    {
      [bulwark.budgetPeriod]: event.period,
      [bulwark.budgetKind]: event.kind,
      [bulwark.budgetLimit]: event.limit,
      [bulwark.budgetUsed]: event.used,
      [bulwark.budgetRequested]: event.requested,
    },
  ],
  checkpointFailed: (event: CheckpointFailedEvent): SpanEvent => [
    eventNames.checkpointFailed,
    { [bulwark.checkpointOperation]: event.operation, [general.errorType]: errorTypeOf(event.error) },
  ],
};
