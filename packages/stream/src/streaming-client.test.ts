import { InvalidArgumentError } from '@bulwark/core';
import { describe, expect, it } from 'vitest';
import { createStreamingClient } from './streaming-client.js';

// Nothing listens on port 9 of loopback: a request that got out would fail with a connection
// error, not with InvalidArgumentError.
const client = () => createStreamingClient({ apiKey: 'test-key', baseURL: 'http://127.0.0.1:9' });
const valid = {
  model: 'claude-sonnet-4-6',
  max_tokens: 100,
  messages: [{ role: 'user' as const, content: 'Hi' }],
};

async function refusal(promise: Promise<unknown>): Promise<InvalidArgumentError> {
  const error = await promise.then(
    () => undefined,
    (reason: unknown) => reason,
  );
  expect(InvalidArgumentError.isInstance(error)).toBe(true);
  return error as InvalidArgumentError;
}

describe('createStreamingClient input checks', () => {
  it('refuses an unknown client option', () => {
    expect(() => createStreamingClient({ maxRetry: 3 } as never)).toThrow(
      /Unknown option `options.maxRetry`/,
    );
  });

  it('refuses an unknown retry option by its full name', () => {
    expect(() => createStreamingClient({ retry: { maxRetry: 3 } } as never)).toThrow(
      /Unknown option `options.retry.maxRetry`/,
    );
  });

  it('refuses the retry options at the top level, where they no longer are', () => {
    expect(() => createStreamingClient({ maxRetries: 3 } as never)).toThrow(
      /Unknown option `options.maxRetries`/,
    );
  });

  it('refuses a bad retry value, naming it', () => {
    expect(() => createStreamingClient({ retry: { maxRetryAfterMs: -1 } })).toThrow(
      /`options.retry.maxRetryAfterMs`/,
    );
  });

  it('refuses an admission gate without its methods', () => {
    expect(() => createStreamingClient({ admission: {} as never })).toThrow(/`options.admission`/);
  });

  it('refuses a negative stall timeout', () => {
    expect(() => createStreamingClient({ stallTimeoutMs: -1 })).toThrow(InvalidArgumentError);
  });

  it('refuses a request without a model', async () => {
    const { model: _model, ...params } = valid;
    expect((await refusal(client().createMessage(params as never))).argument).toBe('params.model');
  });

  it('refuses a request without messages', async () => {
    expect((await refusal(client().createMessage({ ...valid, messages: [] }))).argument).toBe(
      'params.messages',
    );
  });

  it('refuses max_tokens below 1', async () => {
    expect((await refusal(client().createMessage({ ...valid, max_tokens: 0 }))).argument).toBe(
      'params.max_tokens',
    );
  });

  it('refuses a thinking budget at or above max_tokens', async () => {
    const params = {
      ...valid,
      max_tokens: 2000,
      thinking: { type: 'enabled' as const, budget_tokens: 2000 },
    };
    expect((await refusal(client().createMessage(params))).argument).toBe('params.thinking.budget_tokens');
  });

  it('refuses a header that is not a string', async () => {
    const headers = { 'x-trace': 1 } as never;
    expect((await refusal(client().createMessage(valid, { headers }))).argument).toBe(
      'options.headers.x-trace',
    );
  });

  it('refuses a checkpoint key on resumeFromCheckpoint, which takes the key as its argument', async () => {
    const options = { checkpointKey: 'other' } as never;
    expect((await refusal(client().resumeFromCheckpoint('key', options))).argument).toBe(
      'options.checkpointKey',
    );
  });

  it('refuses an unknown call option', async () => {
    expect((await refusal(client().createMessage(valid, { onTxt: () => {} } as never))).argument).toBe(
      'options.onTxt',
    );
  });

  it('refuses getCompletion without maxTokens', async () => {
    expect((await refusal(client().getCompletion('Hi', {} as never))).argument).toBe('options.maxTokens');
  });

  it('refuses resumeFromCheckpoint without a checkpoint store', async () => {
    expect((await refusal(client().resumeFromCheckpoint('key'))).argument).toBe('options.checkpoints');
  });
});
