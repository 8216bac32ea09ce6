import type {
  BulwarkEventName,
  BulwarkEvents,
  MessageRequestLike,
  RateLimitAdmitEvent,
  RateLimitWaitEvent,
  RequestEndEvent,
  RequestErrorEvent,
  RequestStartEvent,
} from '@bulwark/core';
import type { Attributes, Tracer } from '@opentelemetry/api';
import type { AnswerLike } from '../instrument-bulwark.js';
import {
  onCheckpointFailed,
  onContinue,
  onFallback,
  onFirstToken,
  onProgress,
  onResume,
  onRetry,
  onStall,
  onThrottled,
  onUsage,
} from './annotations.js';
import { formatInputMessages, formatOutputMessages, formatSystemInstructions } from './content.js';
import { errorTypeOf } from './error-type.js';
import type { BulwarkMetrics } from './metrics.js';
import { genAi } from './names.js';
import { nowMs, type Outcome, RequestRecord } from './request-record.js';
import { spanEvents } from './span-events.js';

/**
 * How many requests may be open at once before the oldest is given up as abandoned. Every
 * request ends with `request:end` or a final `request:error`; the bound only keeps a request
 * that never does (a bug upstream) from holding memory forever.
 */
export const maxOpenRequests = 10_000;

export interface RecorderSettings {
  tracer: Tracer;
  metrics: BulwarkMetrics;
  staticAttributes: Attributes;
  captureContent: boolean;
}

/** The events the recorder reads, named one by one so an event added to core is not read by accident. */
export type RecordedEventName = Extract<
  BulwarkEventName,
  | 'ratelimit:wait'
  | 'ratelimit:admit'
  | 'ratelimit:update'
  | 'ratelimit:throttled'
  | 'budget:exceeded'
  | 'request:start'
  | 'stream:first_token'
  | 'stream:progress'
  | 'stream:stall'
  | 'stream:resume'
  | 'retry:scheduled'
  | 'stream:continue'
  | 'fallback:switched'
  | 'usage'
  | 'checkpoint:failed'
  | 'request:error'
  | 'request:end'
>;

type Handlers = { [Name in RecordedEventName]: (payload: BulwarkEvents[Name]) => void };

/** Map insertion order is age: drops the oldest entries past `limit`, handing each to `onEvict`. */
function evictOldest<T>(map: Map<string, T>, limit: number, onEvict: (value: T) => void): void {
  for (const [key, value] of map) {
    if (map.size < limit) return;
    map.delete(key);
    onEvict(value);
  }
}

/**
 * Turns bus events into spans and metric points, keeping one `RequestRecord` per open request
 * and forgetting it when the request ends. Handlers assume nothing about which listener runs
 * first, and ignore events of requests they no longer know (a `ratelimit:throttled` after the end).
 */
export class Recorder {
  private readonly open = new Map<string, RequestRecord>();
  /** Ended requests whose span waits for `recordAnswer`, with the time they ended. */
  private readonly awaitingAnswer = new Map<string, { record: RequestRecord; endMs: number }>();
  /** Prompts given before their request's first event. */
  private readonly prompts = new Map<string, MessageRequestLike>();

  constructor(private readonly settings: RecorderSettings) {}

  /** Requests open or waiting for their answer, for `detach` and tests of retention. */
  get size(): number {
    return this.open.size + this.awaitingAnswer.size + this.prompts.size;
  }

  readonly handlers: Handlers = {
    'ratelimit:wait': (event) => this.onWait(event),
    'ratelimit:admit': (event) => this.onAdmit(event),
    'ratelimit:update': (event) => this.settings.metrics.updateLevels(event.modelClass, event.levels),
    'ratelimit:throttled': (event) => onThrottled(this.known(event.requestId), this.settings.metrics, event),
    'budget:exceeded': (event) => {
      if (event.requestId === undefined) return;
      this.recordOf(event.requestId, event.model).addEvent(...spanEvents.budgetExceeded(event));
    },
    'request:start': (event) => this.onStart(event),
    'stream:first_token': (event) => onFirstToken(this.known(event.requestId), this.settings.metrics, event),
    'stream:progress': (event) => onProgress(this.known(event.requestId), this.settings.metrics, event),
    'stream:stall': (event) => onStall(this.known(event.requestId), this.settings.metrics, event),
    'stream:resume': (event) => onResume(this.known(event.requestId), this.settings.metrics, event),
    'retry:scheduled': (event) => onRetry(this.known(event.requestId), this.settings.metrics, event),
    'stream:continue': (event) => onContinue(this.known(event.requestId), event),
    'fallback:switched': (event) => onFallback(this.known(event.requestId), event),
    usage: (event) => onUsage(this.known(event.requestId), this.settings.metrics, event),
    'checkpoint:failed': (event) => onCheckpointFailed(this.known(event.requestId), event),
    'request:error': (event) => this.onError(event),
    'request:end': (event) => this.onEnd(event),
  };

  private onWait(event: RateLimitWaitEvent): void {
    if (event.requestId === undefined) return;
    this.recordOf(event.requestId, event.model).startWait(this.settings.tracer, spanEvents.wait(event));
  }

  private onAdmit(event: RateLimitAdmitEvent): void {
    this.settings.metrics.updateLevels(event.modelClass, event.levels);
    if (event.requestId === undefined) return;
    const record = this.recordOf(event.requestId, event.model);
    record.waitedMs += event.waitedMs;
    record.endWait(event.waitedMs);
  }

