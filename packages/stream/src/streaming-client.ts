import Anthropic from '@anthropic-ai/sdk';
import {
  type AdmissionGate,
  type Bus,
  type CheckpointStore,
  type Clock,
  createBus,
  InvalidArgumentError,
  systemClock,
  type TokenEstimator,
} from '@bulwark/core';
import {
  createRequestId,
  expectKnownKeys,
  expectNumber,
  expectObject,
  expectOneOf,
  expectOptionalSignal,
  expectString,
  invalidArgument,
} from '@bulwark/core/internal';
import { isStreamCheckpoint } from './checkpoint-record.js';
import { runRequest } from './internal/run-request.js';
import { MessageSnapshot } from './message-snapshot.js';
import { decideStreaming, type StreamingMode } from './streaming-decision.js';
import { validateMessageParams } from './validate-request.js';

/** Options of `createStreamingClient`. */
export interface StreamingClientOptions {
  /** The SDK client to send requests with. Its own retries are turned off per request. */
  client?: Anthropic;
  /** Used to make a client when none is given. */
  apiKey?: string;
  /** Used to make a client when none is given. */
  baseURL?: string;
  /** Where events go. @default a private bus */
  bus?: Bus;
  /** Estimates input tokens for `request:start` and admission, and kept output tokens. */
  estimator?: TokenEstimator;
  /** Admits each attempt under rate limits and learns from each response. */
  admission?: AdmissionGate;
  /** Where streams are checkpointed, so `resumeFromCheckpoint` can finish them after a crash. */
  checkpoints?: CheckpointStore;
  /** Time and timers for backoff, stall detection, progress and timeouts. @default systemClock */
  clock?: Clock;
  /** Numbers in [0, 1) for backoff jitter. @default Math.random */
  random?: () => number;
  /** `auto`: stream when asked or when the request is big; `always`; `never`. @default 'auto' */
  streaming?: StreamingMode;
  /** `max_tokens` or a thinking budget above this streams. @default 4096 */
  streamingThresholdTokens?: number;
  /** Retries (and resumes) after the first attempt. @default 8 */
  maxRetries?: number;
  /** The first backoff step; each next one doubles, with full jitter. @default 500 */
  initialRetryDelayMs?: number;
  /** The cap on any single wait; a server asking for longer is not retried. @default 60000 */
  maxRetryDelayMs?: number;
  /** The cap on all waits of one request together. @default 300000 */
  maxTotalRetryDelayMs?: number;
  /** A stream silent for this long is aborted and resumed; `Infinity` turns it off. @default 60000 */
  stallTimeoutMs?: number;
  /** Whether `ping` events count as activity for stall detection. @default false */
  pingsCountAsActivity?: boolean;
  /** How often `stream:progress` is emitted; `Infinity` turns it off. @default 1000 */
  progressIntervalMs?: number;
  /** The timeout of a non-streaming call. @default 600000 */
  nonStreamingTimeoutMs?: number;
  /** Overrides, by exact model id, whether the model accepts a prefill (else `modelAcceptsPrefill`). @default {} */
  prefillByModel?: Readonly<Record<string, boolean>>;
  /** Save a checkpoint every this many output tokens. @default 500 */
  checkpointEveryTokens?: number;
  /** ... or after this long without one. @default 10000 */
  checkpointIntervalMs?: number;
  /** The model `getCompletion` uses when none is given. @default 'claude-sonnet-4-6' */
  defaultModel?: string;
}

/** Options of one `createMessage` call. */
export interface CreateMessageOptions {
  /** Every piece of text as it arrives, once: never repeated, never skipped across resumes. */
  onText?: (text: string) => void;
  /** Every raw stream event as received, with its attempt (indices are the attempt's own). */
  onEvent?: (event: Anthropic.RawMessageStreamEvent, context: { attempt: number }) => void;
  /** Aborts the request; it then rejects with `AbortedError` holding the partial message. */
  signal?: AbortSignal;
  /** Correlates the request's events. @default a fresh id */
  requestId?: string;
  /** The checkpoint key (with a `checkpoints` store). @default the request id */
  checkpointKey?: string;
  /** Extra HTTP headers for every attempt. */
  headers?: Record<string, string>;
}

/** Options of `getCompletion`. */
export interface GetCompletionOptions {
  maxTokens: number;
  /** @default the client's `defaultModel` */
  model?: string;
  system?: string;
  signal?: AbortSignal;
  onText?: (text: string) => void;
}

/** Options of `resumeFromCheckpoint`. */
export type ResumeFromCheckpointOptions = Pick<
  CreateMessageOptions,
  'onText' | 'onEvent' | 'signal' | 'headers'
>;

