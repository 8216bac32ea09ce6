import { createBus, emptyUsage, InvalidArgumentError, type MessageRequestLike } from '@bulwark/core';
import { describe, expect, it } from 'vitest';
import { createTokenEstimator } from './token-estimator.js';

const body = (text: string, model = 'claude-sonnet-4-5'): MessageRequestLike => ({
  model,
  max_tokens: 100,
  messages: [{ role: 'user', content: text }],
});

function reportUsage(
  bus: ReturnType<typeof createBus>,
  requestId: string,
  inputTokens: number,
  model = 'claude-sonnet-4-5',
) {
  bus.emit('usage', {
    requestId,
    model,
    attempt: 1,
    partial: false,
    usage: { ...emptyUsage(), inputTokens },
  });
}

describe('calibration', () => {
  it('moves the ratio of a family toward actual ÷ raw from usage events', async () => {
    const bus = createBus();
    const estimator = createTokenEstimator({ bus, defaultCalibrationPrior: 1 });
    for (let index = 0; index < 30; index += 1) {
      const estimate = await estimator.estimateRequest(body(`request number ${index} with some words`), {
        requestId: `r${index}`,
      });
      reportUsage(bus, `r${index}`, Math.round(estimate.rawTokens * 1.4));
    }
    expect(estimator.calibrationRatio('claude-sonnet-4-5')).toBeCloseTo(1.4, 1);
    expect(estimator.calibrationRatio('claude-opus-4-1')).toBe(1);
  });

  it('counts cache writes and reads as part of the prompt', async () => {
    const bus = createBus();
    const estimator = createTokenEstimator({ bus, defaultCalibrationPrior: 1, calibrationPriorWeight: 0 });
    const estimate = await estimator.estimateRequest(body('cached prompt'), { requestId: 'r' });
    bus.emit('usage', {
      requestId: 'r',
      model: 'claude-sonnet-4-5',
      attempt: 1,
      partial: false,
      usage: { ...emptyUsage(), inputTokens: estimate.rawTokens, cacheReadInputTokens: estimate.rawTokens },
    });
    expect(estimator.calibrationRatio('claude-sonnet-4-5')).toBeCloseTo(2, 5);
  });

  it('uses a usage event once and ignores requests it did not estimate', async () => {
    const bus = createBus();
    const estimator = createTokenEstimator({ bus, defaultCalibrationPrior: 1, calibrationPriorWeight: 0 });
    const estimate = await estimator.estimateRequest(body('hello'), { requestId: 'known' });
    reportUsage(bus, 'unknown', 1000);
    reportUsage(bus, 'known', estimate.rawTokens * 2);
    reportUsage(bus, 'known', estimate.rawTokens * 4);
    expect(estimator.calibrationRatio('claude-sonnet-4-5')).toBeCloseTo(2, 5);
  });

  it('forgets the oldest pending estimates beyond maxPendingRequests', async () => {
    const bus = createBus();
    const estimator = createTokenEstimator({
      bus,
      defaultCalibrationPrior: 1,
      calibrationPriorWeight: 0,
      maxPendingRequests: 2,
    });
    for (const id of ['a', 'b', 'c']) await estimator.estimateRequest(body('hello'), { requestId: id });
    reportUsage(bus, 'a', 1000);
    expect(estimator.calibrationRatio('claude-sonnet-4-5')).toBe(1);
    reportUsage(bus, 'c', 1000);
    expect(estimator.calibrationRatio('claude-sonnet-4-5')).not.toBe(1);
  });

  it('stops learning after close()', async () => {
    const bus = createBus();
    const estimator = createTokenEstimator({ bus, defaultCalibrationPrior: 1 });
    await estimator.estimateRequest(body('hello'), { requestId: 'r' });
    estimator.close();
    reportUsage(bus, 'r', 1000);
    expect(estimator.calibrationRatio('claude-sonnet-4-5')).toBe(1);
  });

  it('exports learnt state that another estimator imports', async () => {
    const bus = createBus();
    const learner = createTokenEstimator({ bus });
    const estimate = await learner.estimateRequest(body('hello world'), { requestId: 'r' });
    reportUsage(bus, 'r', estimate.rawTokens * 3);
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