  private onStart(event: RequestStartEvent): void {
    const record = this.recordOf(event.requestId, event.model);
    this.ensureSpan(record, event);
    record.startAttempt(this.settings.tracer, event);
    if (!record.countedInFlight) {
      record.countedInFlight = true;
      this.settings.metrics.changeInFlight(record.model, 1);
    }
  }

  private onError(event: RequestErrorEvent): void {
    const record = this.recordOf(event.requestId, event.model);
    this.ensureSpan(record, undefined);
    record.attempts = Math.max(record.attempts, event.attempt);
    record.failAttempt(event.error, event.willRetry);
    if (!event.willRetry) {
      this.finish(record, { kind: 'failed', error: event.error, giveUpReason: event.giveUpReason });
    }
  }

  private onEnd(event: RequestEndEvent): void {
    const record = this.recordOf(event.requestId, event.model);
    this.ensureSpan(record, undefined);
    // The stream's own totals over every attempt are the authority.
    record.attempts = event.attempts;
    record.retries = event.retries;
    record.resumes = event.resumes;
    record.usage = event.usage;
    this.finish(record, {
      kind: 'succeeded',
      responseId: event.responseId,
      responseModel: event.responseModel,
      stopReason: event.stopReason,
    });
  }

  /** Keeps the prompt of `requestId` for its span (content capture only). */
  recordPrompt(requestId: string, request: MessageRequestLike): void {
    if (!this.settings.captureContent) return;
    const record = this.open.get(requestId);
    if (record?.hasSpan) {
      record.prompt = request;
      this.applyPrompt(record);
    } else if (record) {
      record.prompt = request;
    } else {
      evictOldest(this.prompts, maxOpenRequests, () => {});
      this.prompts.set(requestId, request);
    }
  }

  /** Records the answer of `requestId` (content capture only) and ends its span if it waited. */
  recordAnswer(requestId: string, answer: AnswerLike | undefined): void {
    if (!this.settings.captureContent) return;
    this.prompts.delete(requestId);
    const ended = this.awaitingAnswer.get(requestId);
    const record = ended?.record ?? this.open.get(requestId);
    if (!record) return;
    record.awaitingAnswer = false;
    try {
      if (answer) record.setAttributes({ [genAi.outputMessages]: formatOutputMessages(answer) });
    } finally {
      if (ended) {
        this.awaitingAnswer.delete(requestId);
        record.span?.end(ended.endMs);
      }
    }
  }

  /** Ends every open span as abandoned and forgets every request. */
  abandonAll(): void {
    for (const record of [...this.open.values()]) this.finish(record, { kind: 'abandoned' });
    for (const { record, endMs } of this.awaitingAnswer.values()) record.span?.end(endMs);
    this.awaitingAnswer.clear();
    this.prompts.clear();
  }

  private known(requestId: string | undefined): RequestRecord | undefined {
    return requestId === undefined ? undefined : this.open.get(requestId);
  }

  /** The record of `requestId`, opened at its first event. */
  private recordOf(requestId: string, model: string): RequestRecord {
    const known = this.open.get(requestId);
    if (known) return known;
    evictOldest(this.open, maxOpenRequests, (oldest) => this.finish(oldest, { kind: 'abandoned' }));
    const record = new RequestRecord(requestId, model, nowMs());
    const prompt = this.prompts.get(requestId);
    if (prompt) {
      this.prompts.delete(requestId);
      record.prompt = prompt;
    }
    this.open.set(requestId, record);
    return record;
  }

  private ensureSpan(record: RequestRecord, start: RequestStartEvent | undefined): void {
    if (record.hasSpan) return;
    record.openSpan(this.settings.tracer, this.settings.staticAttributes, start);
    this.applyPrompt(record);
  }

  private applyPrompt(record: RequestRecord): void {
    const prompt = record.prompt;
    if (!prompt) return;
    record.prompt = undefined;
    record.awaitingAnswer = true;
    const system = formatSystemInstructions(prompt);
    record.setAttributes({
      ...(system === undefined ? {} : { [genAi.systemInstructions]: system }),
      [genAi.inputMessages]: formatInputMessages(prompt),
    });
  }

  private finish(record: RequestRecord, outcome: Outcome): void {
    this.open.delete(record.requestId);
    const endMs = nowMs();
    const { metrics } = this.settings;
    if (record.countedInFlight) metrics.changeInFlight(record.model, -1);
    if (!record.hasSpan) return; // never started: nothing was sent, nothing to report
    record.finish(outcome, endMs);
    if (outcome.kind !== 'abandoned') {
      metrics.recordOperation(record.model, (endMs - record.openedAtMs) / 1000, record.usage, {
        responseModel: outcome.kind === 'succeeded' ? outcome.responseModel : undefined,
        errorType: outcome.kind === 'failed' ? errorTypeOf(outcome.error) : undefined,
      });
    }
    if (record.awaitingAnswer && outcome.kind !== 'abandoned') {
      evictOldest(this.awaitingAnswer, maxOpenRequests, (oldest) => oldest.record.span?.end(oldest.endMs));
      this.awaitingAnswer.set(record.requestId, { record, endMs });
    } else {
      record.span?.end(endMs);
    }
  }
}
