import { createManualClock } from '@bulwark/core';
import { describe, expect, it } from 'vitest';
import { createServerTokenizer } from '../../server-tokenizer.js';
import { ResponseGenerator } from '../response-plan.js';
import { BatchRegistry } from './batch-registry.js';
import { MockBatch } from './mock-batch.js';
import { defaultBatchOptions, parseBatchOptions, type ResolvedBatchOptions } from './options.js';

const params = (text: string) => ({
  model: 'claude-sonnet-4-6',
  max_tokens: 50,
  messages: [{ role: 'user', content: text }],
});

function registryWith(options: Partial<ResolvedBatchOptions> = {}) {
  const clock = createManualClock(Date.UTC(2026, 10, 1));
  const resolved = { ...defaultBatchOptions, ...options };
  const registry = new BatchRegistry(clock, 1, resolved, {
    seed: 1,
    generator: new ResponseGenerator({ seed: 1, outputTokens: { min: 5, max: 10 } }),
    tokenizer: createServerTokenizer(),
    faults: () => resolved.faults,
    resultPaddingBytes: resolved.resultPaddingBytes,
  });
  return { clock, registry };
}

function created(result: ReturnType<BatchRegistry['create']>): MockBatch {
  if (!(result instanceof MockBatch)) throw new Error(`expected a batch, got ${JSON.stringify(result)}`);
  return result;
}

const requests = (count: number, prefix = 'r') =>
  Array.from({ length: count }, (_, index) => ({
    custom_id: `${prefix}${index}`,
    params: params(`item ${index}`),
  }));

describe('BatchRegistry', () => {
  it('processes requests at the configured speed on the clock and then ends', () => {
    const { clock, registry } = registryWith({ requestsPerSecond: 10 });
    const batch = created(registry.create({ requests: requests(25) }));
    expect(batch.toJson(clock.now(), 'url')).toMatchObject({
      processing_status: 'in_progress',
      request_counts: { processing: 25, succeeded: 0 },
      results_url: null,
      ended_at: null,
    });
    clock.tick(1_000);
    expect(batch.requestCounts(clock.now())).toMatchObject({ processing: 15, succeeded: 10 });
    clock.tick(1_500);
    expect(batch.toJson(clock.now(), 'url')).toMatchObject({
      processing_status: 'ended',
      request_counts: { processing: 0, succeeded: 25 },
      results_url: 'url',
    });
  });

  it('refuses duplicate custom_ids, bad custom_ids, params that are not objects and too many requests', () => {
    const { registry } = registryWith({ maxRequestsPerBatch: 3 });
    expect(registry.create({ requests: [...requests(1), ...requests(1)] })).toMatchObject({
      status: 400,
      message: expect.stringContaining('Duplicate custom_id `r0`'),
    });
    expect(registry.create({ requests: [{ custom_id: 'has space', params: params('x') }] })).toMatchObject({
      status: 400,
      message: expect.stringContaining('requests.0.custom_id'),
    });
    expect(registry.create({ requests: [{ custom_id: 'a', params: 'nope' }] })).toMatchObject({
      status: 400,
    });
    expect(registry.create({ requests: requests(4) })).toMatchObject({
      status: 400,
      message: expect.stringContaining('at most 3 items'),
    });
    expect(registry.create({ requests: [] })).toMatchObject({ status: 400 });
  });

  it('answers 429 with retry-after when the processing queue would overflow', () => {
    const { clock, registry } = registryWith({ queueLimit: 30, requestsPerSecond: 10 });
    created(registry.create({ requests: requests(20, 'a') }));
    const refusal = registry.create({ requests: requests(20, 'b') });
    expect(refusal).toMatchObject({ status: 429, type: 'rate_limit_error', headers: { 'retry-after': '1' } });
    clock.tick(1_000);
    created(registry.create({ requests: requests(20, 'b') }));
  });

  it('reports params the synchronous endpoint refuses as errored invalid_request_error results', () => {
    const { clock, registry } = registryWith();
    const batch = created(
      registry.create({
        requests: [
          { custom_id: 'good', params: params('x') },
          { custom_id: 'bad', params: { ...params('x'), max_tokens: 0 } },
        ],
      }),
    );
    clock.tick(10_000);
    const lines = [...registry.resultLines(batch)].map((line) => JSON.parse(line));
    expect(lines[0]).toMatchObject({ custom_id: 'good', result: { type: 'succeeded' } });
    expect(lines[0].result.message.usage.service_tier).toBe('batch');
    expect(lines[1]).toMatchObject({
      custom_id: 'bad',
      result: { type: 'errored', error: { type: 'error', error: { type: 'invalid_request_error' } } },
    });
  });

  it('applies faults by custom_id and submission, so a resubmitted request can succeed', () => {
    const faults = parseBatchOptions('batches', {
      faults: {
        byCustomId: {
          r0: { kind: 'expired' },
          r1: [{ kind: 'errored', errorType: 'overloaded_error' }, { kind: 'canceled' }],
        },
      },
    }).faults;
    const { clock, registry } = registryWith({ faults });
    const first = created(registry.create({ requests: requests(2) }));
    clock.tick(1_000);
    expect(first.requestCounts(clock.now())).toMatchObject({ expired: 1, errored: 1 });
    const second = created(registry.create({ requests: requests(2) }));
    clock.tick(1_000);
    expect(second.requestCounts(clock.now())).toMatchObject({ succeeded: 1, canceled: 1 });
  });

  it('cancels: canceling for the configured delay, then ended with the unprocessed requests canceled', () => {
    const { clock, registry } = registryWith({ requestsPerSecond: 10, cancelDelayMs: 500 });
    const batch = created(registry.create({ requests: requests(30) }));
    clock.tick(1_000);
    registry.cancel(batch.id);
    expect(batch.status(clock.now())).toBe('canceling');
    clock.tick(500);
    expect(batch.toJson(clock.now(), 'url')).toMatchObject({
      processing_status: 'ended',
      request_counts: { processing: 0, succeeded: 10, canceled: 20 },
    });
    expect(registry.cancel(batch.id)).toMatchObject({ status: 400 });
  });

  it('expires the requests not processed by expires_at', () => {
    const { clock, registry } = registryWith({ requestsPerSecond: 1, expiresAfterMs: 3_000 });
    const batch = created(registry.create({ requests: requests(5) }));
    clock.tick(3_000);
    expect(batch.requestCounts(clock.now())).toEqual({
      processing: 0,
      succeeded: 3,
      errored: 0,
      canceled: 0,
      expired: 2,
    });
  });

  it('lists newest first and pages with after_id and before_id', () => {
    const { clock, registry } = registryWith();
    const ids = Array.from({ length: 5 }, (_, index) => {
      clock.tick(1);
      return created(registry.create({ requests: requests(1, `b${index}`) })).id;
    });
    const newest = [...ids].reverse();
    const first = registry.list({ limit: '2' }, (id) => id);
    expect(first).toMatchObject({ has_more: true, first_id: newest[0], last_id: newest[1] });
    const second = registry.list({ limit: '2', after_id: newest[1] }, (id) => id);
    expect(second).toMatchObject({ has_more: true, first_id: newest[2], last_id: newest[3] });
    const back = registry.list({ limit: '2', before_id: newest[2] }, (id) => id);
    expect(back).toMatchObject({ has_more: false, first_id: newest[0], last_id: newest[1] });
    expect(registry.list({ limit: '0' }, (id) => id)).toMatchObject({ status: 400 });
  });

  it('deletes only ended batches', () => {
    const { clock, registry } = registryWith();
    const batch = created(registry.create({ requests: requests(3) }));
    expect(registry.delete(batch.id)).toMatchObject({ status: 400 });
    clock.tick(1_000);
    expect(registry.delete(batch.id)).toEqual({ id: batch.id, type: 'message_batch_deleted' });
    expect(registry.get(batch.id)).toMatchObject({ status: 404 });
  });
});

