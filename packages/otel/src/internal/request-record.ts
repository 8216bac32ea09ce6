import {
  addUsage,
  type ErrorSummary,
  emptyUsage,
  type MessageRequestLike,
  type RequestStartEvent,
  type Usage,
} from '@bulwark/core';
import {
  type Attributes,
  type Context,
  context,
  type Span,
  SpanKind,
  SpanStatusCode,
  type Tracer,
  trace,
} from '@opentelemetry/api';
import { errorTypeOf, statusMessageOf } from './error-type.js';
import { bulwark, genAi, general, operationName, providerName, spanNames } from './names.js';

/** Wall-clock milliseconds on the clock the OpenTelemetry SDK stamps spans with. */
export function nowMs(): number {
  return performance.timeOrigin + performance.now();
}

/** `gen_ai.usage.*` of `usage`. Anthropic's `input_tokens` leaves out the cache; the conventions' include it. */
export function usageAttributes(usage: Usage): Attributes {
  return {
    [genAi.usageInputTokens]: usage.inputTokens + usage.cacheReadInputTokens + usage.cacheCreationInputTokens,
    [genAi.usageOutputTokens]: usage.outputTokens,
    [genAi.usageCacheReadInputTokens]: usage.cacheReadInputTokens,
    [genAi.usageCacheCreationInputTokens]: usage.cacheCreationInputTokens,
  };
}

/** How a logical request ended. */
export type Outcome =
  | {
      kind: 'succeeded';
      responseId?: string | undefined;
      responseModel?: string | undefined;
      stopReason: string | null;
    }
  | { kind: 'failed'; error: ErrorSummary; giveUpReason?: string | undefined }
  | { kind: 'abandoned' };

interface PendingWait {
  startMs: number;
  attributes: Attributes;
  endMs?: number;
  waitedMs?: number;
}

/**
 * One logical request (one `requestId`): its counters and summed usage, its span covering every
 * attempt, the current attempt's child span and the current rate-limit wait. The request span
 * is created at the first event emitted on the caller's own path (`request:start`, or the end),
 * so the caller's active context is its parent; what came before (a wait in the limiter's queue)
 * is replayed onto it with its own times.
 */
export class RequestRecord {
  span: Span | undefined;
  streaming: boolean | undefined;
  attempts = 0;
  retries = 0;
  resumes = 0;
  stalls = 0;
  continuations = 0;
  fallbacks = 0;
  keptOutputTokens = 0;
  waitedMs = 0;
  usage: Usage = emptyUsage();
  firstTokenSeen = false;
  countedInFlight = false;
  /** The last progress of the current attempt, for the time per output chunk. */
  progress: { attempt: number; elapsedMs: number; outputTokens: number } | undefined;
  /** Set when `recordPrompt` gave the prompt: the span then waits for `recordAnswer` to end. */
  prompt: MessageRequestLike | undefined;
  awaitingAnswer = false;
  private spanContext: Context | undefined;
  private staticAttributes: Attributes = {};
  private attemptSpan: Span | undefined;
  private waitSpan: Span | undefined;
  private pendingWait: PendingWait | undefined;
  private readonly early: Array<{ name: string; attributes: Attributes; timeMs: number }> = [];

  constructor(
    readonly requestId: string,
    readonly model: string,
    readonly openedAtMs: number,
  ) {}

  get hasSpan(): boolean {
    return this.span !== undefined;
  }

  /** Creates the request span, parented on the active context, and replays what came before it. */
  openSpan(tracer: Tracer, staticAttributes: Attributes, start: RequestStartEvent | undefined): Span {
    if (this.span) return this.span;
    const parent = context.active();
    const span = tracer.startSpan(
      `${operationName} ${this.model}`,
      {
        kind: SpanKind.CLIENT,
        startTime: this.openedAtMs,
        attributes: {
          ...staticAttributes,
          [genAi.operationName]: operationName,
          [genAi.providerName]: providerName,
          [genAi.requestModel]: this.model,
          [bulwark.requestId]: this.requestId,
          ...(start
            ? {
                [genAi.requestMaxTokens]: start.maxTokens,
                [genAi.requestStream]: start.streaming,
                [bulwark.streamingReason]: start.streamingReason,
              }
            : {}),
        },
      },
      parent,
    );
    this.span = span;
    this.staticAttributes = staticAttributes;
    this.streaming = start?.streaming;
    this.spanContext = trace.setSpan(parent, span);
    for (const event of this.early.splice(0)) span.addEvent(event.name, event.attributes, event.timeMs);
    const wait = this.pendingWait;
    this.pendingWait = undefined;
    if (wait) {
      this.waitSpan = this.startChild(tracer, spanNames.rateLimitWait, wait.attributes, wait.startMs);
      if (wait.endMs !== undefined) this.endWait(wait.waitedMs ?? 0, wait.endMs);
    }
    return span;
  }

  /** A span event on the request span, or kept until the span exists. */
  addEvent(name: string, attributes: Attributes): void {
    if (this.span) this.span.addEvent(name, attributes, nowMs());
    else this.early.push({ name, attributes, timeMs: nowMs() });
  }

  setAttributes(attributes: Attributes): void {
    this.span?.setAttributes(attributes);
  }

