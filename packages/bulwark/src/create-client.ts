import type Anthropic from '@anthropic-ai/sdk';
import {
  AbortedError,
  attachLogger,
  BulwarkError,
  type Bus,
  type Clock,
  createBus,
  type Logger,
  type LogLevel,
  type RequestTokenEstimate,
  systemClock,
} from '@bulwark/core';
import { expectKnownKeys, expectObject, expectString } from '@bulwark/core/internal';
import {
  type Chunk,
  type ChunkFileOptions,
  createFileCheckpointStore,
  openSafeRoot,
  type SafeRoot,
} from '@bulwark/files';
import {
  type Budgets,
  createRateLimiter,
  type PriceTable,
  type RateLimiter,
  type RateLimitStore,
  type RateLimits,
} from '@bulwark/ratelimit';
import {
  type CreateMessageOptions,
  createStreamingClient,
  type GetCompletionOptions,
  type ResumeFromCheckpointOptions,
  type StreamingClient,
} from '@bulwark/stream';
import { type BulwarkTokenEstimator, createTokenEstimator, type EncodingName } from '@bulwark/tokens';
import { priceOf } from './default-prices.js';
import { createUsageTracker, type ModelUsageTotals } from './usage-tracker.js';

/** Retry settings of the streaming client (see `@bulwark/stream`). */
export interface RetryOptions {
  /** Retries and resumes after the first attempt. @default 8 */
  maxRetries?: number;
  /** The first backoff step; each next one doubles, with full jitter. @default 500 */
  initialRetryDelayMs?: number;
  /** The cap on any single wait. @default 60000 */
  maxRetryDelayMs?: number;
  /** The cap on all waits of one request together. @default 300000 */
  maxTotalRetryDelayMs?: number;
}

export interface BulwarkClientOptions {
  /** The API key. @default the SDK's default: `process.env.ANTHROPIC_API_KEY` */
  apiKey?: string;
  /** The API's base URL (a `@bulwark/testing` server's `url` to run offline). @default the SDK's default */
  baseURL?: string;
  /** An SDK client of your own; `apiKey` and `baseURL` are then ignored. */
  anthropic?: Anthropic;
  /** Limits for every model class; any left out are learnt from the API's headers. @default learnt */
  limits?: RateLimits;
  /** Per-class overrides, keyed by model class such as `claude-sonnet-4`. @default {} */
  limitsByModelClass?: Record<string, RateLimits>;
  /** Where rate-limit state lives (a Redis store to share limits across processes). @default in memory */
  store?: RateLimitStore;
  /** Token and cost caps per hour, day or month. @default none */
  budgets?: Budgets;
  /**
   * Prices by model id or class, for `usage()` costs and cost budgets. `usage()` falls back to
   * `defaultPriceOf`; cost budgets need a price here for every model they cover. @default {}
   */
  prices?: PriceTable;
  /** Retry settings. @default see `RetryOptions` */
  retry?: RetryOptions;
  /** A stream silent this long is aborted and resumed; `Infinity` turns it off. @default 60000 */
  stallTimeoutMs?: number;
  /** Requests whose `max_tokens` or thinking budget exceeds this stream. @default 4096 */
  streamingThresholdTokens?: number;
  /** How often `stream:progress` is emitted; `Infinity` turns it off. @default 1000 */
  progressIntervalMs?: number;
  /** Save partial responses here, so `resumeFromCheckpoint` survives a crash. @default none */
  checkpointDir?: string;
  /** The directory `chunkFile` paths resolve inside of. @default process.cwd() */
  fileRoot?: string;
  /** The encoding token counts use. @default 'cl100k_base' */
  encoding?: EncodingName;
  /** The model `getCompletion` uses when none is given. @default 'claude-sonnet-4-6' */
  defaultModel?: string;
  /** Logs every event, secrets redacted. @default none */
  logger?: Logger;
  /** The lowest level logged. @default 'info' */
  logLevel?: LogLevel;
  /** The bus to wire everything onto. @default a new bus */
  bus?: Bus;
  /** Time and timers. @default systemClock */
  clock?: Clock;
}

/** Totals per model: what `usage()` returns. */
export type ClientUsage = Record<string, ModelUsageTotals>;

