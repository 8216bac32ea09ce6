import type Anthropic from '@anthropic-ai/sdk';
import { AbortedError, type Bus, type CheckpointStore, type Clock } from '@bulwark/core';
import { invalidArgument } from '@bulwark/core/internal';
import { type BatchJob, type BatchJobSummary, summarizeJob } from '../batch-job.js';
import type { BatchResult } from '../batch-request.js';
import type { BatchUsageLedger } from '../batch-usage.js';
import type { BatchJobState } from '../job-state.js';
import type { JobContext } from './job-context.js';
import { readJobInput } from './job-input.js';
import { type PollSettings, runJobLoop } from './job-loop.js';
import { JobStore, newJobState } from './job-store.js';
import type { BatchLimits } from './split.js';

/** What a runner lends each of its jobs. */
export interface RunnerParts {
  client: Anthropic;
  bus: Bus;
  clock: Clock;
  store: CheckpointStore;
  ledger: BatchUsageLedger;
  polling: PollSettings;
  maxApiRetries: number;
  /** Job ids being iterated in this runner, so one job is never run twice at once. */
  activeJobs: Set<string>;
}

/** One run's settings, from `run`'s options. */
export interface RunSettings {
  jobId: string;
  limits: BatchLimits;
  retryErrored: number;
  checkpointEveryResults: number;
  signal: AbortSignal | undefined;
}

/** A `BatchJob`: reads and checks the input, loads or creates the state, runs the loop. */
export class JobRun implements BatchJob {
  readonly jobId: string;
  readonly #parts: RunnerParts;
  readonly #settings: RunSettings;
  readonly #requests: Iterable<unknown> | AsyncIterable<unknown>;
  readonly #summary: Promise<BatchJobSummary>;
  #settle!: { resolve(summary: BatchJobSummary): void; reject(error: unknown): void };
  #started = false;

  constructor(
    parts: RunnerParts,
    requests: Iterable<unknown> | AsyncIterable<unknown>,
    settings: RunSettings,
  ) {
    this.#parts = parts;
    this.#requests = requests;
    this.#settings = settings;
    this.jobId = settings.jobId;
    this.#summary = new Promise((resolve, reject) => {
      this.#settle = { resolve, reject };
    });
    // Marks the promise handled: an error reaches the iterating caller, who need not ask for the summary.
    this.#summary.catch(() => undefined);
  }

  summary(): Promise<BatchJobSummary> {
    return this.#summary;
  }

  [Symbol.asyncIterator](): AsyncIterator<BatchResult> {
    if (this.#started)
      throw invalidArgument('job', 'a job not iterated yet (a BatchJob is iterated once)', this.jobId);
    this.#started = true;
    return this.#iterate();
  }

  async *#iterate(): AsyncGenerator<BatchResult> {
    const { activeJobs } = this.#parts;
    if (activeJobs.has(this.jobId)) {
      const error = invalidArgument(
        'options.jobId',
        'a job id not already running in this runner',
        this.jobId,
      );
      this.#settle.reject(error);
      throw error;
    }
    activeJobs.add(this.jobId);
    let state: BatchJobState | undefined;
    let store: JobStore | undefined;
    let settled = false;
    try {
      const job = await this.#open();
      state = job.state;
      store = job.store;
      if (!state.finished) {
        yield* runJobLoop(job, this.#parts.polling, this.#settings.signal);
        state.finished = true;
        await store.save(state);
      }
      const summary = summarizeJob(state);
      this.#emitEnd(summary);
      settled = true;
      this.#settle.resolve(summary);
    } catch (error) {
      settled = true;
      this.#settle.reject(error);
      throw error;
    } finally {
      activeJobs.delete(this.jobId);
      if (!settled) await this.#stopEarly(state, store);
    }
  }

  /** Reads the input, then loads the job's state or starts a new one. */
  async #open(): Promise<JobContext> {
    const { client, bus, clock, store, ledger, maxApiRetries } = this.#parts;
    const { jobId, limits, retryErrored, checkpointEveryResults, signal } = this.#settings;
    const input = await readJobInput(this.#requests as AsyncIterable<never>, limits);
    const jobStore = new JobStore(store, jobId);
    const loaded = await jobStore.load(input);
    const state = loaded ?? newJobState(jobId, input, clock.now());
    if (!loaded) await jobStore.save(state);
    const { succeeded, errored, canceled, expired } = state.totals.results;
    bus.emit('batch:job_start', {
      jobId,
      requests: state.requests,
      resumed: loaded !== undefined,
      finished: succeeded + errored + canceled + expired,
      batches: state.batches.length,
    });
    return {
      client,
      input,
      store: jobStore,
      state,
      api: { jobId, bus, clock, random: Math.random, maxApiRetries },
      limits,
      retryErrored,
      checkpointEveryResults,
      ledger,
      signal: () => (state.canceled ? undefined : signal),
    };
  }

  #emitEnd(summary: BatchJobSummary): void {
    this.#parts.bus.emit('batch:job_end', {
      jobId: summary.jobId,
      requests: summary.requests,
      results: summary.results,
      unsubmitted: summary.unsubmitted,
      batches: summary.batchIds.length,
      usage: summary.usage,
      costUsd: summary.costUsd,
      canceled: summary.canceled,
    });
  }

  /** The caller stopped iterating: saves how far the results were read, and says so to `summary()`. */
  async #stopEarly(state: BatchJobState | undefined, store: JobStore | undefined): Promise<void> {
    this.#settle.reject(
      new AbortedError({
        message: `The results of batch job \`${this.jobId}\` were not read to the end; run it again to pick it up`,
        ...(state ? { partial: summarizeJob(state) } : {}),
      }),
    );
    // A failure here reaches the caller's loop: the last checkpoint stays valid, but a later run re-delivers more.
    if (state && store) await store.save(state);
  }
}
