import type Anthropic from '@anthropic-ai/sdk';
import {
  attachLogger,
  type Bus,
  type CheckpointStore,
  type Clock,
  createBus,
  type Logger,
  type LogLevel,
  type PriceTable,
  priceOf,
  type RequestTokenEstimate,
  systemClock,
} from '@bulwark/core';
import { expectKnownKeys, expectObject } from '@bulwark/core/internal';
import {
  type Budgets,
  createRateLimiter,
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
import { CallTracker } from './call-tracker.js';
import { ClientTelemetry, checkTelemetryOptions, type TelemetryOptions } from './telemetry.js';
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
  /** Where partial answers are saved, so `resumeFromCheckpoint` survives a crash. @default none */
  checkpoints?: CheckpointStore;
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
  /**
   * OpenTelemetry traces and metrics of every request, through `@bulwark/otel` (install it and
   * `@opentelemetry/api`). Calls wait until it is attached. @default none
   */
  telemetry?: TelemetryOptions;
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
  /** Finishes a request whose process died, from its checkpoint (needs `checkpoints`). */
  resumeFromCheckpoint(key: string, options?: ResumeFromCheckpointOptions): Promise<Anthropic.Message>;
  /** Exact tokens of `text` under the estimator's encoding. */
  countTokens(text: string): Promise<number>;
  /** Input tokens of a whole request: raw, calibrated to Claude, and by part. */
  estimateRequest(params: Anthropic.MessageCreateParams): Promise<RequestTokenEstimate>;
  /** Requests, tokens, cost, retries, resumes and 429s per model since the client was created. */
  usage(): ClientUsage;
  /** Every event of every part, for observers (loggers, telemetry, dashboards). */
  readonly bus: Bus;
  /** The rate limiter, for its levels, learnt limits and budget totals. */
  readonly limiter: RateLimiter;
  /** The token estimator, for counts and its calibration (`exportCalibration`). */
  readonly estimator: BulwarkTokenEstimator;
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
  'checkpoints',
  'encoding',
  'defaultModel',
  'logger',
  'logLevel',
  'bus',
  'clock',
  'telemetry',
] as const;

interface Parts {
  estimator: BulwarkTokenEstimator;
  limiter: RateLimiter;
  streaming: StreamingClient;
  detachLogger: (() => void) | undefined;
}

/**
 * Builds the parts on one bus. Each part checks its own options; if a later part refuses
 * them, what earlier parts attached to the bus (which may be the caller's) is undone, so a
 * refused call leaves nothing behind.
 */
function createParts(options: BulwarkClientOptions, bus: Bus, clock: Clock): Parts {
  const { logger, logLevel = 'info', encoding, anthropic, apiKey, baseURL, retry = {} } = options;
  const detachLogger = logger ? attachLogger(bus, logger, { level: logLevel }) : undefined;
  let limiter: RateLimiter | undefined;
  try {
    const estimator = createTokenEstimator(encoding ? { encoding } : {});
    limiter = createRateLimiter({
      bus,
      clock,
      ...(options.limits ? { limits: options.limits } : {}),
      ...(options.limitsByModelClass ? { limitsByModelClass: options.limitsByModelClass } : {}),
      ...(options.store ? { store: options.store } : {}),
      ...(options.budgets ? { budgets: options.budgets } : {}),
      ...(options.prices ? { prices: options.prices } : {}),
    });
    const streaming = createStreamingClient({
      bus,
      clock,
      estimator,
      admission: limiter,
      ...(anthropic ? { client: anthropic } : {}),
      ...(!anthropic && apiKey !== undefined ? { apiKey } : {}),
      ...(!anthropic && baseURL !== undefined ? { baseURL } : {}),
      ...(options.checkpoints ? { checkpoints: options.checkpoints } : {}),
      ...(options.stallTimeoutMs !== undefined ? { stallTimeoutMs: options.stallTimeoutMs } : {}),
      ...(options.streamingThresholdTokens !== undefined
        ? { streamingThresholdTokens: options.streamingThresholdTokens }
        : {}),
      ...(options.progressIntervalMs !== undefined ? { progressIntervalMs: options.progressIntervalMs } : {}),
      ...(options.defaultModel !== undefined ? { defaultModel: options.defaultModel } : {}),
      ...retry,
    });
    return { estimator, limiter, streaming, detachLogger };
  } catch (error) {
    limiter?.close();
    detachLogger?.();
    throw error;
  }
}

/**
 * Wires Bulwark together on one bus: the token estimator (calibrated by the streaming client
 * from each response's usage), the rate limiter (reserving before each attempt, reconciled by
 * the streaming client, following headers), the streaming client (streaming big requests,
 * owning retries, resuming broken streams), checkpoints when a store is given, and a
 * redacting logger when `logger` is. Runs on any runtime the SDK runs on; file features are
 * in `bulwark/node`.
 */
export function createClient(options: BulwarkClientOptions = {}): BulwarkClient {
  expectObject('options', options);
  expectKnownKeys('options', options, optionNames);
  expectObject('retry', options.retry ?? {});
  if (options.telemetry !== undefined) checkTelemetryOptions(options.telemetry);
  const bus = options.bus ?? createBus();
  const clock = options.clock ?? systemClock;
  const { estimator, limiter, streaming, detachLogger } = createParts(options, bus, clock);
  const pricesOf = (model: string) => priceOf(model, options.prices);
  const tracker = createUsageTracker(bus, { pricesOf });
  const telemetry =
    options.telemetry === undefined
      ? undefined
      : new ClientTelemetry(bus, options.telemetry, { pricesOf, logger: options.logger });
  const calls = new CallTracker();

  return {
    bus,
    limiter,
    estimator,
    getCompletion: (prompt, completionOptions) =>
      calls.track(completionOptions?.signal, async (signal) => {
        await telemetry?.ready();
        return streaming.getCompletion(prompt, { ...completionOptions, signal });
      }),
    createMessage: (params, messageOptions = {}) =>
      calls.track(messageOptions.signal, (signal) => {
        const run = (requestId: string | undefined) =>
          streaming.createMessage(params, { ...messageOptions, signal, ...(requestId ? { requestId } : {}) });
        return telemetry ? telemetry.runMessage(params, messageOptions.requestId, run) : run(undefined);
      }),
    resumeFromCheckpoint: (key, resumeOptions = {}) =>
      calls.track(resumeOptions.signal, async (signal) => {
        await telemetry?.ready();
        return streaming.resumeFromCheckpoint(key, { ...resumeOptions, signal });
      }),
    countTokens: (text) => estimator.countTokens(text),
    estimateRequest: (params) => estimator.estimateRequest(params),
    usage: () => tracker.snapshot(),
    async close({ abortInFlight = false } = {}) {
      if (calls.isClosed) return;
      await calls.close({ abortInFlight });
      limiter.close();
      tracker.stop();
      await telemetry?.close();
      detachLogger?.();
    },
  };
}