export interface StreamingClient {
  /** Sends a Messages API request and resolves to the final message, however many attempts it took. */
  createMessage(
    params: Anthropic.MessageCreateParams,
    options?: CreateMessageOptions,
  ): Promise<Anthropic.Message>;
  /** One user prompt in, the answer's text out. */
  getCompletion(prompt: string, options: GetCompletionOptions): Promise<string>;
  /** Finishes a request whose process died, from its checkpoint under `key`. */
  resumeFromCheckpoint(key: string, options?: ResumeFromCheckpointOptions): Promise<Anthropic.Message>;
  /** The bus events go to. */
  readonly bus: Bus;
  /** The SDK client requests go through. */
  readonly client: Anthropic;
}

const clientOptionKeys = [
  'client',
  'apiKey',
  'baseURL',
  'bus',
  'estimator',
  'admission',
  'checkpoints',
  'clock',
  'random',
  'streaming',
  'streamingThresholdTokens',
  'maxRetries',
  'initialRetryDelayMs',
  'maxRetryDelayMs',
  'maxTotalRetryDelayMs',
  'stallTimeoutMs',
  'pingsCountAsActivity',
  'progressIntervalMs',
  'nonStreamingTimeoutMs',
  'prefillByModel',
  'checkpointEveryTokens',
  'checkpointIntervalMs',
  'defaultModel',
] as const satisfies readonly (keyof StreamingClientOptions)[];

const createMessageOptionKeys = [
  'onText',
  'onEvent',
  'signal',
  'requestId',
  'checkpointKey',
  'headers',
] as const satisfies readonly (keyof CreateMessageOptions)[];

function expectOptionalFunction(argument: string, value: unknown): void {
  if (value !== undefined && typeof value !== 'function')
    throw invalidArgument(argument, 'a function', value);
}

function validateCallOptions(
  argument: string,
  options: unknown,
  known: readonly string[],
): CreateMessageOptions {
  const record = expectObject(argument, options);
  expectKnownKeys(argument, record, known);
  expectOptionalFunction(`${argument}.onText`, record.onText);
  expectOptionalFunction(`${argument}.onEvent`, record.onEvent);
  expectOptionalSignal(`${argument}.signal`, record.signal);
  if (record.requestId !== undefined) expectString(`${argument}.requestId`, record.requestId);
  if (record.checkpointKey !== undefined) expectString(`${argument}.checkpointKey`, record.checkpointKey);
  if (record.headers !== undefined) expectObject(`${argument}.headers`, record.headers);
  return record as CreateMessageOptions;
}

const timeRule = { min: 0, allowInfinity: true } as const;

/**
 * A client for the Messages API that finishes long work: it streams when a request is big,
 * retries transient failures itself (the SDK's retries off, so they never stack), resumes a
 * broken stream instead of starting over, detects stalls, reports progress and checkpoints.
 */