  startWait(tracer: Tracer, attributes: Attributes): void {
    if (this.span) {
      this.endWaitSpan();
      this.waitSpan = this.startChild(tracer, spanNames.rateLimitWait, attributes, nowMs());
    } else {
      this.pendingWait = { startMs: nowMs(), attributes };
    }
  }

  /** The caller was admitted after `waitedMs` (by the limiter's clock). */
  endWait(waitedMs: number, atMs = nowMs()): void {
    if (this.pendingWait) {
      this.pendingWait.endMs = atMs;
      this.pendingWait.waitedMs = waitedMs;
      return;
    }
    this.waitSpan?.setAttribute(bulwark.waited, waitedMs / 1000);
    this.endWaitSpan(atMs);
  }

  startAttempt(tracer: Tracer, start: RequestStartEvent): void {
    this.endAttemptSpan();
    this.attempts = Math.max(this.attempts, start.attempt);
    this.progress = undefined;
    this.attemptSpan = this.startChild(
      tracer,
      spanNames.attempt,
      {
        [bulwark.attemptNumber]: start.attempt,
        [bulwark.attemptResuming]: start.resuming,
        [genAi.requestModel]: start.model,
        [genAi.requestMaxTokens]: start.maxTokens,
        [genAi.requestStream]: start.streaming,
        ...(start.estimatedInputTokens === undefined
          ? {}
          : { [bulwark.attemptEstimatedInputTokens]: start.estimatedInputTokens }),
      },
      nowMs(),
    );
  }

  /** The usage the API reported for the current attempt. */
  recordAttemptUsage(usage: Usage, partial: boolean): void {
    this.usage = addUsage(this.usage, usage);
    this.attemptSpan?.setAttributes({ ...usageAttributes(usage), [bulwark.usagePartial]: partial });
  }

  /** The first content of the current attempt; also of the request, the first time. */
  recordFirstToken(seconds: number): boolean {
    this.attemptSpan?.setAttribute(genAi.responseTimeToFirstChunk, seconds);
    if (this.firstTokenSeen) return false;
    this.firstTokenSeen = true;
    this.span?.setAttribute(genAi.responseTimeToFirstChunk, seconds);
    return true;
  }

  /** The current attempt failed; `willRetry` says whether another follows. */
  failAttempt(error: ErrorSummary, willRetry: boolean): void {
    const span = this.attemptSpan;
    if (!span) return;
    span.setAttributes({
      [general.errorType]: errorTypeOf(error),
      [bulwark.attemptWillRetry]: willRetry,
      ...(error.status === undefined ? {} : { [general.httpStatusCode]: error.status }),
    });
    span.setStatus({ code: SpanStatusCode.ERROR, message: statusMessageOf(error) });
    this.endAttemptSpan();
  }

  /** Sets the final attributes and status and ends the children; the caller ends the span. */
  finish(outcome: Outcome, endMs: number): void {
    const span = this.span;
    if (!span) return;
    span.setAttributes({
      ...usageAttributes(this.usage),
      [bulwark.attempts]: this.attempts,
      [bulwark.retries]: this.retries,
      [bulwark.resumes]: this.resumes,
      [bulwark.stalls]: this.stalls,
      [bulwark.continuations]: this.continuations,
      [bulwark.fallbacks]: this.fallbacks,
      [bulwark.keptOutputTokens]: this.keptOutputTokens,
      [bulwark.rateLimitWaitDuration]: this.waitedMs / 1000,
    });
    if (outcome.kind === 'succeeded') {
      span.setAttributes({
        ...(outcome.responseId === undefined ? {} : { [genAi.responseId]: outcome.responseId }),
        ...(outcome.responseModel === undefined ? {} : { [genAi.responseModel]: outcome.responseModel }),
        ...(outcome.stopReason === null ? {} : { [genAi.responseFinishReasons]: [outcome.stopReason] }),
      });
    } else if (outcome.kind === 'failed') {
      span.setAttributes({
        [general.errorType]: errorTypeOf(outcome.error),
        ...(outcome.giveUpReason === undefined ? {} : { [bulwark.giveUpReason]: outcome.giveUpReason }),
      });
      span.setStatus({ code: SpanStatusCode.ERROR, message: statusMessageOf(outcome.error) });
      // Still waiting when it failed: the wait is what failed (a queue timeout, a budget).
      this.waitSpan?.setStatus({ code: SpanStatusCode.ERROR, message: statusMessageOf(outcome.error) });
    } else {
      span.setAttribute(bulwark.abandoned, true);
    }
    this.endAttemptSpan(endMs);
    this.endWaitSpan(endMs);
  }

  private startChild(tracer: Tracer, name: string, attributes: Attributes, startMs: number): Span {
    return tracer.startSpan(
      name,
      {
        kind: SpanKind.INTERNAL,
        startTime: startMs,
        attributes: { ...this.staticAttributes, ...attributes },
      },
      this.spanContext,
    );
  }

  private endAttemptSpan(atMs = nowMs()): void {
    this.attemptSpan?.end(atMs);
    this.attemptSpan = undefined;
  }

  private endWaitSpan(atMs = nowMs()): void {
    this.waitSpan?.end(atMs);
    this.waitSpan = undefined;
  }
}
