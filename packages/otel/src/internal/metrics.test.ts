import { costOfUsage, defaultPriceOf } from '@bulwark/core';
import { describe, expect, it } from 'vitest';
import { instrumentedBus, pointWith } from '../test-support/otel-sdk.js';
import {
  emitAll,
  emitStep,
  failedRequest,
  faultedRequest,
  model,
  successfulRequest,
  usageOf,
} from '../test-support/scripted-requests.js';

const setup = instrumentedBus;

const base = {
  'gen_ai.operation.name': 'chat',
  'gen_ai.provider.name': 'anthropic',
  'gen_ai.request.model': model,
};

describe('the conventions histograms', () => {
  it('record the tokens of a request by type, input including the cache, over every attempt', async () => {
    const { bus, collect } = setup();
    emitAll(bus, faultedRequest('req_1'));
    const points = (await collect()).get('gen_ai.client.token.usage');
    expect(pointWith(points, { ...base, 'gen_ai.token.type': 'input' })).toMatchObject({
      value: 302,
      count: 1,
      unit: '{token}',
    });
    expect(
      pointWith(points, { 'gen_ai.token.type': 'output', 'gen_ai.response.model': `${model}-20260101` }),
    ).toMatchObject({
      value: 42,
      count: 1,
    });
  });

  it('record one operation duration per request, with error.type when it failed', async () => {
    const { bus, collect } = setup();
    emitAll(bus, [...faultedRequest('req_1'), ...successfulRequest('req_2'), ...failedRequest('req_3')]);
    const points = (await collect()).get('gen_ai.client.operation.duration')!;
    const failed = pointWith(points, { 'error.type': 'invalid_request_error' });
    expect(failed).toMatchObject({ count: 1, unit: 's' });
    expect(
      points
        .filter((point) => point.attributes['error.type'] === undefined)
        .reduce((sum, point) => sum + point.count, 0),
    ).toBe(2);
  });

  it('record the time to the first chunk once per request, from the attempt that got it', async () => {
    const { bus, collect } = setup();
    emitAll(bus, faultedRequest('req_1'));
    expect(
      pointWith((await collect()).get('gen_ai.client.operation.time_to_first_chunk'), base),
    ).toMatchObject({
      value: 0.3,
      count: 1,
    });
  });

  it('record the mean time per output token between progress reports of one attempt', async () => {
    const { bus, collect } = setup();
    emitAll(bus, faultedRequest('req_1'));
    // 10 tokens over the 1,000 ms between the two reports of attempt 2.
    expect(
      pointWith((await collect()).get('gen_ai.client.operation.time_per_output_chunk'), base),
    ).toMatchObject({
      value: 0.1,
      count: 1,
    });
  });
});

