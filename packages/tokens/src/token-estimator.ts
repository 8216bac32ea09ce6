import {
  type MessageRequestLike,
  type RequestTokenEstimate,
  type TokenEstimator,
  totalInputTokens,
  type Usage,
} from '@bulwark/core';
import { expectObject, invalidArgument, parseOptions, throwIfAborted } from '@bulwark/core/internal';
import { type CalibrationState, Calibrator, defaultCalibrationPriors } from './calibration.js';
import type { EncodingName } from './encoding.js';
import { ApiTokenCounter } from './internal/api-counter.js';
import { LazyEncoder } from './internal/lazy-encoder.js';
import { estimateRequestTokens, familyOf } from './internal/request-estimate.js';
import {
  countWithApiOptions,
  type TokenEstimatorOptions,
  tokenEstimatorOptions,
} from './token-estimator-options.js';

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

/**
 * Creates a token estimator. Counts are exact under the chosen js-tiktoken encoding (equal to
 * `encode(text, [], []).length`: special-token text counts as plain text), in linear time on
 * any input. Request estimates are calibrated to Claude per model family by `calibrate`, which
 * the code that sent the request calls with the usage the API reported. The methods of the
 * returned object may be called detached (`texts.map(estimator.countTokensSync)`).
 */
export function createTokenEstimator(options: TokenEstimatorOptions = {}): BulwarkTokenEstimator {
  const settings = parseOptions('options', options, tokenEstimatorOptions);
  const { encoding, mode } = settings;
  const calibrator = new Calibrator(
    encoding,
    settings.calibrationPriors,
    settings.defaultCalibrationPrior ?? defaultCalibrationPriors[encoding],
    settings.calibrationWindow,
    settings.calibrationPriorWeight,
  );
  const encoder = new LazyEncoder(encoding, mode, settings.loadRankFile, settings.logger);
  const apiCounter = new ApiTokenCounter(settings.client, settings.apiCountCacheSize);
  const countText = (text: string): number => encoder.count(text);
  const estimateSync = (request: MessageRequestLike): RequestTokenEstimate => {
    encoder.expectReady();
    return estimateRequestTokens(request, countText, encoder.isExact, calibrator);
  };
  return {
    encoding,
    mode,
    get status() {
      return encoder.status;
    },
    ready: () => encoder.ready(),
    async countTokens(text) {
      expectText(text);
      if (encoder.needsLoad) await encoder.ready();
      return encoder.count(text);
    },
    countTokensSync: (text) => encoder.count(expectText(text)),
    async estimateRequest(request) {
      if (encoder.needsLoad) await encoder.ready();
      return estimateSync(request);
    },
    estimateRequestSync: estimateSync,
    async countWithApi(request, callOptions) {
      const { signal } = parseOptions('options', callOptions, countWithApiOptions);
      const prepared = apiCounter.prepare(request);
      await encoder.ready();
      // Validates the request before the call; its raw count is what the answer calibrates.
      const estimate = estimateSync(request);
      throwIfAborted(signal);
      const cached = apiCounter.cached(prepared);
      if (cached !== undefined) return cached;
      const inputTokens = await apiCounter.ask(prepared, signal);
      if (estimate.exact) calibrator.observe(estimate.modelFamily, estimate.rawTokens, inputTokens);
      return inputTokens;
    },
    calibrate(estimate, usage) {
      expectObject('estimate', estimate);
      expectObject('usage', usage);
      if (estimate.exact)
        calibrator.observe(estimate.modelFamily, estimate.rawTokens, totalInputTokens(usage));
    },
    calibrationRatio: (model) => calibrator.ratio(familyOf(expectModel(model))),
    exportCalibration: () => calibrator.export(),
    importCalibration: (state) => calibrator.import(state),
  };
}

function expectText(text: unknown): string {
  if (typeof text !== 'string') throw invalidArgument('text', 'a string', text);
  return text;
}

function expectModel(model: unknown): string {
  if (typeof model !== 'string') throw invalidArgument('model', 'a string', model);
  return model;
}
