import Anthropic from '@anthropic-ai/sdk';
import { type Bus, createBus, createMemoryCheckpointStore, priceOf, systemClock } from '@bulwark/core';
import { invalidArgument, parseOptions } from '@bulwark/core/internal';
import type { BatchJob } from './batch-job.js';
import type { BatchRequest } from './batch-request.js';
import {
  type BatchRunnerOptions,
  type BatchRunOptions,
  batchRunnerOptions,
  batchRunOptions,
} from './batch-runner-options.js';
import { type BatchUsage, BatchUsageLedger } from './batch-usage.js';
import { JobRun, type RunnerParts } from './internal/job-run.js';

/** Runs jobs of requests through the Message Batches API. */
export interface BatchRunner {
  /**
   * Runs a job: validates every request, splits them into batches within the limits, submits,
   * polls, and yields each result as its batch's results file is read; resubmits what is worth
   * another try; saves its state as it goes, so `run` with the same `jobId` (and the same
   * requests) after a crash picks it up. Throws `InvalidArgumentError` for bad options here, and
   * for bad requests on the first step of the iteration, before anything is sent.
   */
  run(requests: Iterable<BatchRequest> | AsyncIterable<BatchRequest>, options: BatchRunOptions): BatchJob;
  /** Tokens and cost (at batch prices) of the succeeded results this runner has read, per model. */
  usage(): BatchUsage;
  /** Where the runner's events go. */
  readonly bus: Bus;
}

/** Creates a runner of Message Batches jobs over an SDK client, on any runtime. */
export function createBatchRunner(options: BatchRunnerOptions = {}): BatchRunner {
  const settings = parseOptions('options', options, batchRunnerOptions);
  const client =
    settings.client ??
    new Anthropic({
      maxRetries: 0,
      ...(settings.apiKey === undefined ? {} : { apiKey: settings.apiKey }),
      ...(settings.baseURL === undefined ? {} : { baseURL: settings.baseURL }),
    });
  if (settings.maxPollIntervalMs < settings.pollIntervalMs) {
    throw invalidArgument(
      'options.maxPollIntervalMs',
      `a number >= \`options.pollIntervalMs\` (${settings.pollIntervalMs})`,
      settings.maxPollIntervalMs,
    );
  }
  const parts: RunnerParts = {
    client,
    bus: settings.bus ?? createBus(),
    clock: settings.clock ?? systemClock,
    store: settings.store ?? createMemoryCheckpointStore(),
    ledger: new BatchUsageLedger((model) => priceOf(model, settings.prices)),
    polling: { pollIntervalMs: settings.pollIntervalMs, maxPollIntervalMs: settings.maxPollIntervalMs },
    maxApiRetries: settings.maxApiRetries,
    activeJobs: new Set(),
  };
  return {
    run(requests, runOptions) {
      const run = parseOptions('options', runOptions, batchRunOptions);
      if (run.jobId === undefined) throw invalidArgument('options.jobId', 'a non-empty string', undefined);
      return new JobRun(parts, requests, {
        jobId: run.jobId,
        limits: { maxBatchRequests: run.maxBatchRequests, maxBatchBytes: run.maxBatchBytes },
        retryErrored: run.retryErrored,
        checkpointEveryResults: run.checkpointEveryResults,
        signal: run.signal,
      });
    },
    usage: () => parts.ledger.snapshot(),
    bus: parts.bus,
  };
}