describe("Bulwark's own metrics", () => {
  it('count retries by reason, resumes by strategy and stalls, by model', async () => {
    const { bus, collect } = setup();
    emitAll(bus, faultedRequest('req_1'));
    emitStep(bus, [
      'stream:stall',
      { requestId: 'req_9', model, attempt: 1, idleMs: 1, pingsCountAsActivity: false },
    ]);
    const metrics = await collect();
    expect(
      pointWith(metrics.get('bulwark.retries'), { ...base, 'bulwark.retry.reason': 'overloaded' })?.value,
    ).toBe(1);
    expect(
      pointWith(metrics.get('bulwark.retries'), { 'bulwark.retry.reason': 'stream_dropped' })?.value,
    ).toBe(1);
    expect(pointWith(metrics.get('bulwark.resumes'), { 'bulwark.resume.strategy': 'user_turn' })?.value).toBe(
      1,
    );
    expect(pointWith(metrics.get('bulwark.stalls'), base)?.value).toBe(1);
  });

  it('counts 429s by reason, model and model class', async () => {
    const { bus, collect } = setup();
    for (const reason of ['rate_limit', 'rate_limit', 'spend_limit'] as const) {
      emitStep(bus, [
        'ratelimit:throttled',
        { model, modelClass: 'claude-sonnet-4', resumeAt: 0, retryAfterMs: 1000, reason },
      ]);
    }
    const points = (await collect()).get('bulwark.rate_limited');
    expect(
      pointWith(points, {
        'bulwark.throttle.reason': 'rate_limit',
        'bulwark.ratelimit.model_class': 'claude-sonnet-4',
      }),
    ).toMatchObject({
      value: 2,
      unit: '{response}',
    });
    expect(pointWith(points, { 'bulwark.throttle.reason': 'spend_limit' })?.value).toBe(1);
  });

  it('keeps requests in flight from their first attempt to their end', async () => {
    const { bus, collect } = setup();
    const steps = faultedRequest('req_1');
    emitAll(bus, steps.slice(0, 1));
    expect(pointWith((await collect()).get('bulwark.requests.in_flight'), base)).toMatchObject({
      value: 1,
      unit: '{request}',
    });
    emitAll(bus, steps.slice(1));
    expect(pointWith((await collect()).get('bulwark.requests.in_flight'), base)?.value).toBe(0);
  });

  it('counts the cost in USD of every attempt at the default prices, and none for a model without a price', async () => {
    const { bus, collect } = setup();
    emitAll(bus, faultedRequest('req_1'));
    emitStep(bus, [
      'usage',
      { requestId: 'req_2', model: 'my-own-model', attempt: 1, usage: usageOf(1000, 1000), partial: false },
    ]);
    const points = (await collect()).get('bulwark.cost')!;
    const price = defaultPriceOf(model)!;
    const expected =
      costOfUsage(usageOf(40, 12, 100, 10), price) + costOfUsage(usageOf(52, 30, 100, 0), price);
    expect(points).toHaveLength(1);
    expect(points[0]!.value).toBeCloseTo(expected, 12);
    expect(points[0]!.unit).toBe('USD');
  });

  it('uses the prices it is given', async () => {
    const { bus, collect } = setup({
      pricesOf: () => ({ inputPerMillionTokens: 1_000_000, outputPerMillionTokens: 0 }),
    });
    emitStep(bus, [
      'usage',
      { requestId: 'req_2', model: 'my-own-model', attempt: 1, usage: usageOf(3, 1000), partial: false },
    ]);
    expect(
      pointWith((await collect()).get('bulwark.cost'), { 'gen_ai.request.model': 'my-own-model' })?.value,
    ).toBe(3);
  });

  it("gauges each model class's buckets as a share of the limit, from the latest levels", async () => {
    const { bus, collect } = setup();
    emitStep(bus, [
      'ratelimit:admit',
      {
        model,
        modelClass: 'claude-sonnet-4',
        inputTokens: 1,
        outputTokens: 1,
        waitedMs: 0,
        levels: { requests: { available: 40, capacity: 50 }, inputTokens: { available: 0, capacity: 0 } },
      },
    ]);
    emitStep(bus, [
      'ratelimit:update',
      {
        modelClass: 'claude-sonnet-4',
        source: 'headers',
        limits: {},
        levels: { outputTokens: { available: 2500, capacity: 10_000 } },
      },
    ]);
    const points = (await collect()).get('bulwark.ratelimit.bucket.level')!;
    expect(points.map((point) => [point.attributes['bulwark.ratelimit.bucket'], point.value])).toEqual([
      ['requests', 0.8],
      ['output_tokens', 0.25],
    ]);
    expect(points[0]!.attributes['bulwark.ratelimit.model_class']).toBe('claude-sonnet-4');
  });

  it('stops the gauges on detach', async () => {
    const { bus, collect, instrumentation } = setup();
    emitStep(bus, [
      'ratelimit:update',
      {
        modelClass: 'claude-sonnet-4',
        source: 'config',
        limits: {},
        levels: { requests: { available: 1, capacity: 2 } },
      },
    ]);
    instrumentation.detach();
    expect((await collect()).get('bulwark.ratelimit.bucket.level') ?? []).toEqual([]);
  });

  it('adds the static attributes to every point', async () => {
    const { bus, collect } = setup({ attributes: { 'service.team': 'core' } });
    emitAll(bus, faultedRequest('req_1'));
    for (const points of (await collect()).values()) {
      for (const point of points) expect(point.attributes['service.team']).toBe('core');
    }
  });
});
