import Anthropic from '@anthropic-ai/sdk';
import { InvalidArgumentError } from '@bulwark/core';
import { describe, expect, it } from 'vitest';
import { createBatchRunner } from './batch-runner.js';

// No call reaches this address: every case below is refused before anything is sent.
const client = new Anthropic({ apiKey: 'test-key', baseURL: 'http://127.0.0.1:9', maxRetries: 0 });

/** The option an `InvalidArgumentError` thrown by `run` names, or what else happened. */
function refusedArgument(run: () => unknown): string {
  try {
    run();
    return 'nothing was refused';
  } catch (error) {
    return InvalidArgumentError.isInstance(error) ? error.argument : `another error: ${String(error)}`;
  }
}

describe('createBatchRunner options', () => {
  it('refuses an unknown option by name', () => {
    expect(refusedArgument(() => createBatchRunner({ client, pollInterval: 5 } as never))).toBe(
      'options.pollInterval',
    );
  });

  it('refuses a client without the batch endpoints', () => {
    expect(refusedArgument(() => createBatchRunner({ client: {} as never }))).toBe('options.client');
  });

  it('refuses a maximum poll interval below the first', () => {
    const argument = refusedArgument(() =>
      createBatchRunner({ client, pollIntervalMs: 5_000, maxPollIntervalMs: 1_000 }),
    );
    expect(argument).toBe('options.maxPollIntervalMs');
  });
});

describe('runner.run options', () => {
  const runner = createBatchRunner({ client });

  it('needs a jobId', () => {
    expect(refusedArgument(() => runner.run([], {} as never))).toBe('options.jobId');
  });

  it('keeps batches within the API limits', () => {
    expect(refusedArgument(() => runner.run([], { jobId: 'a', maxBatchRequests: 100_001 }))).toBe(
      'options.maxBatchRequests',
    );
    expect(refusedArgument(() => runner.run([], { jobId: 'a', maxBatchBytes: 300 * 1024 * 1024 }))).toBe(
      'options.maxBatchBytes',
    );
    expect(refusedArgument(() => runner.run([], { jobId: 'a', retryErrored: -1 }))).toBe(
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
