import { createBus, InvalidArgumentError } from '@bulwark/core';
import { SpanKind, SpanStatusCode } from '@opentelemetry/api';
import { BasicTracerProvider, type ReadableSpan } from '@opentelemetry/sdk-trace-base';
import fc from 'fast-check';
import { describe, expect, it, vi } from 'vitest';
import { instrumentBulwark } from './instrument-bulwark.js';
import { maxOpenRequests } from './internal/recorder.js';
import { childrenOf, createTestSdk, hrToMs, instrumentedBus, parentOf } from './test-support/otel-sdk.js';
import {
  emitAll,
  emitStep,
  failedRequest,
  faultedRequest,
  model,
  type Step,
  successfulRequest,
  usageOf,
} from './test-support/scripted-requests.js';

const setup = instrumentedBus;

function requestSpans(spans: readonly ReadableSpan[]): ReadableSpan[] {
  return spans.filter((span) => span.kind === SpanKind.CLIENT);
}

describe('the request span', () => {
  it('is one CLIENT span named after the operation and model, with the conventions attributes', () => {
    const { bus, spans } = setup();
    emitAll(bus, successfulRequest('req_1', usageOf(20, 10, 5, 3)));
    const [span, ...others] = requestSpans(spans());
    expect(others).toEqual([]);
    expect(span!.name).toBe(`chat ${model}`);
    expect(parentOf(span!)).toBeUndefined();
    expect(span!.attributes).toMatchObject({
      'gen_ai.operation.name': 'chat',
      'gen_ai.provider.name': 'anthropic',
      'gen_ai.request.model': model,
      'gen_ai.request.max_tokens': 8000,
      'gen_ai.request.stream': true,
      'gen_ai.response.finish_reasons': ['end_turn'],
      // Anthropic's input_tokens leaves the cache out; the conventions' count includes it.
      'gen_ai.usage.input_tokens': 28,
      'gen_ai.usage.output_tokens': 10,
      'gen_ai.usage.cache_read.input_tokens': 5,
      'gen_ai.usage.cache_creation.input_tokens': 3,
      'bulwark.request.id': 'req_1',
      'bulwark.streaming.reason': 'max_tokens',
      'bulwark.attempts': 1,
      'bulwark.retries': 0,
    });
    expect(span!.status.code).toBe(SpanStatusCode.UNSET);
  });

  it('covers a 529, a dropped stream and a resume with one child per attempt and the events between', () => {
    const { bus, spans } = setup();
    emitAll(bus, faultedRequest('req_1'));
    const all = spans();
    const [request] = requestSpans(all);
    const attempts = childrenOf(all, request!, 'bulwark.attempt');
    expect(attempts.map((span) => span.attributes['bulwark.attempt.number'])).toEqual([1, 2, 3]);
    expect(attempts.map((span) => span.status.code)).toEqual([
      SpanStatusCode.ERROR,
      SpanStatusCode.ERROR,
      SpanStatusCode.UNSET,
    ]);
    expect(attempts[0]!.attributes).toMatchObject({
      'error.type': 'overloaded_error',
      'http.response.status_code': 529,
      'bulwark.attempt.will_retry': true,
    });
    expect(attempts[1]!.attributes).toMatchObject({
      'error.type': 'APIConnectionError',
      'gen_ai.usage.output_tokens': 12,
      'bulwark.usage.partial': true,
      'gen_ai.response.time_to_first_chunk': 0.3,
    });
    expect(attempts[2]!.attributes).toMatchObject({
      'bulwark.attempt.resuming': true,
      'gen_ai.request.max_tokens': 7988,
      'gen_ai.usage.output_tokens': 30,
    });
    expect(request!.events.map((event) => event.name)).toEqual([
      'bulwark.retry',
      'bulwark.retry',
      'bulwark.resume',
    ]);
    expect(request!.events[0]!.attributes).toMatchObject({
      'bulwark.retry.reason': 'overloaded',
      'bulwark.retry.delay': 0.5,
      'http.response.status_code': 529,
    });
    expect(request!.events[1]!.attributes).toMatchObject({
      'bulwark.retry.reason': 'stream_dropped',
      'bulwark.retry.resume': true,
    });
    expect(request!.events[2]!.attributes).toMatchObject({
      'bulwark.resume.strategy': 'user_turn',
      'bulwark.resume.kept_output_tokens': 12,
    });
    expect(request!.attributes).toMatchObject({
      'gen_ai.response.id': 'msg_req_1',
      'gen_ai.response.model': `${model}-20260101`,
      'gen_ai.usage.input_tokens': 92 + 200 + 10,
      'gen_ai.usage.output_tokens': 42,
      'gen_ai.response.time_to_first_chunk': 0.3,
      'bulwark.attempts': 3,
      'bulwark.retries': 2,
      'bulwark.resumes': 1,
      'bulwark.kept_output_tokens': 12,
    });
    for (const attempt of attempts) {
      expect(hrToMs(attempt.startTime)).toBeGreaterThanOrEqual(hrToMs(request!.startTime));
      expect(hrToMs(attempt.endTime)).toBeLessThanOrEqual(hrToMs(request!.endTime));
    }
  });

  it('has error.type, status ERROR and the reason it gave up when the request fails', () => {
    const { bus, spans } = setup();
    emitAll(bus, failedRequest('req_1'));
    const [request] = requestSpans(spans());
    expect(request!.status).toEqual({ code: SpanStatusCode.ERROR, message: '400 prompt is too long' });
    expect(request!.attributes).toMatchObject({
      'error.type': 'invalid_request_error',
      'bulwark.give_up_reason': 'not_retryable',
      'bulwark.attempts': 1,
    });
  });

  it('redacts a key that an error message carries', () => {
    const { bus, spans } = setup();
    const [start, [, failure]] = failedRequest('req_1') as [Step, Extract<Step, ['request:error', unknown]>];
    emitAll(bus, [
      start,
      [
        'request:error',
        { ...failure, error: { ...failure.error, message: 'rejected x-api-key: sk-ant-api03-secretsecret' } },
      ],
    ]);
    expect(JSON.stringify(spans().map((span) => span.status))).not.toContain('secretsecret');
  });

  it('shows a rate-limit wait as a child span from the wait to the admission, before the first attempt', () => {
    const { bus, spans } = setup();
    emitStep(bus, [
      'ratelimit:wait',
      {
        requestId: 'req_1',
        model,
        modelClass: 'claude-sonnet-4',
        bucket: 'output_tokens',
        waitMs: 1500,
        queueLength: 2,
      },
    ]);
    emitStep(bus, [
      'ratelimit:admit',
      {
        requestId: 'req_1',
        model,
        modelClass: 'claude-sonnet-4',
        inputTokens: 40,
        outputTokens: 8000,
        waitedMs: 1200,
        levels: {},
      },
    ]);
    emitAll(bus, successfulRequest('req_1'));
    const all = spans();
    const [request] = requestSpans(all);
    const [wait] = childrenOf(all, request!, 'bulwark.ratelimit.wait');
    const [attempt] = childrenOf(all, request!, 'bulwark.attempt');
    expect(wait!.attributes).toMatchObject({
      'bulwark.ratelimit.bucket': 'output_tokens',
      'bulwark.ratelimit.expected_wait': 1.5,
      'bulwark.ratelimit.waited': 1.2,
      'bulwark.ratelimit.queue_length': 2,
    });
    expect(hrToMs(wait!.startTime)).toBeGreaterThanOrEqual(hrToMs(request!.startTime));
    expect(hrToMs(wait!.endTime)).toBeLessThanOrEqual(hrToMs(attempt!.startTime));
    expect(request!.attributes['bulwark.ratelimit.wait_duration']).toBe(1.2);
  });

  it('gives a request that fails while it waits for the limiter a span, with the wait failed too', () => {
    const { bus, spans } = setup();
    emitAll(bus, [
      [
        'ratelimit:wait',
        {
          requestId: 'req_1',
          model,
          modelClass: 'claude-sonnet-4',
          bucket: 'requests',
          waitMs: 60_000,
          queueLength: 1,
        },
      ],
      [
        'request:error',
        {
          requestId: 'req_1',
          model,
          attempt: 1,
          error: { name: 'WaitTimeoutError', message: 'waited too long', code: 'wait_timeout' },
          willRetry: false,
        },
      ],
    ]);
    const all = spans();
    const [request] = requestSpans(all);
    const [wait] = childrenOf(all, request!, 'bulwark.ratelimit.wait');
    expect(request!.attributes['error.type']).toBe('wait_timeout');
    expect(wait!.status.code).toBe(SpanStatusCode.ERROR);
    expect(childrenOf(all, request!, 'bulwark.attempt')).toEqual([]);
  });

  it('adds stalls, throttling, fallbacks, continuations and budget refusals as events', () => {
    const { bus, spans } = setup();
    const [first, ...rest] = successfulRequest('req_1');
    emitAll(bus, [
      [
        'budget:exceeded',
        { requestId: 'req_1', model, period: 'day', kind: 'cost', limit: 10, used: 9, requested: 2 },
      ],
      first!,
      [
        'stream:stall',
        { requestId: 'req_1', model, attempt: 1, idleMs: 60_000, pingsCountAsActivity: false },
      ],
      [
        'ratelimit:throttled',
        {
          requestId: 'req_1',
          model,
          modelClass: 'claude-sonnet-4',
          resumeAt: 0,
          retryAfterMs: 2000,
          reason: 'rate_limit',
        },
      ],
      [
        'fallback:switched',
        { requestId: 'req_1', from: model, to: 'claude-haiku-4-5', reason: 'overloaded' },
      ],
      [
        'stream:continue',
        { requestId: 'req_1', model, call: 2, stopReason: 'max_tokens', outputTokens: 8000 },
      ],
      ...rest,
    ]);
    const [request] = requestSpans(spans());
    const events = Object.fromEntries(request!.events.map((event) => [event.name, event.attributes]));
    expect(events['bulwark.budget_exceeded']).toMatchObject({
      'bulwark.budget.kind': 'cost',
      'bulwark.budget.limit': 10,
    });
    expect(events['bulwark.stall']).toMatchObject({ 'bulwark.stall.idle': 60 });
    expect(events['bulwark.throttled']).toMatchObject({
      'bulwark.throttle.reason': 'rate_limit',
      'bulwark.throttle.retry_after': 2,
    });
    expect(events['bulwark.fallback']).toMatchObject({
      'bulwark.fallback.to': 'claude-haiku-4-5',
      'bulwark.fallback.reason': 'overloaded',
    });
    expect(events['bulwark.continue']).toMatchObject({ 'bulwark.continue.call': 2 });
    expect(request!.attributes).toMatchObject({
      'bulwark.stalls': 1,
      'bulwark.fallbacks': 1,
      'bulwark.continuations': 1,
    });
  });

  it('ignores events of a request that already ended, rather than opening a new span', () => {
    const { bus, spans } = setup();
    emitAll(bus, failedRequest('req_1'));
    emitStep(bus, [
      'ratelimit:throttled',
      {
        requestId: 'req_1',
        model,
        modelClass: 'claude-sonnet-4',
        resumeAt: 0,
        retryAfterMs: 1000,
        reason: 'rate_limit',
      },
    ]);
    emitStep(bus, [
      'stream:stall',
      { requestId: 'req_1', model, attempt: 1, idleMs: 1, pingsCountAsActivity: false },
    ]);
    expect(spans()).toHaveLength(2);
  });

  it('never links the spans of interleaved requests to each other, in any order', () => {
    fc.assert(
      fc.property(fc.integer({ min: 2, max: 6 }), fc.infiniteStream(fc.nat()), (count, choices) => {
        const { bus, spans } = setup();
        const queues = Array.from({ length: count }, (_, index) =>
          index % 3 === 0
            ? faultedRequest(`req_${index}`)
            : index % 3 === 1
              ? successfulRequest(`req_${index}`)
              : failedRequest(`req_${index}`),
        );
        const picks = choices[Symbol.iterator]();
        for (let left = queues.flat().length; left > 0; left -= 1) {
          const open = queues.filter((queue) => queue.length > 0);
          emitStep(bus, open[picks.next().value % open.length]!.shift()!);
        }
        const all = spans();
        const requests = requestSpans(all);
        expect(requests).toHaveLength(count);
        for (const request of requests) {
          const id = request.attributes['bulwark.request.id'] as string;
          const index = Number(id.slice(4));
          const attempts = childrenOf(all, request, 'bulwark.attempt');
          expect(attempts).toHaveLength(index % 3 === 0 ? 3 : 1);
          expect(new Set(attempts.map((span) => span.spanContext().traceId))).toEqual(
            new Set([request.spanContext().traceId]),
          );
          expect(request.events.length).toBe(index % 3 === 0 ? 3 : 0);
        }
        expect(new Set(requests.map((span) => span.spanContext().traceId)).size).toBe(count);
      }),
      { numRuns: 60 },
    );
  });
});

