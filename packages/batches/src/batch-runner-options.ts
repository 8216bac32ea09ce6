import type Anthropic from '@anthropic-ai/sdk';
import type { Bus, CheckpointStore, Clock, ModelPrice, PriceTable } from '@bulwark/core';
import { defineOptions, expectNumber, expectObject, option } from '@bulwark/core/internal';

/** Options of `createBatchRunner`. */
export interface BatchRunnerOptions {
  /** An SDK client of your own. Its retries are turned off per call: the runner owns them. @default a client made from `apiKey` and `baseURL` */
  client?: Anthropic | undefined;
  /** The key of the client the runner makes. @default the SDK's default (`ANTHROPIC_API_KEY`) */
  apiKey?: string | undefined;
  /** The base URL of the client the runner makes (a mock server's `url` in tests). @default the SDK's default */
  baseURL?: string | undefined;
  /** Where `batch:*` events go. @default a new bus */
  bus?: Bus | undefined;
  /** Time and timers, for polling and backoff. @default systemClock */
  clock?: Clock | undefined;
  /**
   * Where each job's state is saved (`@bulwark/files`' disk store, `@bulwark/redis`, ...), so a
   * job survives the process that submitted it. @default a store in memory
   */
  store?: CheckpointStore | undefined;
  /** The wait between polls while batches move. @default 10000 @unit ms */
  pollIntervalMs?: number | undefined;
  /** The longest wait between polls; the wait grows 1.5× per poll that sees no change. @default 60000 @unit ms */
  maxPollIntervalMs?: number | undefined;
  /** Prices by model id or class; models left out use `defaultPriceOf`. Costs are at batch rates (50 %). @default {} */
  prices?: PriceTable | undefined;
  /** Retries of one call to the batch endpoints after a 429, a 5xx or a lost connection. @default 8 */
  maxApiRetries?: number | undefined;
}

function checkPrice(argument: string, value: unknown): ModelPrice {
  const price = expectObject(argument, value);
  expectNumber(`${argument}.inputPerMillionTokens`, price.inputPerMillionTokens, { min: 0 });
  expectNumber(`${argument}.outputPerMillionTokens`, price.outputPerMillionTokens, { min: 0 });
  return price as unknown as ModelPrice;
}

const hasMethods =
  (...names: string[]) =>
  (value: object): boolean =>
    names.every((name) => typeof (value as Record<string, unknown>)[name] === 'function');

export const batchRunnerOptions = defineOptions<BatchRunnerOptions>()({
  client: option.instance<Anthropic>('an Anthropic client', (value) =>
    hasMethods(
      'create',
      'retrieve',
      'list',
      'cancel',
      'results',
    )(((value as { messages?: { batches?: object } }).messages?.batches ?? {}) as object),
  ),
  apiKey: option.string(),
  baseURL: option.string(),
  bus: option.instance<Bus>('a bus from createBus()', hasMethods('on', 'off', 'emit')),
  clock: option.instance<Clock>('a Clock', hasMethods('now', 'setTimeout')),
  store: option.instance<CheckpointStore>('a CheckpointStore', hasMethods('save', 'load', 'delete', 'keys')),
  pollIntervalMs: option.number({ min: 1, default: 10_000 }),
  maxPollIntervalMs: option.number({ min: 1, default: 60_000 }),
  prices: option.record<ModelPrice>(checkPrice),
  maxApiRetries: option.number({ min: 0, integer: true, default: 8 }),
});

/** The API's limits on one batch. */
export const apiBatchLimits = { maxBatchRequests: 100_000, maxBatchBytes: 256 * 1024 * 1024 } as const;

/** Options of `runner.run`. */
export interface BatchRunOptions {
  /** Names the job: its state is saved under `batch-job:<jobId>`, and a later run with the same id picks it up. */
  jobId: string;
  /** Requests per batch; the API allows 100,000. @default 100000 */
  maxBatchRequests?: number | undefined;
  /** Bytes of a batch's request body; the API allows 256 MB. @default 268435456 @unit bytes */
  maxBatchBytes?: number | undefined;
  /** How many times a request that `errored` with a retryable type, or `expired`, goes into a new batch. @default 2 */
  retryErrored?: number | undefined;
  /** Save the job's state after this many results (and at every transition); a crash re-delivers at most this many. @default 1000 */
  checkpointEveryResults?: number | undefined;
  /** Cancels the job: batches in flight are cancelled on the API, and what had finished is still delivered. */
  signal?: AbortSignal | undefined;
}

export const batchRunOptions = defineOptions<BatchRunOptions>()({
  jobId: option.string(),
  maxBatchRequests: option.number({
    min: 1,
    max: apiBatchLimits.maxBatchRequests,
    integer: true,
    default: apiBatchLimits.maxBatchRequests,
  }),
  maxBatchBytes: option.number({
    min: 1024,
    max: apiBatchLimits.maxBatchBytes,
    integer: true,
    default: apiBatchLimits.maxBatchBytes,
  }),
  retryErrored: option.number({ min: 0, integer: true, default: 2 }),
  checkpointEveryResults: option.number({ min: 1, integer: true, default: 1_000 }),
  signal: option.signal(),
});
