import { emptyUsage, InvalidArgumentError, type MessageRequestLike } from '@bulwark/core';
import { describe, expect, it } from 'vitest';
import { createTokenEstimator } from './token-estimator.js';

const body = (text: string, model = 'claude-sonnet-4-5'): MessageRequestLike => ({
  model,
  max_tokens: 100,
  messages: [{ role: 'user', content: text }],
});

const inputUsage = (inputTokens: number) => ({ ...emptyUsage(), inputTokens });

describe('calibration', () => {
  it('moves the ratio of a family toward actual ÷ raw from the usage it is handed', async () => {
    const estimator = createTokenEstimator({ defaultCalibrationPrior: 1 });
    for (let index = 0; index < 30; index += 1) {
      const estimate = await estimator.estimateRequest(body(`request number ${index} with some words`));
      estimator.calibrate(estimate, inputUsage(Math.round(estimate.rawTokens * 1.4)));
    }
    expect(estimator.calibrationRatio('claude-sonnet-4-5')).toBeCloseTo(1.4, 1);
    expect(estimator.calibrationRatio('claude-opus-4-1')).toBe(1);
  });

  it('counts cache writes and reads as part of the prompt', async () => {
    const estimator = createTokenEstimator({ defaultCalibrationPrior: 1, calibrationPriorWeight: 0 });
    const estimate = await estimator.estimateRequest(body('cached prompt'));
    estimator.calibrate(estimate, {
      ...emptyUsage(),
      inputTokens: estimate.rawTokens,
      cacheReadInputTokens: estimate.rawTokens,
    });
    expect(estimator.calibrationRatio('claude-sonnet-4-5')).toBeCloseTo(2, 5);
  });

  it('learns for the family the estimate was made for, not another', async () => {
    const estimator = createTokenEstimator({ defaultCalibrationPrior: 1, calibrationPriorWeight: 0 });
    const opus = await estimator.estimateRequest(body('hello', 'claude-opus-4-1'));
    estimator.calibrate(opus, inputUsage(opus.rawTokens * 3));
    expect(estimator.calibrationRatio('claude-opus-4-5')).toBeCloseTo(3, 5);
    expect(estimator.calibrationRatio('claude-sonnet-4-5')).toBe(1);
  });

  it('ignores inexact estimates: a guess teaches nothing', async () => {
    const estimator = createTokenEstimator({ defaultCalibrationPrior: 1, calibrationPriorWeight: 0 });
    const estimate = await estimator.estimateRequest({
      model: 'claude-sonnet-4-5',
      max_tokens: 10,
      messages: [
        {
          role: 'user',
          content: [{ type: 'document', source: { type: 'url', url: 'https://example.com/a.pdf' } }] as never,
        },
      ],
    });
    expect(estimate.exact).toBe(false);
    estimator.calibrate(estimate, inputUsage(estimate.rawTokens * 4));
    expect(estimator.calibrationRatio('claude-sonnet-4-5')).toBe(1);
  });

  it('refuses a calibrate call without an estimate, naming the argument', () => {
    const estimator = createTokenEstimator();
    expect(() => estimator.calibrate(undefined as never, inputUsage(10))).toThrow(/`estimate`/);
  });

  it('exports learnt state that another estimator imports', async () => {
    const learner = createTokenEstimator();
    const estimate = await learner.estimateRequest(body('hello world'));
    learner.calibrate(estimate, inputUsage(estimate.rawTokens * 3));
    const state = learner.exportCalibration();
    const fresh = createTokenEstimator();
    fresh.importCalibration(JSON.parse(JSON.stringify(state)));
    expect(fresh.calibrationRatio('claude-sonnet-4-5')).toBe(learner.calibrationRatio('claude-sonnet-4-5'));
    expect(fresh.exportCalibration()).toEqual(state);
  });

  it('refuses calibration state that is malformed, naming the field, and keeps its own', () => {
    const estimator = createTokenEstimator();
    const before = estimator.exportCalibration();
    const bad = {
      version: 1,
      encoding: 'cl100k_base',
      families: { 'claude-sonnet-4': { ratio: 1.3, samples: 2 }, x: { ratio: -1, samples: 1 } },
    };
    let error: unknown;
    try {
      estimator.importCalibration(bad as never);
    } catch (caught) {
      error = caught;
    }
    expect(InvalidArgumentError.isInstance(error)).toBe(true);
    expect((error as InvalidArgumentError).argument).toBe('state.families.x.ratio');
    expect(estimator.exportCalibration()).toEqual(before);
  });

  it('refuses state learnt under another encoding', () => {
    const estimator = createTokenEstimator({ encoding: 'o200k_base' });
    expect(() => estimator.importCalibration({ version: 1, encoding: 'cl100k_base', families: {} })).toThrow(
      /state.encoding/,
    );
  });

  it('refuses unknown options', () => {
    expect(() => createTokenEstimator({ encodings: 'cl100k_base' } as never)).toThrow(/options.encodings/);
  });
});