describe('safety', () => {
  it('never throws into the emitter, and logs the first failure once', () => {
    const logger = { debug: vi.fn(), info: vi.fn(), warn: vi.fn(), error: vi.fn() };
    const exploding = new BasicTracerProvider({
      spanProcessors: [
        {
          onStart() {},
          onEnd() {
            throw new Error('span processor exploded');
          },
          forceFlush: async () => {},
          shutdown: async () => {},
        },
      ],
    });
    const bus = createBus();
    instrumentBulwark(bus, {
      tracerProvider: exploding,
      meterProvider: createTestSdk().meterProvider,
      logger,
    });
    expect(() => emitAll(bus, [...faultedRequest('req_1'), ...successfulRequest('req_2')])).not.toThrow();
    expect(logger.error).toHaveBeenCalledTimes(1);
    expect(String(logger.error.mock.calls[0]![1])).toContain('@bulwark/otel');
  });

  it('ends the spans of open requests as abandoned on detach, and listens no more', () => {
    const { bus, spans, instrumentation } = setup();
    emitAll(bus, faultedRequest('req_1').slice(0, 4));
    instrumentation.detach();
    instrumentation.detach();
    const [request] = requestSpans(spans());
    expect(request!.attributes['bulwark.abandoned']).toBe(true);
    emitAll(bus, successfulRequest('req_2'));
    expect(requestSpans(spans())).toHaveLength(1);
    expect(bus.listenerCount('request:start')).toBe(0);
  });

  it(`keeps at most ${maxOpenRequests} requests open, ending the oldest as abandoned`, () => {
    const { bus, spans } = setup();
    for (let index = 0; index <= maxOpenRequests; index += 1)
      emitStep(bus, successfulRequest(`req_${index}`)[0]!);
    const ended = requestSpans(spans());
    expect(ended.map((span) => span.attributes['bulwark.request.id'])).toEqual(['req_0']);
    expect(ended[0]!.attributes['bulwark.abandoned']).toBe(true);
  });
});

