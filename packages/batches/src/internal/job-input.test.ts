import { InvalidArgumentError } from '@bulwark/core';
import { describe, expect, it } from 'vitest';
import type { BatchRequest } from '../batch-request.js';
import { readJobInput } from './job-input.js';

const request = (customId: string, text = 'Hello'): BatchRequest => ({
  custom_id: customId,
  params: { model: 'claude-sonnet-4-6', max_tokens: 16, messages: [{ role: 'user', content: text }] },
});

async function refusal(input: Iterable<unknown> | AsyncIterable<unknown>, maxBatchBytes = 1_000_000) {
  try {
    await readJobInput(input as Iterable<BatchRequest>, { maxBatchBytes });
  } catch (error) {
    if (InvalidArgumentError.isInstance(error)) return error;
    throw error;
  }
  throw new Error('expected a refusal');
}

describe('readJobInput', () => {
  it('reads an async iterable and measures each request in UTF-8 bytes', async () => {
    async function* requests() {
      yield request('a', 'héllo ✓ 😀');
      yield request('b');
    }
    const input = await readJobInput(requests(), { maxBatchBytes: 1_000_000 });
    expect(input.requests.map((item) => item.custom_id)).toEqual(['a', 'b']);
    expect(input.requestBytes[0]).toBe(
      new TextEncoder().encode(JSON.stringify(request('a', 'héllo ✓ 😀'))).length,
    );
    expect(input.indexOf.get('b')).toBe(1);
  });

  it('gives the same fingerprint to the same requests and another to different ones', async () => {
    const first = await readJobInput([request('a'), request('b')], { maxBatchBytes: 1_000_000 });
    const again = await readJobInput([request('a'), request('b')], { maxBatchBytes: 1_000_000 });
    const changed = await readJobInput([request('a'), request('b', 'Bye')], { maxBatchBytes: 1_000_000 });
    expect(again.fingerprint).toBe(first.fingerprint);
    expect(changed.fingerprint).not.toBe(first.fingerprint);
  });

  it('refuses a duplicate custom_id, naming both positions', async () => {
    const error = await refusal([request('a'), request('b'), request('a')]);
    expect(error.argument).toBe('requests[2].custom_id');
    expect(error.message).toContain('first at requests[0]');
  });

  it('refuses a custom_id the API would refuse', async () => {
    expect((await refusal([request('has space')])).argument).toBe('requests[0].custom_id');
    expect((await refusal([request('x'.repeat(65))])).argument).toBe('requests[0].custom_id');
  });

  it('refuses invalid params, streaming and unknown keys, by name', async () => {
    const noMessages = { custom_id: 'a', params: { model: 'm', max_tokens: 5, messages: [] } };
    expect((await refusal([noMessages])).argument).toBe('requests[0].params.messages');
    const streaming = { custom_id: 'a', params: { ...request('a').params, stream: true } };
    expect((await refusal([streaming])).argument).toBe('requests[0].params.stream');
    expect((await refusal([{ ...request('a'), extra: 1 }])).argument).toBe('requests[0].extra');
  });

  it('refuses a request too large for a batch on its own', async () => {
    const error = await refusal([request('a'), request('big', 'x'.repeat(5_000))], 2_000);
    expect(error.argument).toBe('requests[1]');
    expect(error.message).toContain('more than a batch may hold');
  });

  it('refuses something that is not iterable', async () => {
    expect((await refusal(42 as never)).argument).toBe('requests');
  });
});
