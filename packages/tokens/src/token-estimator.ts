import {
  AbortedError,
  isAbortError,
  type Logger,
  type MessageRequestLike,
  modelClassOf,
  type RequestTokenEstimate,
  type TokenEstimatePart,
  type TokenEstimator,
  totalInputTokens,
  type Usage,
} from '@bulwark/core';
import {
  expectKnownKeys,
  expectNumber,
  expectObject,
  expectOneOf,
  expectOptionalSignal,
  hashString,
  invalidArgument,
  silentLogger,
  throwIfAborted,
} from '@bulwark/core/internal';
import {
  type CalibrationState,
  Calibrator,
  defaultCalibrationPriors,
  defaultModelFamily,
} from './calibration.js';
import { EncodingNotReadyError, TokenCountError } from './errors.js';
import { estimateTokensFast } from './fast-estimate.js';
import { BoundedCache } from './internal/bounded-cache.js';
import type { Encoder } from './internal/encoder.js';
import { createEncoder, loadSharedEncoder, type RankFileLoader } from './internal/encoder-registry.js';
import type { EncodingName } from './internal/rank-table.js';
import { RequestPartCounter } from './internal/request-parts.js';

/** The part of an Anthropic client `countWithApi` uses; the SDK's `Anthropic` instance fits. */
export interface CountTokensClient {
  messages: {
    countTokens(
      params: CountTokensParams,
      options?: { signal?: AbortSignal | undefined },
    ): PromiseLike<{ input_tokens: number }>;
  };
}

/** The fields of a request the count_tokens endpoint accepts. */
export interface CountTokensParams {
  model: string;
  messages: MessageRequestLike['messages'];
  system?: MessageRequestLike['system'];
  tools?: MessageRequestLike['tools'];
  tool_choice?: unknown;
  thinking?: MessageRequestLike['thinking'];
}

export interface TokenEstimatorOptions {
  /** The js-tiktoken encoding to count with. @default 'cl100k_base' */
  encoding?: EncodingName;
  /** `exact` counts with the encoding; `fast` uses `estimateTokensFast` and never loads one. @default 'exact' */
  mode?: 'exact' | 'fast';
  /** Starting ratio (Claude ÷ local tokens) per model family, such as `{ 'claude-sonnet-4': 1.18 }`. @default {} */
  calibrationPriors?: Record<string, number>;
  /** The starting ratio of a family without its own prior. @default 1.2 for cl100k_base, 1.25 for o200k_base */
  defaultCalibrationPrior?: number;
  /** About how many recent requests the moving ratio reflects. @default 20 */
  calibrationWindow?: number;
  /** How many observations the prior is worth against the first ones. @default 1 */
  calibrationPriorWeight?: number;
  /** An Anthropic client, for `countWithApi`. @default none */
  client?: CountTokensClient;
  /** Server counts remembered by `countWithApi` (keyed by a hash of the request). @default 64 */
  apiCountCacheSize?: number;
  /** Where rank files come from. @default js-tiktoken's own, imported on first use and shared by all estimators */
  loadRankFile?: RankFileLoader;
  /** Told once when an encoding cannot load and the `fast` heuristic takes over. @default silent */
  logger?: Logger;
}

/** `idle` before the first count, then `loading`, then `exact`; `fast` by choice or after a failed load. */
export type EstimatorStatus = 'idle' | 'loading' | 'exact' | 'fast';

/** Bulwark's `TokenEstimator`, with a synchronous path for hot loops and calibration control. */
export interface BulwarkTokenEstimator extends TokenEstimator {
  readonly encoding: EncodingName;
  readonly mode: 'exact' | 'fast';
  readonly status: EstimatorStatus;
  /** Loads the encoding (once per process); resolves when synchronous counts are possible. */
  ready(): Promise<void>;
  /** `countTokens` without a promise; throws `EncodingNotReadyError` before `ready()` resolved. */
  countTokensSync(text: string): number;
  /** `estimateRequest` without a promise; throws `EncodingNotReadyError` before `ready()` resolved. */
  estimateRequestSync(request: MessageRequestLike): RequestTokenEstimate;
  /**
   * Learns the model family's ratio from the input tokens the API reported for the request
   * `estimate` was made for (uncached, cache writes and cache reads together). Inexact
   * estimates (a PDF of unknown length, a fast-mode count) teach nothing and are ignored.
   */
  calibrate(estimate: RequestTokenEstimate, usage: Usage): void;
  /** The API's own count (`messages.countTokens`) for a request, cached; it also calibrates. */
  countWithApi(request: MessageRequestLike, options?: { signal?: AbortSignal }): Promise<number>;
  /** The ratio `estimateRequest` applies for `model` right now. */
  calibrationRatio(model: string): number;
  exportCalibration(): CalibrationState;
  /** Replaces the learnt ratios of the families in `state`, after validating all of it. */
  importCalibration(state: CalibrationState): void;
}

