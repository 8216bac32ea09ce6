import Anthropic from '@anthropic-ai/sdk';
import { InvalidArgumentError } from '@bulwark/core';
import { describe, expect, it } from 'vitest';
import { createBatchRunner } from './batch-runner.js';

// No call reaches this address: every case below is refused before anything is sent.
const client = new Anthropic({ apiKey: 'test-key', baseURL: 'http://127.0.0.1:9', maxRetries: 0 });

function refusal(run: () => unknown): InvalidArgumentError {
  try {
    run();
  } catch (error) {
    if (InvalidArgumentError.isInstance(error)) return error;
    throw error;
  }
  throw new Error('expected an InvalidArgumentError');
}

describe('createBatchRunner options', () => {
  it('refuses an unknown option by name', () => {
    expect(refusal(() => createBatchRunner({ client, pollInterval: 5 } as never)).argument).toBe(
      'options.pollInterval',
    );
  });

  it('refuses a client without the batch endpoints', () => {
    expect(refusal(() => createBatchRunner({ client: {} as never })).argument).toBe('options.client');
  });

  it('refuses a maximum poll interval below the first', () => {
    const error = refusal(() =>
      createBatchRunner({ client, pollIntervalMs: 5_000, maxPollIntervalMs: 1_000 }),
    );
    expect(error.argument).toBe('options.maxPollIntervalMs');
  });
});

describe('runner.run options', () => {
  const runner = createBatchRunner({ client });

  it('needs a jobId', () => {
    expect(refusal(() => runner.run([], {} as never)).argument).toBe('options.jobId');
  });

  it('keeps batches within the API limits', () => {
    expect(refusal(() => runner.run([], { jobId: 'a', maxBatchRequests: 100_001 })).argument).toBe(
      'options.maxBatchRequests',
    );
    expect(refusal(() => runner.run([], { jobId: 'a', maxBatchBytes: 300 * 1024 * 1024 })).argument).toBe(
      'options.maxBatchBytes',
    );
    expect(refusal(() => runner.run([], { jobId: 'a', retryErrored: -1 })).argument).toBe(
      'options.retryErrored',
    );
  });

  it('finishes an empty job at once, without a call', async () => {
    const job = runner.run([], { jobId: 'empty' });
    const results = [];
    for await (const result of job) results.push(result);
    expect(results).toEqual([]);
    expect(await job.summary()).toMatchObject({ requests: 0, batchIds: [], canceled: false });
  });

  it('is iterated once', async () => {
    const job = runner.run([], { jobId: 'once' });
    for await (const _ of job) {
      // nothing to read
    }
    expect(() => job[Symbol.asyncIterator]()).toThrow(InvalidArgumentError);
  });
});