export function createStreamingClient(options: StreamingClientOptions = {}): StreamingClient {
  expectObject('options', options);
  expectKnownKeys('options', options, clientOptionKeys);
  const {
    apiKey,
    baseURL,
    bus = createBus(),
    estimator,
    admission,
    checkpoints,
    clock = systemClock,
    random = Math.random,
    streaming = 'auto',
    streamingThresholdTokens = 4096,
    maxRetries = 8,
    initialRetryDelayMs = 500,
    maxRetryDelayMs = 60_000,
    maxTotalRetryDelayMs = 300_000,
    stallTimeoutMs = 60_000,
    pingsCountAsActivity = false,
    progressIntervalMs = 1000,
    nonStreamingTimeoutMs = 600_000,
    prefillByModel = {},
    checkpointEveryTokens = 500,
    checkpointIntervalMs = 10_000,
    defaultModel = 'claude-sonnet-4-6',
  } = options;
  expectOneOf('options.streaming', streaming, ['auto', 'always', 'never']);
  expectNumber('options.streamingThresholdTokens', streamingThresholdTokens, { min: 0, integer: true });
  expectNumber('options.maxRetries', maxRetries, { min: 0, integer: true });
  expectNumber('options.initialRetryDelayMs', initialRetryDelayMs, { min: 0 });
  expectNumber('options.maxRetryDelayMs', maxRetryDelayMs, timeRule);
  expectNumber('options.maxTotalRetryDelayMs', maxTotalRetryDelayMs, timeRule);
  expectNumber('options.stallTimeoutMs', stallTimeoutMs, { min: 1, allowInfinity: true });
  expectNumber('options.progressIntervalMs', progressIntervalMs, { min: 1, allowInfinity: true });
  expectNumber('options.nonStreamingTimeoutMs', nonStreamingTimeoutMs, { min: 1, allowInfinity: true });
  expectNumber('options.checkpointEveryTokens', checkpointEveryTokens, { min: 1, allowInfinity: true });
  expectNumber('options.checkpointIntervalMs', checkpointIntervalMs, { min: 0, allowInfinity: true });
  expectString('options.defaultModel', defaultModel);
  expectOptionalFunction('options.random', random);
  if (typeof pingsCountAsActivity !== 'boolean') {
    throw invalidArgument('options.pingsCountAsActivity', 'a boolean', pingsCountAsActivity);
  }
  for (const [model, accepts] of Object.entries(expectObject('options.prefillByModel', prefillByModel))) {
    if (typeof accepts !== 'boolean')
      throw invalidArgument(`options.prefillByModel.${model}`, 'a boolean', accepts);
  }
  if (options.client === undefined && apiKey !== undefined) expectString('options.apiKey', apiKey);
  const client =
    options.client ??
    new Anthropic({
      maxRetries: 0,
      ...(apiKey === undefined ? {} : { apiKey }),
      ...(baseURL === undefined ? {} : { baseURL }),
    });

  const settings = {
    client,
    bus,
    clock,
    random,
    estimator,
    admission,
    checkpoints,
    maxRetries,
    initialRetryDelayMs,
    maxRetryDelayMs,
    maxTotalRetryDelayMs,
    stallTimeoutMs,
    pingsCountAsActivity,
    progressIntervalMs,
    nonStreamingTimeoutMs,
    prefillByModel,
    checkpointEveryTokens,
    checkpointIntervalMs,
  };

  const createMessage = async (
    params: Anthropic.MessageCreateParams,
    callOptions: CreateMessageOptions = {},
  ): Promise<Anthropic.Message> => {
    validateMessageParams(params);
    const {
      onText,
      onEvent,
      signal,
      requestId = createRequestId(),
      checkpointKey,
      headers,
    } = validateCallOptions('options', callOptions, createMessageOptionKeys);
    const decision = decideStreaming(params, { mode: streaming, thresholdTokens: streamingThresholdTokens });
    const { stream: _stream, ...rest } = params;
    return runRequest(settings, {
      params: rest as Anthropic.MessageCreateParamsNonStreaming,
      streaming: decision.streaming,
      streamingReason: decision.reason,
      requestId,
      snapshot: new MessageSnapshot(),
      continueSnapshot: false,
      onText,
      onEvent,
      signal,
      checkpointKey: checkpoints ? (checkpointKey ?? requestId) : undefined,
      headers,
    });
  };

  return {
    bus,
    client,
    createMessage,
    async getCompletion(prompt, completionOptions) {
      expectString('prompt', prompt, { allowEmpty: false });
      const record = expectObject('options', completionOptions);
      expectKnownKeys('options', record, ['maxTokens', 'model', 'system', 'signal', 'onText']);
      const maxTokens = expectNumber('options.maxTokens', record.maxTokens, { integer: true, min: 1 });
      const model = record.model === undefined ? defaultModel : expectString('options.model', record.model);
      if (record.system !== undefined) expectString('options.system', record.system, { allowEmpty: true });
      const message = await createMessage(
        {
          model,
          max_tokens: maxTokens,
          messages: [{ role: 'user', content: prompt }],
          ...(completionOptions.system === undefined ? {} : { system: completionOptions.system }),
        },
        {
          ...(completionOptions.signal ? { signal: completionOptions.signal } : {}),
          ...(completionOptions.onText ? { onText: completionOptions.onText } : {}),
        },
      );
      let text = '';
      for (const block of message.content) if (block.type === 'text') text += block.text;
      return text;
    },
    async resumeFromCheckpoint(key, resumeOptions = {}) {
      expectString('key', key);
      const { onText, onEvent, signal, headers } = validateCallOptions('options', resumeOptions, [
        'onText',
        'onEvent',
        'signal',
        'headers',
      ]);
      if (!checkpoints) {
        throw new InvalidArgumentError({
          argument: 'options.checkpoints',
          value: undefined,
          message: 'resumeFromCheckpoint needs the client to be created with a `checkpoints` store',
        });
      }
      const record = await checkpoints.load(key);
      if (!isStreamCheckpoint(record)) {
        throw invalidArgument('key', 'the key of a saved stream checkpoint', key);
      }
      return runRequest(settings, {
        params: record.params,
        streaming: record.streaming,
        streamingReason: record.streamingReason,
        requestId: record.requestId,
        snapshot: MessageSnapshot.fromState(record.snapshot),
        continueSnapshot: true,
        onText,
        onEvent,
        signal,
        checkpointKey: key,
        headers,
      });
    },
  };
}
