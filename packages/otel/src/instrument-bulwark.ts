import type { BulwarkEvents, Bus, ContentBlockLike, MessageRequestLike } from '@bulwark/core';
import { createSafeLogger, invalidArgument, parseOptions, summarizeError } from '@bulwark/core/internal';
import { metrics, trace } from '@opentelemetry/api';
import { BulwarkMetrics } from './internal/metrics.js';
import { type RecordedEventName, Recorder } from './internal/recorder.js';
import { type InstrumentBulwarkOptions, instrumentOptions } from './options.js';

/** An answer as content capture reads it; the SDK's `Message` fits. */
export interface AnswerLike {
  readonly content: readonly ContentBlockLike[];
  readonly stop_reason?: string | null | undefined;
}

/** What `instrumentBulwark` returns. */
export interface BulwarkInstrumentation {
  /** Stops listening. Spans of requests still open are ended, marked `bulwark.abandoned`. Idempotent. */
  detach(): void;
  /**
   * The direct channel for content (the bus never carries a prompt). With `captureContent`, call
   * it before the request with the `requestId` you pass to `createMessage`: the request's span
   * gets `gen_ai.system_instructions` and `gen_ai.input.messages`, and waits for `recordAnswer`
   * before it ends. Without `captureContent` it does nothing.
   */
  recordPrompt(requestId: string, request: MessageRequestLike): void;
  /**
   * The answer of a request given to `recordPrompt` (its partial message, or `undefined`, when it
   * failed): recorded as `gen_ai.output.messages`, and the span ends with the time the request
   * ended. Call it exactly once for every `recordPrompt`. Without `captureContent` it does nothing.
   */
  recordAnswer(requestId: string, answer: AnswerLike | undefined): void;
}

const instrumentationName = '@bulwark/otel';

function isBus(value: unknown): value is Bus {
  const candidate = value as Partial<Record<'on' | 'off' | 'emit', unknown>> | null;
  return (
    typeof candidate === 'object' &&
    candidate !== null &&
    typeof candidate.on === 'function' &&
    typeof candidate.off === 'function' &&
    typeof candidate.emit === 'function'
  );
}

/**
 * Turns the events on `bus` into OpenTelemetry spans and metrics under the GenAI semantic
 * conventions: one CLIENT span per logical request (`chat {model}`) covering every attempt,
 * retry, resume, continuation and fallback, with a child span per attempt and per rate-limit
 * wait, and the conventions' client histograms beside Bulwark's own counters and gauges. Uses
 * the globally registered providers unless given others. Nothing it does can throw into a
 * request: a failure of the telemetry pipeline is logged once and otherwise ignored.
 */
export function instrumentBulwark(bus: Bus, options: InstrumentBulwarkOptions = {}): BulwarkInstrumentation {
  if (!isBus(bus)) throw invalidArgument('bus', 'a Bus (from `createBus`)', bus);
  const settings = parseOptions('options', options, instrumentOptions);
  const logger = createSafeLogger(settings.logger, { level: 'error' });
  const tracer = (settings.tracerProvider ?? trace.getTracerProvider()).getTracer(instrumentationName);
  const meter = (settings.meterProvider ?? metrics.getMeterProvider()).getMeter(instrumentationName);
  const bulwarkMetrics = new BulwarkMetrics(meter, settings.attributes, settings.pricesOf);
  const recorder = new Recorder({
    tracer,
    metrics: bulwarkMetrics,
    staticAttributes: settings.attributes,
    captureContent: settings.captureContent,
  });

  let reported = false;
  const guarded =
    <Arguments extends unknown[]>(run: (...args: Arguments) => void) =>
    (...args: Arguments): void => {
      try {
        run(...args);
      } catch (error) {
        // Telemetry must never fail a request: report the first failure, then stay quiet.
        if (reported) return;
        reported = true;
        logger.error(
          { error: summarizeError(error) },
          '@bulwark/otel: recording telemetry failed; requests are not affected and further failures are not logged',
        );
      }
    };

  const listeners = (Object.keys(recorder.handlers) as RecordedEventName[]).map((name) => {
    const listener = guarded(recorder.handlers[name] as (payload: BulwarkEvents[typeof name]) => void);
    bus.on(name, listener as never);
    return () => bus.off(name, listener as never);
  });

  let attached = true;
  return {
    detach: guarded(() => {
      if (!attached) return;
      attached = false;
      for (const remove of listeners) remove();
      recorder.abandonAll();
      bulwarkMetrics.close();
    }),
    recordPrompt: guarded((requestId: string, request: MessageRequestLike) => {
      if (attached) recorder.recordPrompt(requestId, request);
    }),
    recordAnswer: guarded((requestId: string, answer: AnswerLike | undefined) => {
      if (attached) recorder.recordAnswer(requestId, answer);
    }),
  };
}
