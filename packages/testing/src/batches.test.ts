import Anthropic from '@anthropic-ai/sdk';
import { createManualClock } from '@bulwark/core';
import { describe, expect, it } from 'vitest';
import { startWithClient } from './test-support/harness.js';

const params = (text: string) => ({
  model: 'claude-sonnet-4-6',
  max_tokens: 100,
  messages: [{ role: 'user' as const, content: text }],
});
const requests = (count: number, prefix = 'r') =>
  Array.from({ length: count }, (_, index) => ({
    custom_id: `${prefix}${index}`,
    params: params(`item ${index}`),
  }));

async function errorOf(work: Promise<unknown>): Promise<InstanceType<typeof Anthropic.APIError>> {
  try {
    await work;
  } catch (error) {
    if (error instanceof Anthropic.APIError) return error;
    throw error;
  }
  throw new Error('expected an API error');
}

describe('the Message Batches endpoints, through the real SDK', () => {
  it('create, retrieve and results: processing on the clock, results in the API shape', async () => {
    const clock = createManualClock(Date.UTC(2026, 10, 1));
    const { client } = await startWithClient({ clock, batches: { requestsPerSecond: 2 } });
    const batch = await client.messages.batches.create({ requests: requests(4) });
    expect(batch).toMatchObject({
      type: 'message_batch',
      processing_status: 'in_progress',
      request_counts: { processing: 4, succeeded: 0, errored: 0, canceled: 0, expired: 0 },
      created_at: '2026-11-01T00:00:00.000Z',
      expires_at: '2026-11-02T00:00:00.000Z',
      ended_at: null,
      archived_at: null,
      cancel_initiated_at: null,
      results_url: null,
    });
    expect(batch.id).toMatch(/^msgbatch_01[A-Za-z0-9]{22}$/);
    clock.tick(1_000);
    expect((await client.messages.batches.retrieve(batch.id)).request_counts).toMatchObject({
      processing: 2,
      succeeded: 2,
    });
    await expect(client.messages.batches.results(batch.id)).rejects.toThrow(/results_url/);
    clock.tick(1_000);
    const ended = await client.messages.batches.retrieve(batch.id);
    expect(ended).toMatchObject({ processing_status: 'ended', ended_at: '2026-11-01T00:00:02.000Z' });
    expect(ended.results_url).toMatch(new RegExp(`/v1/messages/batches/${batch.id}/results$`));
    const lines = [];
    for await (const line of await client.messages.batches.results(batch.id)) lines.push(line);
    expect(lines.map((line) => line.custom_id)).toEqual(['r0', 'r1', 'r2', 'r3']);
    for (const line of lines) {
      expect(line.result.type).toBe('succeeded');
      if (line.result.type === 'succeeded') expect(line.result.message.usage.service_tier).toBe('batch');
    }
  });

  it('gives each succeeded result the message the synchronous endpoint answers', async () => {
    const clock = createManualClock(Date.UTC(2026, 10, 1));
    const { server, client } = await startWithClient({ clock });
    const batch = await client.messages.batches.create({ requests: requests(3) });
    clock.tick(1_000);
    for await (const line of await client.messages.batches.results(batch.id)) {
      const index = Number(line.custom_id.slice(1));
      const synchronous = await client.messages.create(params(`item ${index}`));
      if (line.result.type !== 'succeeded') throw new Error('expected succeeded');
      expect(line.result.message.content).toEqual(synchronous.content);
      expect(line.result.message.usage.output_tokens).toBe(synchronous.usage.output_tokens);
      expect(server.expectedText(params(`item ${index}`))).toBe(
        line.result.message.content.map((block) => (block.type === 'text' ? block.text : '')).join(''),
      );
    }
  });

  it('refuses what the API refuses: duplicate custom_ids, too many requests, too many bytes', async () => {
    const { client } = await startWithClient({ batches: { maxRequestsPerBatch: 3, maxBatchBytes: 2_000 } });
    const duplicate = await errorOf(
      client.messages.batches.create({ requests: [...requests(1), ...requests(1)] }),
    );
    expect(duplicate.status).toBe(400);
    expect(duplicate.message).toContain('Duplicate custom_id');
    const tooMany = await errorOf(client.messages.batches.create({ requests: requests(4) }));
    expect(tooMany).toMatchObject({ status: 400, type: 'invalid_request_error' });
    const big = [{ custom_id: 'big', params: params('x'.repeat(3_000)) }];
    const tooLarge = await errorOf(client.messages.batches.create({ requests: big }));
    expect(tooLarge).toMatchObject({ status: 413, type: 'request_too_large' });
  });

  it('answers 429 with retry-after while the processing queue is full', async () => {
    const clock = createManualClock(Date.UTC(2026, 10, 1));
    const { client } = await startWithClient({ clock, batches: { queueLimit: 5, requestsPerSecond: 1 } });
    await client.messages.batches.create({ requests: requests(4, 'a') });
    const full = await errorOf(client.messages.batches.create({ requests: requests(3, 'b') }));
    expect(full).toMatchObject({ status: 429, type: 'rate_limit_error' });
    expect(full.headers?.get('retry-after')).toBe('2');
    clock.tick(2_000);
    await client.messages.batches.create({ requests: requests(3, 'b') });
  });

  it('cancels: canceling, then ended with the unprocessed requests canceled', async () => {
    const clock = createManualClock(Date.UTC(2026, 10, 1));
    const { client } = await startWithClient({
      clock,
      batches: { requestsPerSecond: 1, cancelDelayMs: 500 },
    });
    const batch = await client.messages.batches.create({ requests: requests(5) });
    clock.tick(2_000);
    const canceling = await client.messages.batches.cancel(batch.id);
    expect(canceling).toMatchObject({
      processing_status: 'canceling',
      cancel_initiated_at: '2026-11-01T00:00:02.000Z',
    });
    clock.tick(500);
    const ended = await client.messages.batches.retrieve(batch.id);
    expect(ended.request_counts).toEqual({
      processing: 0,
      succeeded: 2,
      errored: 0,
      canceled: 3,
      expired: 0,
    });
    const types = [];
    for await (const line of await client.messages.batches.results(batch.id)) types.push(line.result.type);
    expect(types).toEqual(['succeeded', 'succeeded', 'canceled', 'canceled', 'canceled']);
  });

  it('applies per-request faults: errored with a type, expired, canceled', async () => {
    const clock = createManualClock(Date.UTC(2026, 10, 1));
    const { client } = await startWithClient({
      clock,
      batches: {
        faults: {
          byCustomId: {
            r0: { kind: 'errored', errorType: 'overloaded_error' },
            r1: { kind: 'expired' },
            r2: { kind: 'canceled' },
          },
        },
      },
    });
    const batch = await client.messages.batches.create({ requests: requests(4) });
    clock.tick(1_000);
    const results = [];
    for await (const line of await client.messages.batches.results(batch.id)) results.push(line.result);
    expect(results[0]).toEqual({
      type: 'errored',
      error: { type: 'error', error: { type: 'overloaded_error', message: 'Overloaded' }, request_id: null },
    });
    expect(results.slice(1).map((result) => result.type)).toEqual(['expired', 'canceled', 'succeeded']);
  });

  it('breaks the first download of a results file off after dropResultsAfterLines lines', async () => {
    const clock = createManualClock(Date.UTC(2026, 10, 1));
    const { client } = await startWithClient({ clock, batches: { dropResultsAfterLines: 3 } });
    const batch = await client.messages.batches.create({ requests: requests(5) });
    clock.tick(1_000);
    const first: string[] = [];
    const broken = await (async () => {
      try {
        for await (const line of await client.messages.batches.results(batch.id)) first.push(line.custom_id);
      } catch (error) {
        return error;
      }
      return undefined;
    })();
    expect(broken).toBeInstanceOf(Error);
    expect(first).toEqual(['r0', 'r1', 'r2']);
    const second: string[] = [];
    for await (const line of await client.messages.batches.results(batch.id)) second.push(line.custom_id);
    expect(second).toEqual(['r0', 'r1', 'r2', 'r3', 'r4']);
  });

  it('lists newest first, and the SDK pages through every batch', async () => {
    const clock = createManualClock(Date.UTC(2026, 10, 1));
    const { client } = await startWithClient({ clock });
    const ids: string[] = [];
    for (let index = 0; index < 7; index += 1) {
      clock.tick(1_000);
      ids.push((await client.messages.batches.create({ requests: requests(1, `b${index}`) })).id);
    }
    const page = await client.messages.batches.list({ limit: 3 });
    expect(page.data.map((batch) => batch.id)).toEqual(ids.slice(-3).reverse());
    expect(page.has_more).toBe(true);
    const all: string[] = [];
    for await (const batch of client.messages.batches.list({ limit: 3 })) all.push(batch.id);
    expect(all).toEqual([...ids].reverse());
    const newer = await client.messages.batches.list({ limit: 2, before_id: ids[2]! });
    expect(newer.data.map((batch) => batch.id)).toEqual([ids[4], ids[3]]);
  });

  it('deletes an ended batch and then answers 404 for it', async () => {
    const clock = createManualClock(Date.UTC(2026, 10, 1));
    const { client } = await startWithClient({ clock });
    const batch = await client.messages.batches.create({ requests: requests(2) });
    expect((await errorOf(client.messages.batches.delete(batch.id))).status).toBe(400);
    clock.tick(1_000);
    expect(await client.messages.batches.delete(batch.id)).toEqual({
      id: batch.id,
      type: 'message_batch_deleted',
    });
    expect((await errorOf(client.messages.batches.retrieve(batch.id))).status).toBe(404);
  });
});
