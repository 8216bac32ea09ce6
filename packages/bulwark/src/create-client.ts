import type Anthropic from '@anthropic-ai/sdk';
import {
  attachLogger,
  type Bus,
  type CheckpointStore,
  type Clock,
  createBus,
  type Logger,
  type LogLevel,
  priceOf,
  type RequestTokenEstimate,
  systemClock,
} from '@bulwark/core';
import { defineOptions, option, parseOptions, pickOptions } from '@bulwark/core/internal';
import { createRateLimiter, type RateLimiter, type RateLimiterBehaviourOptions } from '@bulwark/ratelimit';
import { rateLimiterBehaviourOptions } from '@bulwark/ratelimit/internal';
import {
  type CreateMessageOptions,
  createStreamingClient,
  type GetCompletionOptions,
  type ResumeFromCheckpointOptions,
  type StreamingBehaviourOptions,
  type StreamingClient,
} from '@bulwark/stream';
import { streamingBehaviourOptions } from '@bulwark/stream/internal';
import { type BulwarkTokenEstimator, createTokenEstimator, type EncodingName } from '@bulwark/tokens';
import { CallTracker } from './call-tracker.js';
import { createUsageTracker, type ModelUsageTotals } from './usage-tracker.js';

/**
 * Options of `createClient`: what the client is wired to, plus every behaviour option of the
 * streaming client (`@bulwark/stream`) and of the rate limiter (`@bulwark/ratelimit`), which
 * are passed straight through to them.
 */
export interface BulwarkClientOptions extends StreamingBehaviourOptions, RateLimiterBehaviourOptions {
  /** The API key. @default the SDK's default: `process.env.ANTHROPIC_API_KEY` */
  apiKey?: string | undefined;
  /** The API's base URL (a `@bulwark/testing` server's `url` to run offline). @default the SDK's default */
  baseURL?: string | undefined;
  /** An SDK client of your own; `apiKey` and `baseURL` are then ignored. */
  anthropic?: Anthropic | undefined;
  /** Where partial answers are saved, so `resumeFromCheckpoint` survives a crash. @default none */
  checkpoints?: CheckpointStore | undefined;
  /** The encoding token counts use. @default 'cl100k_base' */
  encoding?: EncodingName | undefined;
  /** Logs every event, secrets redacted. @default none */
  logger?: Logger | undefined;
  /** The lowest level logged. @default 'info' */
  logLevel?: LogLevel | undefined;
  /** The bus to wire everything onto. @default a new bus */
  bus?: Bus | undefined;
  /** Time and timers. @default systemClock */
  clock?: Clock | undefined;
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

function hasMethods(...names: string[]): (value: object) => boolean {
  return (value) => names.every((name) => typeof (value as Record<string, unknown>)[name] === 'function');
}

/** What the client itself is wired to; the parts' behaviour options are checked with their own rules. */
const clientWiringOptions = defineOptions<BulwarkClientOptions>()({
  apiKey: option.string(),
  baseURL: option.string(),
  anthropic: option.instance<Anthropic>('an Anthropic client', (value) => 'messages' in value),
  checkpoints: option.instance<CheckpointStore>('a CheckpointStore', hasMethods('save', 'load', 'delete')),
  encoding: option.oneOf(['cl100k_base', 'o200k_base']),
  logger: option.instance<Logger>('a Logger (debug, info, warn, error)', hasMethods('info', 'warn', 'error')),
  logLevel: option.oneOf(['debug', 'info', 'warn', 'error', 'silent'], { default: 'info' }),
  bus: option.instance<Bus>('a bus (createBus)', hasMethods('emit', 'on')),
  clock: option.instance<Clock, { default: Clock }>('a Clock', hasMethods('now', 'setTimeout'), {
    default: systemClock,
  }),
  ...streamingBehaviourOptions.rules,
  ...rateLimiterBehaviourOptions.rules,
});

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
  const { logger, logLevel = 'info', encoding, anthropic, apiKey, baseURL, checkpoints } = options;
  const detachLogger = logger ? attachLogger(bus, logger, { level: logLevel }) : undefined;
  let limiter: RateLimiter | undefined;
  try {
    const estimator = createTokenEstimator(encoding ? { encoding } : {});
    limiter = createRateLimiter({ ...pickOptions(options, rateLimiterBehaviourOptions), bus, clock });
    const streaming = createStreamingClient({
      ...pickOptions(options, streamingBehaviourOptions),
      bus,
      clock,
      estimator,
      admission: limiter,
      checkpoints,
      ...(anthropic ? { client: anthropic } : { apiKey, baseURL }),
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
  const { bus = createBus(), clock } = parseOptions('options', options, clientWiringOptions);
  const { estimator, limiter, streaming, detachLogger } = createParts(options, bus, clock);
  const tracker = createUsageTracker(bus, { pricesOf: (model) => priceOf(model, options.prices) });
  const calls = new CallTracker();

  return {
    bus,
    limiter,
    estimator,
    getCompletion: (prompt, completionOptions) =>
      calls.track(completionOptions?.signal, (signal) =>
        streaming.getCompletion(prompt, { ...completionOptions, signal }),
      ),
    createMessage: (params, messageOptions = {}) =>
      calls.track(messageOptions.signal, (signal) =>
        streaming.createMessage(params, { ...messageOptions, signal }),
      ),
    resumeFromCheckpoint: (key, resumeOptions = {}) =>
      calls.track(resumeOptions.signal, (signal) =>
        streaming.resumeFromCheckpoint(key, { ...resumeOptions, signal }),
      ),
    countTokens: (text) => estimator.countTokens(text),
    estimateRequest: (params) => estimator.estimateRequest(params),
    usage: () => tracker.snapshot(),
    async close({ abortInFlight = false } = {}) {
      if (calls.isClosed) return;
      await calls.close({ abortInFlight });
      limiter.close();
      tracker.stop();
      detachLogger?.();
    },
  };
}
