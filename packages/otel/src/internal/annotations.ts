import type {
  CheckpointFailedEvent,
  FallbackSwitchedEvent,
  RateLimitThrottledEvent,
  RetryScheduledEvent,
  StreamContinueEvent,
  StreamFirstTokenEvent,
  StreamProgressEvent,
  StreamResumeEvent,
  StreamStallEvent,
  UsageEvent,
} from '@bulwark/core';
import type { BulwarkMetrics } from './metrics.js';
import type { RequestRecord } from './request-record.js';
import { spanEvents } from './span-events.js';

// What happens to a request between its start and its end: each bus event adds to its metrics
// and, while the request is open (`record` is known), to its counters and span.

export function onRetry(
  record: RequestRecord | undefined,
  metrics: BulwarkMetrics,
  event: RetryScheduledEvent,
): void {
  metrics.countRetry(event.model, event.reason);
  if (!record) return;
  record.retries += 1;
  record.addEvent(...spanEvents.retry(event));
}

export function onResume(
  record: RequestRecord | undefined,
  metrics: BulwarkMetrics,
  event: StreamResumeEvent,
): void {
  metrics.countResume(event.model, event.strategy);
  if (!record) return;
  record.resumes += 1;
  record.keptOutputTokens += event.keptOutputTokens;
  record.addEvent(...spanEvents.resume(event));
}

export function onStall(
  record: RequestRecord | undefined,
  metrics: BulwarkMetrics,
  event: StreamStallEvent,
): void {
  metrics.countStall(event.model);
  if (!record) return;
  record.stalls += 1;
  record.addEvent(...spanEvents.stall(event));
}

export function onThrottled(
  record: RequestRecord | undefined,
  metrics: BulwarkMetrics,
  event: RateLimitThrottledEvent,
): void {
  metrics.countRateLimited(event.model, event.modelClass, event.reason);
  record?.addEvent(...spanEvents.throttled(event));
}

export function onContinue(record: RequestRecord | undefined, event: StreamContinueEvent): void {
  if (!record) return;
  record.continuations += 1;
  record.addEvent(...spanEvents.continued(event));
}

export function onFallback(record: RequestRecord | undefined, event: FallbackSwitchedEvent): void {
  if (!record) return;
  record.fallbacks += 1;
  record.addEvent(...spanEvents.fallback(event));
}

export function onCheckpointFailed(record: RequestRecord | undefined, event: CheckpointFailedEvent): void {
  record?.addEvent(...spanEvents.checkpointFailed(event));
}

export function onUsage(record: RequestRecord | undefined, metrics: BulwarkMetrics, event: UsageEvent): void {
  metrics.countCost(event.model, event.usage);
  record?.recordAttemptUsage(event.usage, event.partial);
}

/** The first content of an attempt; the conventions' metric counts the request's first one. */
export function onFirstToken(
  record: RequestRecord | undefined,
  metrics: BulwarkMetrics,
  event: StreamFirstTokenEvent,
): void {
  const seconds = event.timeToFirstTokenMs / 1000;
  if (record?.recordFirstToken(seconds)) metrics.recordTimeToFirstChunk(record.model, seconds);
}

/**
 * The bus reports progress every `progressIntervalMs`, not every chunk: each pair of reports of
 * one attempt gives the mean time per output token between them.
 */
export function onProgress(
  record: RequestRecord | undefined,
  metrics: BulwarkMetrics,
  event: StreamProgressEvent,
): void {
  if (!record) return;
  const previous = record.progress;
  record.progress = { attempt: event.attempt, elapsedMs: event.elapsedMs, outputTokens: event.outputTokens };
  if (!previous || previous.attempt !== event.attempt) return;
  const tokens = event.outputTokens - previous.outputTokens;
  const elapsedMs = event.elapsedMs - previous.elapsedMs;
  if (tokens > 0 && elapsedMs > 0) metrics.recordTimePerOutputChunk(record.model, elapsedMs / 1000 / tokens);
}