/** The client `createClient` returns: every component on one bus. */
export interface BulwarkClient {
  /** One prompt in, the answer's text out, however many retries and resumes it took. */
  getCompletion(prompt: string, options: GetCompletionOptions): Promise<string>;
  /** A Messages API request; streams when big, retries, resumes, reports progress. */
  createMessage(
    params: Anthropic.MessageCreateParams,
    options?: CreateMessageOptions,
  ): Promise<Anthropic.Message>;
  /** Finishes a request whose process died, from its checkpoint (needs `checkpointDir`). */
  resumeFromCheckpoint(key: string, options?: ResumeFromCheckpointOptions): Promise<Anthropic.Message>;
  /** Exact tokens of `text` under the estimator's encoding. */
  countTokens(text: string): Promise<number>;
  /** Input tokens of a whole request: raw, calibrated to Claude, and by part. */
  estimateRequest(params: Anthropic.MessageCreateParams): Promise<RequestTokenEstimate>;
  /** A file's chunks within `maxTokens` each, read in bounded memory, inside `fileRoot`. */
  chunkFile(path: string, options: ChunkFileOptions): AsyncGenerator<Chunk>;
  /** Requests, tokens, cost, retries, resumes and 429s per model since the client was created. */
  usage(): ClientUsage;
  readonly bus: Bus;
  readonly limiter: RateLimiter;
  readonly estimator: BulwarkTokenEstimator;
  readonly streaming: StreamingClient;
  /**
   * Stops the client: new calls are refused, in-flight ones finish (or are aborted with
   * `abortInFlight`, keeping their partial output in the checkpoint store), timers stop and
   * listeners detach.
   */
  close(options?: { abortInFlight?: boolean }): Promise<void>;
}

const optionNames = [
  'apiKey',
  'baseURL',
  'anthropic',
  'limits',
  'limitsByModelClass',
  'store',
  'budgets',
  'prices',
  'retry',
  'stallTimeoutMs',
  'streamingThresholdTokens',
  'progressIntervalMs',
  'checkpointDir',
  'fileRoot',
  'encoding',
  'defaultModel',
  'logger',
  'logLevel',
  'bus',
  'clock',
] as const;

const closedMarker = 'bulwark.error.client_closed';
const closedSymbol = Symbol.for(closedMarker);

/** A call was made on a client after `close()`. */
export class ClientClosedError extends BulwarkError {
  readonly [closedSymbol] = true;
  constructor() {
    super({ message: 'The Bulwark client is closed', code: 'client_closed' });
    this.name = 'ClientClosedError';
  }
  static override isInstance(error: unknown): error is ClientClosedError {
    return BulwarkError.hasMarker(error, closedMarker);
  }
}

/**
 * Wires Bulwark together on one bus: the token estimator (calibrating itself from usage), the
 * rate limiter (reserving before each attempt, reconciling from usage, following headers),
 * the streaming client (streaming big requests, owning retries, resuming broken streams),
 * file checkpoints when `checkpointDir` is given, and a redacting logger when `logger` is.
 */
