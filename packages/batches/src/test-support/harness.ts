import Anthropic from '@anthropic-ai/sdk';
import {
  type BulwarkEventName,
  type BulwarkEvents,
  type Bus,
  bulwarkEventNames,
  createBus,
  createManualClock,
  type ManualClock,
} from '@bulwark/core';
import { type MockServer, type MockServerOptions, startMockServer } from '@bulwark/testing';
import type { BatchJob, BatchJobSummary } from '../batch-job.js';
import type { BatchResult } from '../batch-request.js';
import { type BatchRunner, createBatchRunner } from '../batch-runner.js';
import type { BatchRunnerOptions } from '../batch-runner-options.js';

export { requestFor, requestsFor } from './requests.js';

/** A start time both clocks share, so batch times from the mock compare with the runner's. */
export const startTimeMs = Date.UTC(2026, 10, 2, 9, 0, 0);

export interface BatchHarness {
  server: MockServer;
  clock: ManualClock;
  bus: Bus;
  client: Anthropic;
  /** A runner on the shared manual clock; `options` override the harness's. */
  runner(options?: BatchRunnerOptions): BatchRunner;
  /** Every payload of `name` emitted on the harness's bus so far. */
  events<Name extends BulwarkEventName>(name: Name): BulwarkEvents[Name][];
  /** `POST /v1/messages/batches` requests the server answered 200. */
  batchesCreated(): number;
  close(): Promise<void>;
}

/** A mock server and a runner sharing one manual clock, so batch processing and polling move together. */
export async function startBatchHarness(options: MockServerOptions = {}): Promise<BatchHarness> {
  const clock = createManualClock(startTimeMs);
  const server = await startMockServer({ seed: 3, outputTokens: { min: 3, max: 8 }, clock, ...options });
  const client = new Anthropic({ apiKey: 'test-key', baseURL: server.url, maxRetries: 0 });
  const bus = createBus();
  const recorded = new Map<string, unknown[]>();
  for (const name of bulwarkEventNames.filter((eventName) => eventName.startsWith('batch:'))) {
    recorded.set(name, []);
    bus.on(name, (payload: unknown) => recorded.get(name)?.push(payload));
  }
  return {
    server,
    clock,
    bus,
    client,
    runner: (runnerOptions = {}) =>
      createBatchRunner({
        client,
        bus,
        clock,
        pollIntervalMs: 1_000,
        maxPollIntervalMs: 10_000,
        ...runnerOptions,
      }),
    events: <Name extends BulwarkEventName>(name: Name) =>
      (recorded.get(name) ?? []) as BulwarkEvents[Name][],
    batchesCreated: () =>
      server.requests.filter(
        (entry) => entry.method === 'POST' && entry.path === '/v1/messages/batches' && entry.status === 200,
      ).length,
    close: () => server.close(),
  };
}

/**
 * Settles `work` while moving the manual clock: whenever the runner waits on a timer, the
 * clock jumps to it; while it waits on the network, the event loop turns. Never sleeps.
 */
export async function drive<T>(clock: ManualClock, work: Promise<T>): Promise<T> {
  let settled = false;
  work.then(
    () => {
      settled = true;
    },
    () => {
      settled = true;
    },
  );
  while (!settled) {
    if (clock.pendingTimers > 0) await clock.advanceToNextTimer();
    else await new Promise<void>((resolve) => setImmediate(resolve));
  }
  return work;
}

/** Reads a job to its end: every result, in order, and the summary. */
export async function collect(job: BatchJob): Promise<{ results: BatchResult[]; summary: BatchJobSummary }> {
  const results: BatchResult[] = [];
  for await (const result of job) results.push(result);
  return { results, summary: await job.summary() };
}

/** The error `work` rejects with. */
export async function rejectionOf(work: Promise<unknown>): Promise<unknown> {
  try {
    await work;
  } catch (error) {
    return error;
  }
  throw new Error('expected a rejection');
}