const optionNames = [
  'encoding',
  'mode',
  'calibrationPriors',
  'defaultCalibrationPrior',
  'calibrationWindow',
  'calibrationPriorWeight',
  'client',
  'apiCountCacheSize',
  'loadRankFile',
  'logger',
];

function familyOf(model: string): string {
  return modelClassOf(model) ?? defaultModelFamily;
}

function statusOf(error: unknown): number | undefined {
  const status = (error as { status?: unknown } | null)?.status;
  return typeof status === 'number' ? status : undefined;
}

/**
 * Creates a token estimator. Counts are exact under the chosen js-tiktoken encoding (equal to
 * `encode(text, [], []).length`: special-token text counts as plain text), in linear time on
 * any input. Request estimates are calibrated to Claude per model family by `calibrate`, which
 * the code that sent the request calls with the usage the API reported.
 */
export function createTokenEstimator(options: TokenEstimatorOptions = {}): BulwarkTokenEstimator {
  expectObject('options', options);
  expectKnownKeys('options', options, optionNames);
  const {
    encoding = 'cl100k_base',
    mode = 'exact',
    calibrationPriors = {},
    calibrationWindow = 20,
    calibrationPriorWeight = 1,
    client,
    apiCountCacheSize = 64,
    loadRankFile,
    logger = silentLogger,
  } = options;
  expectOneOf('options.encoding', encoding, ['cl100k_base', 'o200k_base']);
  expectOneOf('options.mode', mode, ['exact', 'fast']);
  const defaultPrior = expectNumber(
    'options.defaultCalibrationPrior',
    options.defaultCalibrationPrior ?? defaultCalibrationPriors[encoding],
    { min: 0.2, max: 5 },
  );
  for (const [family, prior] of Object.entries(
    expectObject('options.calibrationPriors', calibrationPriors),
  )) {
    expectNumber(`options.calibrationPriors.${family}`, prior, { min: 0.2, max: 5 });
  }
  expectNumber('options.calibrationWindow', calibrationWindow, { min: 1, integer: true });
  expectNumber('options.calibrationPriorWeight', calibrationPriorWeight, { min: 0 });
  expectNumber('options.apiCountCacheSize', apiCountCacheSize, { min: 0, integer: true });
  if (client !== undefined && typeof client?.messages?.countTokens !== 'function') {
    throw invalidArgument('options.client', 'an Anthropic client (with messages.countTokens)', client);
  }
  if (loadRankFile !== undefined && typeof loadRankFile !== 'function') {
    throw invalidArgument('options.loadRankFile', 'a function', loadRankFile);
  }

  const calibrator = new Calibrator(
    encoding,
    calibrationPriors,
    defaultPrior,
    calibrationWindow,
    calibrationPriorWeight,
  );
  const apiCounts = new BoundedCache<string, number>(Math.max(1, Math.ceil(apiCountCacheSize / 2)));
  let status: EstimatorStatus = mode === 'fast' ? 'fast' : 'idle';
  let encoder: Encoder | undefined;
  let loading: Promise<void> | undefined;

  function load(): Promise<void> {
    if (loading) return loading;
    status = 'loading';
    const pendingEncoder =
      loadRankFile === undefined
        ? loadSharedEncoder(encoding)
        : Promise.resolve()
            .then(() => loadRankFile(encoding))
            .then((file) => createEncoder(encoding, file));
    loading = pendingEncoder.then(
      (loaded) => {
        encoder = loaded;
        status = 'exact';
      },
      (error: unknown) => {
        status = 'fast';
        logger.warn(
          { encoding, error: error instanceof Error ? error.message : String(error) },
          `The ${encoding} encoding could not load; counting with the fast heuristic instead`,
        );
      },
    );
    return loading;
  }

  function countSync(text: string, argument = 'text'): number {
    if (typeof text !== 'string') throw invalidArgument(argument, 'a string', text);
    if (encoder !== undefined) return encoder.count(text);
    if (status === 'fast') return estimateTokensFast(text);
    throw new EncodingNotReadyError({ encoding });
  }

  function estimateSync(request: MessageRequestLike): RequestTokenEstimate {
    if (encoder === undefined && status !== 'fast') throw new EncodingNotReadyError({ encoding });
    const counter = new RequestPartCounter((text) => countSync(text));
    counter.walk(request);
    const breakdown: TokenEstimatePart[] = counter.parts;
    if (encoder === undefined) {
      breakdown.push({
        path: 'encoding',
        kind: 'overhead',
        tokens: 0,
        exact: false,
        note: 'fast heuristic, not an exact count',
      });
    }
    let rawTokens = 0;
    let exact = true;
    for (const part of breakdown) {
      rawTokens += part.tokens;
      exact &&= part.exact;
    }
    const modelFamily = familyOf(request.model);
    const calibrationRatio = calibrator.ratio(modelFamily);
    return {
      rawTokens,
      inputTokens: Math.ceil(rawTokens * calibrationRatio),
      calibrationRatio,
      modelFamily,
      exact,
      breakdown,
    };
  }

  function calibrate(estimate: RequestTokenEstimate, usage: Usage): void {
    expectObject('estimate', estimate);
    expectObject('usage', usage);
    if (!estimate.exact) return;
    calibrator.observe(estimate.modelFamily, estimate.rawTokens, totalInputTokens(usage));
  }

  async function countWithApi(
    request: MessageRequestLike,
    callOptions: { signal?: AbortSignal } = {},
  ): Promise<number> {
    expectObject('options', callOptions);
    expectKnownKeys('options', callOptions, ['signal']);
    const signal = expectOptionalSignal('options.signal', callOptions.signal);
    if (client === undefined)
      throw invalidArgument('options.client', 'an Anthropic client to call countWithApi', client);
    const fields = expectObject('request', request);
    const params: CountTokensParams = {
      model: fields.model as string,
      messages: fields.messages as CountTokensParams['messages'],
    };
    for (const name of ['system', 'tools', 'tool_choice', 'thinking'] as const) {
      if (fields[name] !== undefined && fields[name] !== null)
        Object.assign(params, { [name]: fields[name] });
    }
    if (status === 'idle' && mode === 'exact') await load();
    // Validates the request (and gives the raw count the answer calibrates).
    const estimate = estimateSync(request);
    throwIfAborted(signal);
    const json = JSON.stringify(params);
    const key = `${json.length}:${hashString(json)}:${hashString(json, 1)}`;
    const cached = apiCounts.get(key);
    if (cached !== undefined) return cached;
    let answer: { input_tokens: number };
    try {
      answer = await client.messages.countTokens(params, signal === undefined ? undefined : { signal });
    } catch (error) {
      if (signal?.aborted || isAbortError(error)) throw new AbortedError({ cause: error });
      throw new TokenCountError({
        message: `messages.countTokens failed: ${error instanceof Error ? error.message : String(error)}`,
        cause: error,
        status: statusOf(error),
      });
    }
    const inputTokens = expectNumber('countTokens().input_tokens', answer?.input_tokens, {
      min: 0,
      integer: true,
    });
    if (apiCountCacheSize > 0) apiCounts.set(key, inputTokens);
    if (estimate.exact) calibrator.observe(estimate.modelFamily, estimate.rawTokens, inputTokens);
    return inputTokens;
  }

  return {
    encoding,
    mode,
    get status() {
      return status;
    },
    async ready() {
      if (mode === 'exact') await load();
    },
    async countTokens(text) {
      if (typeof text !== 'string') throw invalidArgument('text', 'a string', text);
      if (mode === 'exact' && encoder === undefined) await load();
      return countSync(text);
    },
    countTokensSync: (text) => countSync(text),
    async estimateRequest(request) {
      if (mode === 'exact' && encoder === undefined) await load();
      return estimateSync(request);
    },
    estimateRequestSync: estimateSync,
    countWithApi,
    calibrationRatio: (model) => calibrator.ratio(familyOf(expectStringModel(model))),
    exportCalibration: () => calibrator.export(),
    importCalibration: (state) => calibrator.import(state),
    calibrate,
  };
}

function expectStringModel(model: unknown): string {
  if (typeof model !== 'string') throw invalidArgument('model', 'a string', model);
  return model;
}