describe('options.batches', () => {
  it('fills in the defaults', () => {
    expect(parseBatchOptions('batches', undefined)).toEqual(defaultBatchOptions);
    expect(defaultBatchOptions).toMatchObject({
      requestsPerSecond: 1_000,
      maxRequestsPerBatch: 100_000,
      faults: {},
    });
  });

  it('refuses unknown options and faults by their full name', () => {
    expect(() => parseBatchOptions('batches', { requestPerSecond: 5 })).toThrow(/`batches.requestPerSecond`/);
    expect(() => parseBatchOptions('batches', { faults: { byCustomId: { a: { kind: 'lost' } } } })).toThrow(
      /batches\.faults\.byCustomId\.a\.kind/,
    );
    expect(() =>
      parseBatchOptions('batches', { faults: { byCustomId: { a: { kind: 'expired', errorType: 'x' } } } }),
    ).toThrow(/batches\.faults\.byCustomId\.a\.errorType/);
    expect(() =>
      parseBatchOptions('batches', { faults: { random: { probability: 2, faults: [] } } }),
    ).toThrow(/batches\.faults\.random\.probability/);
    expect(() => parseBatchOptions('batches', { faults: { random: { probability: 0.1 } } })).toThrow(
      /batches\.faults\.random\.faults/,
    );
  });

  it('draws random faults from the seed, the custom_id and the submission', () => {
    const faults = parseBatchOptions('batches', {
      faults: { random: { probability: 0.5, faults: [{ kind: 'errored', errorType: 'api_error' }] } },
    }).faults;
    const counts = () => {
      const { clock, registry } = registryWith({ faults });
      const batch = created(registry.create({ requests: requests(200) }));
      clock.tick(1_000);
      return batch.requestCounts(clock.now());
    };
    const first = counts();
    expect(first.errored).toBeGreaterThan(60);
    expect(first.errored).toBeLessThan(140);
    expect(counts()).toEqual(first);
  });
});