export function createClient(options: BulwarkClientOptions = {}): BulwarkClient {
  expectObject('options', options);
  expectKnownKeys('options', options, optionNames);
  const {
    apiKey,
    baseURL,
    anthropic,
    limits,
    limitsByModelClass,
    store,
    budgets,
    prices,
    retry = {},
    stallTimeoutMs,
    streamingThresholdTokens,
    progressIntervalMs,
    checkpointDir,
    fileRoot,
    encoding,
    defaultModel,
    logger,
    logLevel = 'info',
    bus = createBus(),
    clock = systemClock,
  } = options;
  if (checkpointDir !== undefined) expectString('checkpointDir', checkpointDir);
  if (fileRoot !== undefined) expectString('fileRoot', fileRoot);
  expectObject('retry', retry);
  expectKnownKeys('retry', retry, [
    'maxRetries',
    'initialRetryDelayMs',
    'maxRetryDelayMs',
    'maxTotalRetryDelayMs',
  ]);

  // Each part checks its own options; if a later part refuses them, undo what earlier parts
  // attached to the bus (which may be the caller's), so a refused call leaves nothing behind.
  const detachLogger = logger ? attachLogger(bus, logger, { level: logLevel }) : undefined;
  let estimator: BulwarkTokenEstimator | undefined;
  let limiter: RateLimiter | undefined;
  let streaming: StreamingClient;
  try {
    estimator = createTokenEstimator(encoding ? { encoding } : {});
    limiter = createRateLimiter({
      bus,
      clock,
      ...(limits ? { limits } : {}),
      ...(limitsByModelClass ? { limitsByModelClass } : {}),
      ...(store ? { store } : {}),
      ...(budgets ? { budgets } : {}),
      ...(prices ? { prices } : {}),
    });
    const checkpoints = checkpointDir ? createFileCheckpointStore({ directory: checkpointDir }) : undefined;
    streaming = createStreamingClient({
      bus,
      clock,
      estimator,
      admission: limiter,
      ...(anthropic ? { client: anthropic } : {}),
      ...(!anthropic && apiKey !== undefined ? { apiKey } : {}),
      ...(!anthropic && baseURL !== undefined ? { baseURL } : {}),
      ...(checkpoints ? { checkpoints } : {}),
      ...(stallTimeoutMs !== undefined ? { stallTimeoutMs } : {}),
      ...(streamingThresholdTokens !== undefined ? { streamingThresholdTokens } : {}),
      ...(progressIntervalMs !== undefined ? { progressIntervalMs } : {}),
      ...(defaultModel !== undefined ? { defaultModel } : {}),
      ...retry,
    });
  } catch (error) {
    limiter?.close();
    detachLogger?.();
    throw error;
  }
  const tracker = createUsageTracker(bus, { pricesOf: (model) => priceOf(model, prices) });

  let closed = false;
  /** Calls under way: the controller `close({ abortInFlight })` aborts, and the call settled quietly. */
  const inFlight = new Map<AbortController, Promise<unknown>>();
  let safeRoot: Promise<SafeRoot> | undefined;

  /** Runs `task` with a signal that follows the caller's and that `close` can abort, while tracking it. */
  const track = <T>(
    signal: AbortSignal | undefined,
    task: (signal: AbortSignal) => Promise<T>,
  ): Promise<T> => {
    if (closed) return Promise.reject(new ClientClosedError());
    const controller = new AbortController();
    const onAbort = () => controller.abort(signal?.reason);
    if (signal?.aborted) controller.abort(signal.reason);
    else signal?.addEventListener('abort', onAbort, { once: true });
    const call = task(controller.signal).finally(() => {
      signal?.removeEventListener('abort', onAbort);
      inFlight.delete(controller);
    });
    inFlight.set(
      controller,
      call.catch(() => undefined),
    );
    return call;
  };

  return {
    bus,
    limiter,
    estimator,
    streaming,
    getCompletion: (prompt, completionOptions) =>
      track(completionOptions?.signal, (signal) =>
        streaming.getCompletion(prompt, { ...completionOptions, signal }),
      ),
    createMessage: (params, messageOptions = {}) =>
      track(messageOptions.signal, (signal) =>
        streaming.createMessage(params, { ...messageOptions, signal }),
      ),
    resumeFromCheckpoint: (key, resumeOptions = {}) =>
      track(resumeOptions.signal, (signal) =>
        streaming.resumeFromCheckpoint(key, { ...resumeOptions, signal }),
      ),
    countTokens: (text) => estimator.countTokens(text),
    estimateRequest: (params) => estimator.estimateRequest(params),
    async *chunkFile(path, chunkOptions) {
      if (closed) throw new ClientClosedError();
      safeRoot ??= openSafeRoot(fileRoot ?? process.cwd(), { estimator, bus });
      yield* (await safeRoot).chunkFile(path, chunkOptions);
    },
    usage: () => tracker.snapshot(),
    async close({ abortInFlight = false } = {}) {
      if (closed) return;
      closed = true;
      if (abortInFlight) {
        for (const controller of inFlight.keys()) {
          controller.abort(new AbortedError({ message: 'The client was closed' }));
        }
      }
      await Promise.all(inFlight.values());
      limiter.close();
      tracker.stop();
      detachLogger?.();
    },
  };
}
