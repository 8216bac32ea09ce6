import {
  AbortedError,
  costOfUsage,
  createMemoryCheckpointStore,
  InvalidArgumentError,
  priceOf,
} from '@bulwark/core';
import { afterEach, describe, expect, it } from 'vitest';
import { batchErrorTypeOf } from './batch-request.js';
import { BatchApiError } from './errors.js';
import {
  type BatchHarness,
  collect,
  drive,
  rejectionOf,
  requestFor,
  requestsFor,
  startBatchHarness,
} from './test-support/harness.js';

let harness: BatchHarness | undefined;
afterEach(async () => {
  await harness?.close();
  harness = undefined;
});

describe('a batch job against the mock, through the real SDK', () => {
  it('splits 25,000 requests into batches, resubmits the 5 % errored and 2 % expired, and delivers each result once', async () => {
    const requests = requestsFor(25_000);
    const byCustomId: Record<string, { kind: 'errored'; errorType: string } | { kind: 'expired' }> = {};
    requests.forEach((request, index) => {
      if (index % 20 === 0)
        byCustomId[request.custom_id] = { kind: 'errored', errorType: 'overloaded_error' };
      else if (index % 50 === 1) byCustomId[request.custom_id] = { kind: 'expired' };
    });
    harness = await startBatchHarness({ batches: { requestsPerSecond: 5_000, faults: { byCustomId } } });
    const job = harness.runner().run(requests, { jobId: 'big', maxBatchRequests: 6_000 });
    const { results, summary } = await drive(harness.clock, collect(job));

    expect(results).toHaveLength(25_000);
    expect(new Set(results.map((result) => result.custom_id)).size).toBe(25_000);
    expect(results.every((result) => result.result.type === 'succeeded')).toBe(true);
    expect(summary.results).toEqual({ succeeded: 25_000, errored: 0, canceled: 0, expired: 0 });
    expect(summary.resubmitted).toBe(1_250 + 500);
    const submitted = harness.events('batch:submitted');
    expect(submitted.filter((event) => event.round === 1).map((event) => event.requestCount)).toEqual([
      6_000, 6_000, 6_000, 6_000, 1_000,
    ]);
    expect(
      submitted.filter((event) => event.round === 2).reduce((sum, event) => sum + event.requestCount, 0),
    ).toBe(1_750);
    expect(harness.batchesCreated()).toBe(submitted.length);
    const retrying = harness.events('batch:retrying');
    expect(retrying.reduce((sum, event) => sum + event.errored, 0)).toBe(1_250);
    expect(retrying.reduce((sum, event) => sum + event.expired, 0)).toBe(500);
  }, 240_000);

  it('reports invalid_request items as errored, typed, and never resubmits them', async () => {
    harness = await startBatchHarness({
      batches: {
        faults: { byCustomId: { injected: { kind: 'errored', errorType: 'invalid_request_error' } } },
      },
    });
    const requests = [
      requestFor('fine'),
      requestFor('injected'),
      // Claude 4.6 refuses a prefill: the synchronous endpoint answers 400, the batch an errored result.
      requestFor('prefill', {
        messages: [
          { role: 'user', content: 'Hi' },
          { role: 'assistant', content: 'Well' },
        ],
      }),
    ];
    const { results, summary } = await drive(
      harness.clock,
      collect(harness.runner().run(requests, { jobId: 'invalid', retryErrored: 3 })),
    );
    const byId = new Map(results.map((result) => [result.custom_id, result]));
    expect(byId.get('fine')?.result.type).toBe('succeeded');
    expect(batchErrorTypeOf(byId.get('injected')!)).toBe('invalid_request_error');
    expect(batchErrorTypeOf(byId.get('prefill')!)).toBe('invalid_request_error');
    expect(summary.errorTypes).toEqual({ invalid_request_error: 2 });
    expect(summary.resubmitted).toBe(0);
    expect(harness.batchesCreated()).toBe(1);
  });

  it('gives up on a retryable error after retryErrored resubmissions and reports its last result', async () => {
    const overloaded = { kind: 'errored' as const, errorType: 'overloaded_error' };
    harness = await startBatchHarness({
      batches: { faults: { byCustomId: { stubborn: [overloaded, overloaded, overloaded] } } },
    });
    const { results, summary } = await drive(
      harness.clock,
      collect(harness.runner().run([requestFor('stubborn')], { jobId: 'stubborn', retryErrored: 2 })),
    );
    expect(results).toHaveLength(1);
    expect(batchErrorTypeOf(results[0]!)).toBe('overloaded_error');
    expect(summary.resubmitted).toBe(2);
    expect(harness.batchesCreated()).toBe(3);
  });

  it('reads a results stream that broke off again from where it stopped, each result once', async () => {
    harness = await startBatchHarness({ batches: { dropResultsAfterLines: 7 } });
    const requests = requestsFor(20);
    const { results } = await drive(
      harness.clock,
      collect(harness.runner().run(requests, { jobId: 'drop' })),
    );
    expect(results.map((result) => result.custom_id)).toEqual(requests.map((request) => request.custom_id));
    expect(harness.events('batch:throttled')).toEqual([
      expect.objectContaining({ operation: 'results', attempt: 1, delayMs: expect.any(Number) }),
    ]);
  });

  it('refuses a duplicate custom_id before anything is sent', async () => {
    harness = await startBatchHarness();
    const job = harness.runner().run([requestFor('a'), requestFor('b'), requestFor('a')], { jobId: 'dup' });
    const error = await rejectionOf(collect(job));
    expect(InvalidArgumentError.isInstance(error)).toBe(true);
    expect((error as InvalidArgumentError).argument).toBe('requests[2].custom_id');
    expect(harness.server.requests).toHaveLength(0);
    expect(await rejectionOf(job.summary())).toBe(error);
  });

  it('refuses a request too large for a batch before anything is sent', async () => {
    harness = await startBatchHarness();
    const big = requestFor('big', { messages: [{ role: 'user', content: 'x'.repeat(20_000) }] });
    const job = harness.runner().run([requestFor('a'), big], { jobId: 'big-one', maxBatchBytes: 10_000 });
    const error = await rejectionOf(collect(job));
    expect((error as InvalidArgumentError).argument).toBe('requests[1]');
    expect(harness.server.requests).toHaveLength(0);
  });

  it('gives each result the answer the synchronous endpoint gives the same params', async () => {
    harness = await startBatchHarness();
    const requests = requestsFor(5, 'same');
    const { results } = await drive(
      harness.clock,
      collect(harness.runner().run(requests, { jobId: 'same' })),
    );
    for (const request of requests) {
      const synchronous = await harness.client.messages.create(request.params);
      const batched = results.find((result) => result.custom_id === request.custom_id)!;
      if (batched.result.type !== 'succeeded') throw new Error('expected a succeeded result');
      expect(batched.result.message.content).toEqual(synchronous.content);
      expect(batched.result.message.usage.input_tokens).toBe(synchronous.usage.input_tokens);
      expect(batched.result.message.usage.output_tokens).toBe(synchronous.usage.output_tokens);
      expect(batched.result.message.stop_reason).toBe(synchronous.stop_reason);
    }
  });

  it('reports tokens and cost at half the list price in the summary, usage() and batch:collected', async () => {
    harness = await startBatchHarness();
    const runner = harness.runner();
    const { summary } = await drive(harness.clock, collect(runner.run(requestsFor(40), { jobId: 'cost' })));
    const listPrice = costOfUsage(summary.usage, priceOf('claude-sonnet-4-6')!);
    expect(summary.usage.outputTokens).toBeGreaterThan(0);
    expect(summary.costUsd).toBeCloseTo(listPrice / 2, 12);
    expect(runner.usage()['claude-sonnet-4-6']).toMatchObject({ succeeded: 40, usage: summary.usage });
    expect(runner.usage()['claude-sonnet-4-6']?.costUsd).toBeCloseTo(listPrice / 2, 12);
    const collected = harness.events('batch:collected');
    expect(collected.reduce((sum, event) => sum + (event.costUsd ?? 0), 0)).toBeCloseTo(listPrice / 2, 12);
    expect(harness.events('batch:job_end')[0]).toMatchObject({ jobId: 'cost', costUsd: summary.costUsd });
  });

  it('emits batch:progress with the request counts per state while a batch processes', async () => {
    harness = await startBatchHarness({ batches: { requestsPerSecond: 10 } });
    await drive(harness.clock, collect(harness.runner().run(requestsFor(100), { jobId: 'progress' })));
    const progress = harness.events('batch:progress');
    expect(progress.length).toBeGreaterThan(3);
    expect(progress[0]).toMatchObject({
      processingStatus: 'in_progress',
      requestCounts: { processing: 100, succeeded: 0 },
      jobRequests: 100,
      jobFinished: 0,
    });
    const succeeded = progress.map((event) => event.requestCounts.succeeded);
    expect(succeeded).toEqual([...succeeded].sort((left, right) => left - right));
    expect(progress.at(-1)).toMatchObject({ processingStatus: 'ended', requestCounts: { succeeded: 100 } });
    expect(harness.events('batch:ended')).toHaveLength(1);
  });

  it('waits out a full processing queue (429 with retry-after) and submits once it drains', async () => {
    harness = await startBatchHarness({ batches: { requestsPerSecond: 10, queueLimit: 50 } });
    const { summary } = await drive(
      harness.clock,
      collect(harness.runner().run(requestsFor(120), { jobId: 'queue', maxBatchRequests: 40 })),
    );
    expect(summary.results.succeeded).toBe(120);
    const throttled = harness.events('batch:throttled');
    expect(throttled.length).toBeGreaterThan(0);
    expect(throttled[0]).toMatchObject({ operation: 'create', error: { status: 429 } });
    expect(throttled[0]?.delayMs).toBeGreaterThanOrEqual(1_000);
    expect(harness.batchesCreated()).toBe(3);
  });

  it('cancels the batches in flight when the signal aborts, and still delivers what had finished', async () => {
    harness = await startBatchHarness({ batches: { requestsPerSecond: 10, queueLimit: 60 } });
    const controller = new AbortController();
    harness.bus.on('batch:progress', (event) => {
      if (event.requestCounts.succeeded >= 20) controller.abort();
    });
    const job = harness
      .runner()
      .run(requestsFor(150), { jobId: 'cancel', maxBatchRequests: 50, signal: controller.signal });
    const { results, summary } = await drive(harness.clock, collect(job));
    expect(summary.canceled).toBe(true);
    expect(harness.events('batch:canceled').length).toBeGreaterThan(0);
    const succeeded = results.filter((result) => result.result.type === 'succeeded').length;
    const canceled = results.filter((result) => result.result.type === 'canceled').length;
    expect(succeeded).toBeGreaterThanOrEqual(20);
    expect(canceled).toBeGreaterThan(0);
    expect(summary.results).toMatchObject({ succeeded, canceled });
    expect(summary.unsubmitted).toBe(150 - results.length);
    expect(summary.unsubmitted).toBeGreaterThan(0);
    expect(new Set(results.map((result) => result.custom_id)).size).toBe(results.length);
  });

  it('submits nothing when the signal is already aborted, and reports every request unsubmitted', async () => {
    harness = await startBatchHarness();
    const controller = new AbortController();
    controller.abort();
    const job = harness.runner().run(requestsFor(10), { jobId: 'early', signal: controller.signal });
    const { results, summary } = await drive(harness.clock, collect(job));
    expect(results).toEqual([]);
    expect(summary).toMatchObject({ canceled: true, unsubmitted: 10, batchIds: [] });
    expect(harness.server.requests).toHaveLength(0);
  });

  it('picks a job up after the caller stopped reading, without delivering a result twice', async () => {
    harness = await startBatchHarness();
    const store = createMemoryCheckpointStore();
    const requests = requestsFor(30);
    const first = harness.runner({ store }).run(requests, { jobId: 'partial', checkpointEveryResults: 1 });
    const seen: string[] = [];
    await drive(
      harness.clock,
      (async () => {
        for await (const result of first) {
          seen.push(result.custom_id);
          if (seen.length === 12) break;
        }
      })(),
    );
    const stopped = await rejectionOf(first.summary());
    expect(AbortedError.isInstance(stopped)).toBe(true);
    const { results, summary } = await drive(
      harness.clock,
      collect(harness.runner({ store }).run(requests, { jobId: 'partial' })),
    );
    seen.push(...results.map((result) => result.custom_id));
    expect(seen).toHaveLength(30);
    expect(new Set(seen).size).toBe(30);
    expect(summary.results.succeeded).toBe(30);
    expect(harness.batchesCreated()).toBe(1);
    expect(harness.events('batch:job_start')[1]).toMatchObject({ resumed: true, finished: 12, batches: 1 });
  });

  it('adopts a batch created just before its id could be saved, instead of submitting it again', async () => {
    harness = await startBatchHarness();
    const memory = createMemoryCheckpointStore();
    let saves = 0;
    const failing = {
      ...memory,
      async save(key: string, value: unknown) {
        saves += 1;
        // 1: the new job, 2: "about to create", 3: the created batch's id: the process dies here.
        if (saves === 3) throw new Error('disk full');
        await memory.save(key, value);
      },
    };
    const requests = requestsFor(10);
    const crashed = await rejectionOf(
      drive(harness.clock, collect(harness.runner({ store: failing }).run(requests, { jobId: 'adopt' }))),
    );
    expect((crashed as Error).name).toBe('BatchStateError');
    expect(harness.batchesCreated()).toBe(1);
    const { results } = await drive(
      harness.clock,
      collect(harness.runner({ store: memory }).run(requests, { jobId: 'adopt' })),
    );
    expect(results).toHaveLength(10);
    expect(harness.batchesCreated()).toBe(1);
    expect(harness.events('batch:submitted').at(-1)).toMatchObject({ adopted: true, requestCount: 10 });
  });

  it('refuses to pick up a job with different requests', async () => {
    harness = await startBatchHarness();
    const store = createMemoryCheckpointStore();
    await drive(harness.clock, collect(harness.runner({ store }).run(requestsFor(3), { jobId: 'same-id' })));
    const error = await rejectionOf(
      collect(harness.runner({ store }).run(requestsFor(4), { jobId: 'same-id' })),
    );
    expect((error as InvalidArgumentError).argument).toBe('requests');
  });

  it('answers a finished job from its state without calling the API again', async () => {
    harness = await startBatchHarness();
    const store = createMemoryCheckpointStore();
    const requests = requestsFor(3);
    const first = await drive(
      harness.clock,
      collect(harness.runner({ store }).run(requests, { jobId: 'done' })),
    );
    const calls = harness.server.requests.length;
    const again = await collect(harness.runner({ store }).run(requests, { jobId: 'done' }));
    expect(again.results).toEqual([]);
    expect(again.summary).toEqual(first.summary);
    expect(harness.server.requests).toHaveLength(calls);
  });

  it('stops with BatchApiError when the API no longer knows a batch of the job', async () => {
    harness = await startBatchHarness({ batches: { requestsPerSecond: 1 } });
    const job = harness.runner().run(requestsFor(5), { jobId: 'gone' });
    // The mock forgets every batch after the first poll: the next poll gets a 404.
    harness.bus.once('batch:progress', () => harness?.server.reset());
    const error = await rejectionOf(drive(harness.clock, collect(job)));
    expect(BatchApiError.isInstance(error)).toBe(true);
    expect(error).toMatchObject({ operation: 'retrieve', status: 404 });
  });
});