describe('options', () => {
  const bus = createBus();
  it.each([
    ['an unknown key', { tracerprovider: {} }, 'options.tracerprovider'],
    ['a tracer provider without getTracer', { tracerProvider: {} }, 'options.tracerProvider'],
    ['a meter provider without getMeter', { meterProvider: { getTracer() {} } }, 'options.meterProvider'],
    ['a non-boolean captureContent', { captureContent: 'yes' }, 'options.captureContent'],
    ['an attribute that is an object', { attributes: { team: { name: 'x' } } }, 'options.attributes.team'],
    ['an attribute array of mixed types', { attributes: { tags: ['a', 1] } }, 'options.attributes.tags'],
    ['an attribute that is NaN', { attributes: { share: Number.NaN } }, 'options.attributes.share'],
    [
      'an attribute named like a secret',
      { attributes: { authorization: 'Bearer abc' } },
      'options.attributes.authorization',
    ],
    [
      'an attribute that holds a key',
      { attributes: { note: 'sk-ant-api03-abcdef' } },
      'options.attributes.note',
    ],
    ['a pricesOf that is not a function', { pricesOf: {} }, 'options.pricesOf'],
    ['a logger without error', { logger: { info() {} } }, 'options.logger'],
  ])('refuses %s', (_, options, argument) => {
    const call = () => instrumentBulwark(bus, options as never);
    expect(call).toThrow(InvalidArgumentError);
    try {
      call();
    } catch (error) {
      expect((error as InvalidArgumentError).argument).toBe(argument);
      expect((error as Error).message).not.toContain('sk-ant-api03-abcdef');
    }
  });

  it('refuses something that is not a bus', () => {
    expect(() => instrumentBulwark({} as never)).toThrow(InvalidArgumentError);
  });

  it('adds the static attributes to every span', () => {
    const { bus: ownBus, spans } = setup({
      attributes: { 'deployment.environment.name': 'test', tags: ['a', 'b'] },
    });
    emitAll(ownBus, faultedRequest('req_1'));
    for (const span of spans()) expect(span.attributes['deployment.environment.name']).toBe('test');
  });
});
