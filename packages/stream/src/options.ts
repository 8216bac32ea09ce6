import type Anthropic from '@anthropic-ai/sdk';
import type { AdmissionGate, Bus, CheckpointStore, Clock, TokenEstimator } from '@bulwark/core';
import { systemClock } from '@bulwark/core';
import { defineOptions, invalidArgument, option } from '@bulwark/core/internal';

/** When the client streams: `auto` when asked or when the request is big, `always`, or `never`. */
export type StreamingMode = 'auto' | 'always' | 'never';

/** How the client retries: `options.retry` of `createStreamingClient`. */
export interface RetryOptions {
  /** Retries (and resumes) after the first attempt; rate-limit 429s paced by an admission gate do not count. @default 8 */
  maxRetries?: number | undefined;
  /** The first step of Bulwark's own backoff; each next one doubles, with full jitter. @default 500 */
  initialRetryDelayMs?: number | undefined;
  /** The cap on one step of Bulwark's own backoff (not on a server's `retry-after`). @default 60000 */
  maxRetryDelayMs?: number | undefined;
  /** The longest `retry-after` honoured; a server asking for longer ends the request (`retry_after_too_long`). @default 60000 */
  maxRetryAfterMs?: number | undefined;
  /** The cap on all waits of one request together (`total_delay_exhausted` past it). @default 300000 */
  maxTotalRetryDelayMs?: number | undefined;
}

/** The rules and defaults of `RetryOptions`. */
export const retryOptions = defineOptions<RetryOptions>()({
  maxRetries: option.number({ min: 0, integer: true, default: 8 }),
  initialRetryDelayMs: option.number({ min: 0, default: 500 }),
  maxRetryDelayMs: option.number({ min: 0, allowInfinity: true, default: 60_000 }),
  maxRetryAfterMs: option.number({ min: 0, allowInfinity: true, default: 60_000 }),
  maxTotalRetryDelayMs: option.number({ min: 0, allowInfinity: true, default: 300_000 }),
});

/**
 * How the streaming client behaves, apart from what it is wired to. The bundle `bulwark`
 * takes these same options and passes them through.
 */
export interface StreamingBehaviourOptions {
  /** The model `getCompletion` uses when none is given. @default 'claude-sonnet-4-6' */
  defaultModel?: string | undefined;
  /** `auto`: stream when asked or when the request is big; `always`; `never`. @default 'auto' */
  streaming?: StreamingMode | undefined;
  /** `max_tokens` or a thinking budget above this streams. @default 4096 */
  streamingThresholdTokens?: number | undefined;
  /** Retries, backoff and the waits a server may ask for. @default see `RetryOptions` */
  retry?: RetryOptions | undefined;
  /** A stream silent for this long is aborted and resumed; `Infinity` turns it off. @default 60000 */
  stallTimeoutMs?: number | undefined;
  /** Whether `ping` events count as activity for stall detection. @default false */
  pingsCountAsActivity?: boolean | undefined;
  /** The timeout of a non-streaming call. @default 600000 */
  nonStreamingTimeoutMs?: number | undefined;
  /** How often `stream:progress` is emitted; `Infinity` turns it off. @default 1000 */
  progressIntervalMs?: number | undefined;
  /** Save a checkpoint every this many output tokens ... @default 500 */
  checkpointEveryTokens?: number | undefined;
  /** ... or after this long without one. @default 10000 */
  checkpointIntervalMs?: number | undefined;
  /** Overrides, by exact model id, whether the model accepts a prefill (else `modelAcceptsPrefill`). @default {} */
  prefillByModel?: Readonly<Record<string, boolean>> | undefined;
}

function expectBoolean(argument: string, value: unknown): boolean {
  if (typeof value !== 'boolean') throw invalidArgument(argument, 'a boolean', value);
  return value;
}

/** The rules and defaults of `StreamingBehaviourOptions`. */
export const streamingBehaviourOptions = defineOptions<StreamingBehaviourOptions>()({
  defaultModel: option.string({ default: 'claude-sonnet-4-6' }),
  streaming: option.oneOf(['auto', 'always', 'never'], { default: 'auto' }),
  streamingThresholdTokens: option.number({ min: 0, integer: true, default: 4096 }),
  retry: option.group(retryOptions),
  stallTimeoutMs: option.number({ min: 1, allowInfinity: true, default: 60_000 }),
  pingsCountAsActivity: option.boolean({ default: false }),
  nonStreamingTimeoutMs: option.number({ min: 1, allowInfinity: true, default: 600_000 }),
  progressIntervalMs: option.number({ min: 1, allowInfinity: true, default: 1000 }),
  checkpointEveryTokens: option.number({ min: 1, allowInfinity: true, default: 500 }),
  checkpointIntervalMs: option.number({ min: 0, allowInfinity: true, default: 10_000 }),
  prefillByModel: option.record(expectBoolean, { default: {} }),
});

/** Options of `createStreamingClient`: what it is wired to, and how it behaves. */
export interface StreamingClientOptions extends StreamingBehaviourOptions {
  /** The SDK client to send requests with. Its own retries are turned off per request. */
  client?: Anthropic | undefined;
  /** Used to make a client when none is given. */
  apiKey?: string | undefined;
  /** Used to make a client when none is given. */
  baseURL?: string | undefined;
  /** Where events go, for observers. @default a private bus */
  bus?: Bus | undefined;
  /** Estimates input tokens for admission and `request:start`; calibrated with each complete attempt's usage. */
  estimator?: TokenEstimator | undefined;
  /** Admits each attempt under rate limits; each reservation is reconciled or released, and each response observed. */
  admission?: AdmissionGate | undefined;
  /** Where streams are checkpointed, so `resumeFromCheckpoint` can finish them after a crash. */
  checkpoints?: CheckpointStore | undefined;
  /** Time and timers for backoff, stall detection, progress and timeouts. @default systemClock */
  clock?: Clock | undefined;
  /** Numbers in [0, 1) for backoff jitter. @default Math.random */
  random?: (() => number) | undefined;
}

function hasMethods(...names: string[]): (value: object) => boolean {
  return (value) => names.every((name) => typeof (value as Record<string, unknown>)[name] === 'function');
}

/** The rules and defaults of `StreamingClientOptions`. `client` and `bus` are made per client when left out. */
export const streamingClientOptions = defineOptions<StreamingClientOptions>()({
  client: option.instance<Anthropic>('an Anthropic client', (value) => 'messages' in value),
  apiKey: option.string(),
  baseURL: option.string(),
  bus: option.instance<Bus>('a bus (createBus)', hasMethods('emit', 'on')),
  estimator: option.instance<TokenEstimator>(
    'a TokenEstimator',
    hasMethods('countTokens', 'estimateRequest'),
  ),
  admission: option.instance<AdmissionGate>('an AdmissionGate', hasMethods('acquire', 'observe')),
  checkpoints: option.instance<CheckpointStore>('a CheckpointStore', hasMethods('save', 'load', 'delete')),
  clock: option.instance<Clock, { default: Clock }>('a Clock', hasMethods('now', 'setTimeout'), {
    default: systemClock,
  }),
  random: option.function<() => number, { default: () => number }>({ default: Math.random }),
  ...streamingBehaviourOptions.rules,
});
